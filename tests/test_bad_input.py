"""Bad input gets a 4xx whose JSON names the field; no request produces a 500."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import IntegrityError

from devday.deps import SessionDep
from devday.inbox.models import TeamInbox
from tests.conftest import START
from tests.factories import Account, csrf_from, web_log_in
from tests.inbox.support import inbox
from tests.inbox.test_pages import help_form, help_setup
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
    "repeat",
    "version",
]


def assert_clear_4xx(response: Any, what: str) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (
        f"{what}: {response.status_code} {response.text[:300]}"
    )
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"], what
    return dict(body)


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


TASKWARRIOR_FIELDS = [
    "uuid", "description", "status", "project", "tags", "priority", "due", "scheduled", "wait",
    "entry", "end", "depends", "annotations", "estimate",
]  # fmt: skip
EXPORT_SECTIONS = ["format", "version", "profile", "projects", "tasks", "time_entries", "routine"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    record=st.dictionaries(st.sampled_from(TASKWARRIOR_FIELDS), JSON_VALUES, max_size=6),
    document=st.dictionaries(st.sampled_from(EXPORT_SECTIONS), JSON_VALUES, max_size=4),
)
def test_it_never_fails_with_500_on_random_imports(
    client: TestClient, alice: Account, record: dict[str, Any], document: dict[str, Any]
) -> None:
    record.setdefault("uuid", "2ed9c9bb-456a-4bc3-a3f9-4d42cc7ebded")
    record.setdefault("description", "imported")
    headers = {**alice.headers, "Content-Type": "application/json"}
    tasks = client.post("/api/v1/import/taskwarrior", content=json.dumps([record]), headers=headers)
    assert tasks.status_code < 500, tasks.text
    if tasks.status_code >= 400:
        assert_clear_4xx(tasks, f"taskwarrior {record}")
    document = {"format": "devday-export", "version": 1, **document}
    whole = client.post("/api/v1/import", content=json.dumps(document), headers=headers)
    assert whole.status_code < 500, whole.text
    if whole.status_code >= 400:
        assert_clear_4xx(whole, f"import {document}")


FAR_DAYS = ["0001-01-01", "1969-12-31", "2201-01-01", "9999-12-31"]
FAR_INSTANTS = [
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00Z",
    "1969-12-31T23:59:59Z",
    "2201-01-01T00:00:00Z",
    "9999-12-31T23:59:59-12:00",
]


def assert_refused(response: Any, field: str, what: str) -> None:
    assert response.status_code == 422, f"{what}: {response.status_code} {response.text[:300]}"
    body = response.json()
    fields = [error["field"] for error in body["errors"]]
    assert field in fields, (what, body)
    assert body["detail"].startswith(f"{fields[0]}: "), body


@pytest.mark.parametrize("day", FAR_DAYS)
def test_it_refuses_days_out_of_range_in_paths(
    client: TestClient, alice: Account, day: str
) -> None:
    h = alice.headers
    calls: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", f"/api/v1/habits/{day}", None),
        ("PUT", f"/api/v1/habits/{day}", {"habit": "Run", "done": True}),
        ("GET", f"/api/v1/wrapup/{day}", None),
        ("POST", f"/api/v1/wrapup/{day}", {"decisions": []}),
        ("GET", f"/api/v1/reflections/{day}", None),
        ("PUT", f"/api/v1/reflections/{day}", {"went_well": "x"}),
        ("GET", f"/api/v1/plans/{day}", None),
        ("POST", f"/api/v1/plans/{day}", None),
        ("POST", f"/api/v1/plans/{day}/replan", None),
    ]
    for method, url, payload in calls:
        response = client.request(method, url, json=payload, headers={**h, "If-Match": '"1"'})
        field = "plan_date" if "/plans/" in url else "day"
        assert_refused(response, field, f"{method} {url}")


@pytest.mark.parametrize("day", FAR_DAYS)
def test_it_refuses_days_out_of_range_in_bodies_and_queries(
    client: TestClient, alice: Account, day: str
) -> None:
    h = alice.headers
    team = client.post("/api/v1/teams", json={"name": "Backend"}, headers=h).json()
    task = client.post("/api/v1/tasks", json={"title": "t"}, headers=h).json()
    cases = [
        ("POST", "/api/v1/tasks", {"title": "t", "deadline": day}, "deadline"),
        ("POST", "/api/v1/tasks", {"title": "t", "planned_date": day}, "planned_date"),
        ("PATCH", f"/api/v1/tasks/{task['id']}", {"deadline": day, "version": 1}, "deadline"),
        (
            "PATCH",
            f"/api/v1/tasks/{task['id']}",
            {"planned_date": day, "version": 1},
            "planned_date",
        ),
        ("POST", "/api/v1/leave", {"start": day, "end": "2026-12-31"}, "start"),
        ("POST", "/api/v1/leave", {"start": "2026-12-01", "end": day}, "end"),
        (
            "POST",
            "/api/v1/wrapup/2026-11-30",
            {"decisions": [{"task_id": task["id"], "decision": "date", "date": day}]},
            "decisions.0.date",
        ),
        ("GET", f"/api/v1/tasks?planned_date={day}", None, "planned_date"),
        ("GET", f"/api/v1/leave?since={day}", None, "since"),
        ("GET", f"/api/v1/teams/{team['id']}/standups?day={day}", None, "day"),
        ("GET", f"/api/v1/teams/{team['id']}/standups/mine?day={day}", None, "day"),
    ]
    for method, url, payload, field in cases:
        response = client.request(method, url, json=payload, headers=h)
        assert_refused(response, field, f"{method} {url} {payload}")
    unchanged = client.get(f"/api/v1/tasks/{task['id']}", headers=h).json()
    assert unchanged["deadline"] is None and unchanged["planned_date"] is None


@pytest.mark.parametrize("instant", FAR_INSTANTS)
def test_it_refuses_instants_out_of_range(client: TestClient, alice: Account, instant: str) -> None:
    h = alice.headers
    task = client.post("/api/v1/tasks", json={"title": "t"}, headers=h).json()
    quoted = instant.replace("+", "%2B")
    cases = [
        ("POST", "/api/v1/tasks", {"title": "t", "deadline": instant}, "deadline"),
        ("POST", "/api/v1/tasks", {"title": "t", "earliest_start": instant}, "earliest_start"),
        (
            "PATCH",
            f"/api/v1/tasks/{task['id']}",
            {"earliest_start": instant, "version": 1},
            "earliest_start",
        ),
        (
            "POST",
            "/api/v1/busy-events",
            {"title": "x", "start": instant, "end": "2026-12-01T10:00:00Z"},
            "start",
        ),
        (
            "POST",
            "/api/v1/busy-events",
            {"title": "x", "start": "2026-12-01T09:00:00Z", "end": instant},
            "end",
        ),
        (
            "POST",
            "/api/v1/time-entries",
            {"task_id": task["id"], "start": instant, "end": "2026-11-30T08:00:00Z"},
            "start",
        ),
        ("GET", f"/api/v1/tasks?deadline_before={quoted}", None, "deadline_before"),
        ("GET", f"/api/v1/busy-events?start={quoted}", None, "start"),
        ("GET", f"/api/v1/time-entries?end={quoted}", None, "end"),
        ("GET", f"/api/v1/time-report?start={quoted}", None, "start"),
    ]
    for method, url, payload, field in cases:
        response = client.request(method, url, json=payload, headers=h)
        assert_refused(response, field, f"{method} {url} {payload}")


def test_it_keeps_building_plans_with_deadlines_at_the_ends_of_the_range(
    client: TestClient, alice: Account
) -> None:
    h = alice.headers  # Alice lives in Berlin, whose offsets in far years were odd
    for deadline in (
        "1970-01-01T00:00:00+14:00",
        "1970-01-01",
        "2200-12-31T23:59:59-12:00",
        "2200-12-31",
    ):
        created = client.post(
            "/api/v1/tasks",
            json={"title": f"due {deadline}", "deadline": deadline, "estimate_minutes": 60},
            headers=h,
        )
        assert created.status_code == 201, created.text
    for far in ("0001-01-01", "9999-12-31T23:59:59-12:00"):  # once stored, broke every build
        refused = client.post("/api/v1/tasks", json={"title": "far", "deadline": far}, headers=h)
        assert_refused(refused, "deadline", far)
    built = client.post("/api/v1/plans/2026-11-30", headers=h)
    assert built.status_code == 200, built.text[:300]
    for url in (
        "/api/v1/plans/2026-11-30",
        "/api/v1/tasks",
        "/api/v1/forecast",
        "/api/v1/wrapup/2026-11-30",
    ):
        read = client.get(url, headers=h)
        assert read.status_code == 200, f"{url}: {read.text[:300]}"


CONTROLS = ["\x00", "\x07", "\x1b", "\x7f"]


@pytest.mark.parametrize("char", CONTROLS)
def test_it_refuses_control_characters_in_text_and_searches(
    client: TestClient, alice: Account, char: str
) -> None:
    h = alice.headers
    team = client.post("/api/v1/teams", json={"name": "Backend"}, headers=h).json()
    task = client.post("/api/v1/tasks", json={"title": "kept"}, headers=h).json()
    bad = f"a{char}b"
    cases = [
        ("POST", "/api/v1/tasks", {"title": bad}, "title"),
        ("POST", "/api/v1/tasks", {"title": "t", "notes": bad}, "notes"),
        ("PATCH", f"/api/v1/tasks/{task['id']}", {"title": bad, "version": 1}, "title"),
        ("POST", "/api/v1/projects", {"name": bad}, "name"),
        (
            "POST",
            "/api/v1/busy-events",
            {"title": bad, "start": "2026-12-01T09:00:00Z", "end": "2026-12-01T10:00:00Z"},
            "title",
        ),
        (
            "POST",
            "/api/v1/channels",
            {"kind": "webhook", "name": bad, "target": "https://example.com/h"},
            "name",
        ),
        ("PUT", "/api/v1/reflections/2026-11-30", {"went_well": bad}, "went_well"),
        (
            "POST",
            "/api/v1/forges",
            {"kind": "github", "repo": "acme/api", "token": "t", "labels": [bad]},
            "labels",
        ),
        ("POST", "/api/v1/forges", {"kind": "gitlab", "repo": "a/b", "token": bad}, "token"),
        ("PUT", "/api/v1/reflections/2026-11-30", {"goals": ["fine", bad]}, "goals"),
        (
            "PATCH",
            f"/api/v1/teams/{team['id']}/inbox",
            {"slug": "x", "imap_user": bad},
            "imap_user",
        ),
    ]
    for method, url, payload, field in cases:
        response = client.request(method, url, json=payload, headers=h)
        assert_refused(response, field, f"{method} {url} {payload}")
    for url, field in (
        (f"/api/v1/tasks?q={quote(bad)}", "q"),
        (f"/api/v1/inbox?q={quote(bad)}", "q"),
        (f"/api/v1/projects?name={quote(bad)}", "name"),
    ):
        assert_refused(client.get(url, headers=h), field, url)
    titles = [t["title"] for t in client.get("/api/v1/tasks", headers=h).json()["items"]]
    assert titles == ["kept"]


def test_it_keeps_tabs_and_line_breaks_in_long_text(client: TestClient, alice: Account) -> None:
    notes = "first line\n\tindented\r\nlast"
    created = client.post(
        "/api/v1/tasks", json={"title": "t", "notes": notes}, headers=alice.headers
    )
    assert created.status_code == 201, created.text
    assert created.json()["notes"] == notes
    found = client.get("/api/v1/tasks?q=indented", headers=alice.headers).json()["items"]
    assert [t["id"] for t in found] == [created.json()["id"]]


def test_it_drops_control_characters_from_page_searches(client: TestClient, alice: Account) -> None:
    client.post("/api/v1/tasks", json={"title": "ab"}, headers=alice.headers)
    web_log_in(client, alice.email)
    for path in ("/tasks?q=a%00b", "/inbox?q=a%00b", "/tasks?before=9999-12-31&after=0001-01-01"):
        page = client.get(path)
        assert page.status_code == 200, f"{path}: {page.status_code}"
    assert "use a date such as 2026-12-04" in client.get("/tasks?before=9999-12-31").text


def test_it_answers_a_taken_mailbox_address_with_409(
    client: TestClient, alice: Account, bob: Account
) -> None:
    mine = client.post("/api/v1/teams", json={"name": "A"}, headers=alice.headers).json()
    theirs = client.post("/api/v1/teams", json={"name": "B"}, headers=bob.headers).json()
    first = client.patch(
        f"/api/v1/teams/{mine['id']}/inbox", json={"slug": "help"}, headers=alice.headers
    )
    assert first.status_code == 200, first.text
    for payload in ({"slug": "help"}, {"slug": "HELP "}):  # on creating the setup
        taken = client.patch(
            f"/api/v1/teams/{theirs['id']}/inbox", json=payload, headers=bob.headers
        )
        assert taken.status_code == 409, taken.text
        assert taken.json()["errors"][0]["field"] == "slug"
    client.patch(f"/api/v1/teams/{theirs['id']}/inbox", json={"slug": "b"}, headers=bob.headers)
    changed = client.patch(
        f"/api/v1/teams/{theirs['id']}/inbox",
        json={"slug": "help", "version": 1},
        headers=bob.headers,
    )
    assert changed.status_code == 409, changed.text
    assert changed.json()["errors"][0]["field"] == "slug"


def test_it_answers_a_unique_conflict_no_check_caught_with_409(
    app: FastAPI, client: TestClient, alice: Account
) -> None:
    """Two requests racing past a service's own check: the database's refusal is a 409."""
    team = client.post("/api/v1/teams", json={"name": "A"}, headers=alice.headers).json()
    other = client.post("/api/v1/teams", json={"name": "B"}, headers=alice.headers).json()
    client.patch(f"/api/v1/teams/{team['id']}/inbox", json={"slug": "x"}, headers=alice.headers)

    @app.post("/test/duplicate-slug")
    def duplicate(session: SessionDep) -> None:
        session.add(TeamInbox(team_id=other["id"], slug="x", updated_at=START))
        session.commit()

    @app.post("/test/missing-team")
    def missing(session: SessionDep) -> None:
        session.add(TeamInbox(team_id=2_000_000, slug="y", updated_at=START))
        session.commit()

    response = client.post("/test/duplicate-slug")
    assert response.status_code == 409, response.text
    assert response.json() == {
        "detail": "slug: already taken; choose another",
        "errors": [{"field": "slug", "message": "already taken; choose another"}],
    }
    with pytest.raises(IntegrityError):  # not a unique conflict: still a defect, and a 500
        client.post("/test/missing-team")


@pytest.mark.parametrize("instant", FAR_INSTANTS)
def test_it_refuses_far_instants_in_a_problem_for_the_solver(
    client: TestClient, alice: Account, instant: str
) -> None:
    base: dict[str, Any] = {
        "now": "2026-11-30T10:00:00+01:00",
        "timezone": "Europe/Berlin",
        "horizon_days": 5,
        "working_hours": {"mon": [["10:00", "18:00"]]},
        "tasks": [{"id": "a", "title": "x", "estimate_minutes": 60, "importance": 2}],
    }
    task = {**base["tasks"][0], "deadline": instant}
    for change, field in (
        ({"now": instant}, "now"),
        ({"tasks": [task]}, "tasks[0].deadline"),
        ({"busy": [{"start": instant, "end": "2026-12-01T10:00:00Z"}]}, "busy[0].start"),
    ):
        response = client.post(
            "/api/v1/planner/solve", json={**base, **change}, headers=alice.headers
        )
        assert_refused(response, field, f"{change}")


def test_it_refuses_far_dates_in_web_forms_without_storing_them(
    client: TestClient, alice: Account
) -> None:
    h = alice.headers
    team = client.post("/api/v1/teams", json={"name": "A"}, headers=h).json()
    task = client.post(
        "/api/v1/tasks", json={"title": "t", "planned_date": "2026-11-30"}, headers=h
    ).json()
    web_log_in(client, alice.email)
    token = csrf_from(client.get("/today").text)
    for path in (f"/team/{team['id']}?day=0001-01-01", f"/team/{team['id']}?day=9999-12-31"):
        assert client.get(path).status_code == 422, path
    for path in ("/wrapup/0001-01-01", "/reflect/9999-12-31"):
        assert client.get(path).status_code == 404, path
    for path, form in (
        (f"/team/{team['id']}/leave", {"start": "0001-01-01", "end": "0001-01-02"}),
        (
            "/wrapup/2026-11-30",
            {"task_id": str(task["id"]), "decision": "date", "move_date": "9999-12-31"},
        ),
    ):
        response = client.post(path, data={**form, "csrf_token": token}, follow_redirects=False)
        assert response.status_code == 422, f"{path}: {response.status_code}"
        assert "1970-01-01 to 2200-12-31" in response.text
    assert client.get("/api/v1/leave", headers=h).json() == []
    kept = client.get(f"/api/v1/tasks/{task['id']}", headers=h).json()
    assert kept["planned_date"] == "2026-11-30"


def test_it_drops_control_characters_from_web_forms(
    client: TestClient, alice: Account, bob: Account
) -> None:
    """A public form anyone can post to: a NUL would have been a 500 on PostgreSQL."""
    help_setup(client, alice, bob)
    sent = help_form(client, subject="Reset\x00 fails", message="line one\n\tline\x1b two\x00")
    assert sent.status_code == 303, sent.text
    [item] = inbox(client, bob)
    assert (item["subject"], item["body"]) == ("Reset fails", "line one\n\tline two")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=st.text(min_size=1, max_size=40), search=st.text(max_size=20))
def test_it_stores_any_text_it_accepts_exactly_and_searches_it(
    client: TestClient, alice: Account, title: str, search: str
) -> None:
    created = client.post("/api/v1/tasks", json={"title": title}, headers=alice.headers)
    assert created.status_code in (201, 422), created.text
    if created.status_code == 201:
        task = client.get(f"/api/v1/tasks/{created.json()['id']}", headers=alice.headers)
        assert task.json()["title"] == title.strip()  # as the service keeps titles
    else:
        assert created.json()["errors"][0]["field"] == "title"
    found = client.get("/api/v1/tasks", params={"q": search}, headers=alice.headers)
    assert found.status_code in (200, 422), found.text


def test_it_names_the_field_for_bad_meeting_days_and_invitation_addresses(
    client: TestClient, app: FastAPI, alice: Account
) -> None:
    team = client.post("/api/v1/teams", json={"name": "Days"}, headers=alice.headers).json()
    for days in (["funday"], [], "mon", ["mon", 1], ["mon"] * 8):
        response = client.patch(
            f"/api/v1/teams/{team['id']}", json={"meeting_days": days}, headers=alice.headers
        )
        body = assert_clear_4xx(response, f"meeting_days {days!r}")
        assert body["errors"][0]["field"].split(".")[0] == "meeting_days", (days, body)
    kept = client.get(f"/api/v1/teams/{team['id']}", headers=alice.headers).json()
    assert kept["meeting_days"] == ["mon", "tue", "wed", "thu", "fri"]

    app.state.devday.settings.smtp_url = "smtp://127.0.0.1:9?from=devday@example.com"
    invitations = f"/api/v1/teams/{team['id']}/invitations"
    for address in ("not-an-address", "a@b@c", "x" * 300 + "@example.com", 7):
        response = client.post(invitations, json={"email": address}, headers=alice.headers)
        body = assert_clear_4xx(response, f"email {str(address)[:20]!r}")
        assert body["errors"][0]["field"] == "email", (address, body)


def test_it_names_the_field_for_bad_learning_items_and_feeds(
    client: TestClient, alice: Account
) -> None:
    items = {
        "title": {"kind": "book", "title": HUGE},
        "kind": {"kind": "podcast", "title": "t"},
        "goal_date": {"kind": "book", "title": "t", "goal_date": "9999-12-31"},
        "minutes": {"kind": "talk", "title": "t", "minutes": "an hour"},
        "parts": {"kind": "course", "title": "t", "parts": "lesson one"},
        "url": {"kind": "article", "title": "t", "url": "file:///etc/passwd"},
        "colour": {"kind": "talk", "title": "t", "colour": "red"},
    }
    for field, payload in items.items():
        response = client.post("/api/v1/learning/items", json=payload, headers=alice.headers)
        body = assert_clear_4xx(response, field)
        assert body["errors"][0]["field"].split(".")[0] == field, (field, body)
    for url in ("ftp://example.com/feed", "not a url", "x" * 3000, "http://[::1"):
        response = client.post("/api/v1/feeds", json={"url": url}, headers=alice.headers)
        assert assert_clear_4xx(response, url[:20])["errors"][0]["field"] == "url"
    assert client.get("/api/v1/feeds", headers=alice.headers).json() == []


def test_it_names_the_repeat_field_for_phrases_it_cannot_read(
    client: TestClient, alice: Account
) -> None:
    task = client.post(
        "/api/v1/tasks", json={"title": "t", "repeat": "every day"}, headers=alice.headers
    ).json()
    series_url = f"/api/v1/series/{task['repeat']['series_id']}"
    cases = [
        ("POST", "/api/v1/tasks", {"title": "t", "repeat": "every blue moon"}),
        ("POST", "/api/v1/tasks", {"title": "t", "repeat": "every day\u0000"}),
        ("POST", "/api/v1/tasks", {"title": "t", "repeat": "every " + "1" * 300 + " days"}),
        ("POST", "/api/v1/tasks", {"title": "t", "repeat": 7}),
        (
            "PATCH",
            f"/api/v1/tasks/{task['id']}",
            {"repeat": "every 0 days", "version": task["version"]},
        ),
        ("PATCH", series_url, {"repeat": "whenever", "version": 1}),
        ("PATCH", series_url, {"repeat": None, "version": 1}),
        ("PATCH", series_url, {"repeat": "every year on 31 feb", "version": 1}),
    ]
    for method, url, body in cases:
        response = client.request(method, url, json=body, headers=alice.headers)
        assert response.status_code == 422, (body, response.text)
        assert assert_clear_4xx(response, str(body))["errors"][0]["field"] == "repeat", body
    for url in ("/api/v1/series/abc", "/api/v1/series/0", "/api/v1/series/99999999999999999999"):
        assert_clear_4xx(client.get(url, headers=alice.headers), url)
    assert_clear_4xx(client.get("/api/v1/series?ended=maybe", headers=alice.headers), "ended")
    after = client.get(series_url, headers=alice.headers).json()
    assert after["rule"] == "FREQ=DAILY" and after["version"] == 1
