"""Bad input gets a 4xx whose JSON names the field; no request produces a 500."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Account
from tests.test_stranger import alices_world, api_routes

HUGE = "x" * 1_000_000
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
TASK_FIELDS = [
    "title",
    "notes",
    "status",
    "importance",
    "deadline",
    "planned_date",
    "estimate_minutes",
    "earliest_start",
    "splittable",
    "min_chunk_minutes",
    "kind",
    "tags",
    "project_id",
    "assignee_id",
    "depends_on",
    "source",
    "version",
]


def assert_clear_4xx(response: Any, what: str) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (
        f"{what}: {response.status_code} {response.text[:300]}"
    )
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"], what
    return body


def test_it_answers_malformed_bodies_with_4xx_everywhere(
    client: TestClient, app: FastAPI, alice: Account
) -> None:
    ids = alices_world(client, alice)
    bodies = [
        b"{not json",
        b"[]",
        b'"a string"',
        b"null",
        b"{}",
        b'{"title": ' + b"1" * 5000 + b"}",
    ]
    checked = 0
    for method, path in api_routes(app):
        if method not in ("POST", "PATCH", "PUT"):
            continue
        url = path.format(**ids)
        for raw in bodies:
            response = client.request(
                method,
                url,
                content=raw,
                headers={**alice.headers, "Content-Type": "application/json", "If-Match": '"1"'},
            )
            if response.status_code < 400:
                continue  # an empty update is a valid no-op for some endpoints
            assert_clear_4xx(response, f"{method} {path} {raw[:20]!r}")
            checked += 1
    assert checked > 20


def test_it_names_the_field_for_wrong_types_huge_strings_and_unknown_fields(
    client: TestClient, alice: Account
) -> None:
    cases = {
        "title": {"title": HUGE},
        "importance": {"title": "t", "importance": 9},
        "estimate_minutes": {"title": "t", "estimate_minutes": "two hours"},
        "kind": {"title": "t", "kind": "partying"},
        "tags": {"title": "t", "tags": "not-a-list"},
        "colour": {"title": "t", "colour": "red"},
        "planned_date": {"title": "t", "planned_date": "someday"},
        "depends_on": {"title": "t", "depends_on": [1, "x"]},
        "deadline": {"title": "t", "deadline": "2026-13-45"},
    }
    for field, payload in cases.items():
        response = client.post("/api/v1/tasks", json=payload, headers=alice.headers)
        body = assert_clear_4xx(response, field)
        assert body["errors"][0]["field"].split(".")[0] == field, (field, body)
    unknown = client.post(
        "/api/v1/tasks", json={"title": "t", "colour": "red"}, headers=alice.headers
    ).json()
    assert unknown["errors"][0]["message"] == "unknown field"
    team = client.post(
        "/api/v1/teams", json={"name": "x", "timezone": "Not/AZone"}, headers=alice.headers
    )
    assert assert_clear_4xx(team, "tz")["errors"][0]["field"] == "timezone"


def test_it_refuses_bad_query_parameters_and_ids(client: TestClient, alice: Account) -> None:
    for url in (
        "/api/v1/tasks?limit=abc",
        "/api/v1/tasks?deadline_before=tomorrow",
        "/api/v1/tasks?offset=-1",
        "/api/v1/tasks/abc",
        "/api/v1/tasks/99999999999999999999",
        "/api/v1/teams/0",
        "/api/v1/projects/-5",
        "/api/v1/nothing-here",
    ):
        assert_clear_4xx(client.get(url, headers=alice.headers), url)
    bad_match = client.patch(
        "/api/v1/tasks/1", json={"title": "x"}, headers={**alice.headers, "If-Match": "banana"}
    )
    assert_clear_4xx(bad_match, "If-Match")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(payload=st.dictionaries(st.sampled_from(TASK_FIELDS), JSON_VALUES, max_size=6))
def test_it_never_fails_with_500_on_random_task_bodies(
    client: TestClient, alice: Account, payload: dict[str, Any]
) -> None:
    created = client.post(
        "/api/v1/tasks",
        content=json.dumps(payload),
        headers={**alice.headers, "Content-Type": "application/json"},
    )
    assert created.status_code < 500, created.text
    if created.status_code >= 400:
        assert_clear_4xx(created, "create")
    updated = client.patch(
        "/api/v1/tasks/1",
        content=json.dumps(payload),
        headers={**alice.headers, "Content-Type": "application/json"},
    )
    assert updated.status_code < 500, updated.text
