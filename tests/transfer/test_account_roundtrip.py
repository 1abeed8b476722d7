"""A property: exporting an account and importing it into a new one gives the same data back,
whatever the tasks hold within what the API accepts."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from devday.config import Settings
from tests.factories import sign_up
from tests.transfer.test_account import comparable

_people = itertools.count(1)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Two accounts an example: more sign-ups than one address may make in an hour."""
    return settings.model_copy(update={"signup_limit_per_address": "100000/hour"})


text_chars = st.characters(blacklist_categories=("Cs", "Cc"))
titles = st.text(text_chars, min_size=1, max_size=300).filter(lambda s: s.strip() != "")
notes = st.text(st.one_of(text_chars, st.sampled_from("\n\t")), max_size=400)
tags = st.lists(
    st.from_regex(r"[a-z0-9][a-z0-9.\-/_]{0,20}", fullmatch=True), max_size=5, unique=True
)
offsets = st.sampled_from(
    [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-7, minutes=-30))]
)
instants = st.builds(
    lambda moment, zone: moment.replace(tzinfo=UTC).astimezone(zone).isoformat(),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)),
    offsets,
)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)).map(date.isoformat)


@st.composite
def task_fields(draw: st.DrawFn) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": draw(titles),
        "notes": draw(notes),
        "status": draw(st.sampled_from(["todo", "doing", "done", "dropped"])),
        "importance": draw(st.integers(1, 4)),
        "splittable": draw(st.booleans()),
        "min_chunk_minutes": draw(st.integers(1, 100_000)),
        "kind": draw(st.sampled_from(["coding", "testing", "docs", "review", "admin", "other"])),
        "tags": draw(tags),
    }
    optional = {
        "deadline": st.one_of(instants, days),
        "planned_date": days,
        "estimate_minutes": st.integers(1, 100_000),
        "earliest_start": instants,
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            fields[name] = draw(strategy)
    return fields


accounts = st.fixed_dictionaries(
    {
        "projects": st.lists(
            st.text(text_chars, min_size=1, max_size=100).filter(str.strip),
            max_size=3,
            unique_by=str.strip,
        ),
        "tasks": st.lists(
            st.tuples(task_fields(), st.integers(0, 3), st.lists(st.integers(0, 30), max_size=3)),
            min_size=1,
            max_size=12,
        ),
    }
)


@examples(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(account=accounts)
def test_export_then_import_gives_the_same_account(
    client: TestClient, account: dict[str, Any]
) -> None:
    n = next(_people)
    alex = sign_up(client, f"Alex{n}")
    projects: list[int] = []
    for name in account["projects"]:
        made = client.post("/api/v1/projects", json={"name": name}, headers=alex.headers)
        assert made.status_code == 201, made.text
        projects.append(made.json()["id"])
    tasks: list[int] = []
    for fields, project, depends in account["tasks"]:
        body = dict(fields)
        if projects and project < len(projects):
            body["project_id"] = projects[project]
        body["depends_on"] = sorted({tasks[i] for i in depends if i < len(tasks)})
        made = client.post("/api/v1/tasks", json=body, headers=alex.headers)
        assert made.status_code == 201, (body, made.text)
        tasks.append(made.json()["id"])

    exported = client.get("/api/v1/export", headers=alex.headers)
    assert exported.status_code == 200
    document = exported.json()
    assert len(document["tasks"]) == len(tasks)

    robin = sign_up(client, f"Robin{n}", timezone="UTC")
    imported = client.post("/api/v1/import", json=document, headers=robin.headers)
    assert imported.status_code == 200, imported.text
    assert imported.json()["tasks"] == len(tasks)
    again = client.get("/api/v1/export", headers=robin.headers).json()
    assert comparable(again) == comparable(document)
