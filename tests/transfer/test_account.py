"""A user's whole account out (GET /api/v1/export) and into an empty one (POST /api/v1/import)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Account, api_channel, api_task, api_team, api_time_entry, sign_up


def seed(client: TestClient, alex: Account) -> None:
    """An account with a bit of everything a person keeps in devday."""
    h = alex.headers
    project = client.post("/api/v1/projects", json={"name": "Docs"}, headers=h).json()["id"]
    guide = api_task(
        client, alex, "Write the guide", project_id=project, tags=["docs", "writing"],
        importance=3, deadline="2026-12-04T17:00:00+01:00", estimate_minutes=120,
        notes="Start with moving in", kind="docs",
    )  # fmt: skip
    review = api_task(client, alex, "Review it", depends_on=[guide["id"]], estimate_minutes=30)
    done = api_task(client, alex, "Old chore", status="done")
    api_time_entry(
        client, alex, guide["id"], "2026-11-30T08:00:00+00:00", "2026-11-30T09:00:00+00:00"
    )
    api_time_entry(
        client, alex, done["id"], "2026-11-27T13:00:00+00:00", "2026-11-27T13:20:00+00:00"
    )
    routine = client.get("/api/v1/routine", headers=h).json()
    routine["boosts"] = {"tag:docs": 2.0}
    body = {k: routine[k] for k in ("working_hours", "blocks", "kind_windows", "boosts")}
    body["version"] = routine["version"]
    assert client.put("/api/v1/routine", json=body, headers=h).status_code == 200
    busy = {
        "title": "Dentist",
        "start": "2026-12-01T14:00:00+01:00",
        "end": "2026-12-01T15:00:00+01:00",
    }
    assert client.post("/api/v1/busy-events", json=busy, headers=h).status_code == 201
    leave = {"start": "2026-12-21", "end": "2026-12-31", "note": "Holidays"}
    assert client.post("/api/v1/leave", json=leave, headers=h).status_code == 201
    habit = client.put(
        "/api/v1/habits/2026-11-30",
        json={"habit": "Morning routine: exercise, breakfast"},
        headers=h,
    )
    assert habit.status_code == 200, habit.text
    plan = client.post("/api/v1/plans/2026-11-30", headers=h)
    assert plan.status_code == 200, plan.text
    assert plan.json()["blocks"], "the plan places the open tasks"
    reflection = {"went_well": "Guide outline", "energy": 3, "goals": ["Finish the guide"]}
    saved = client.put("/api/v1/reflections/2026-11-30", json=reflection, headers=h)
    assert saved.status_code == 200, saved.text
    api_channel(client, alex, "https://hooks.example.com/alex", name="my hook")
    sam = sign_up(client, "Sam")
    api_team(client, alex, members=[sam])
    ask = {"recipient_id": alex.id, "subject": "Can you look at #231?", "body": "By Thursday"}
    asked = client.post("/api/v1/inbox", json=ask, headers=sam.headers)
    assert asked.status_code == 201, asked.text
    del review


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """The document without what differs by design between two accounts: when and whose."""
    rest = dict(document)
    rest.pop("exported_at")
    rest["profile"] = {k: v for k, v in rest["profile"].items() if k != "email"}
    return rest


def test_it_moves_a_whole_account_into_an_empty_one(client: TestClient) -> None:
    alex = sign_up(client, "Alex")
    seed(client, alex)
    first = client.get("/api/v1/export", headers=alex.headers)
    assert first.status_code == 200
    document = first.json()
    assert (document["format"], document["version"]) == ("devday-export", 1)
    for section in (
        "projects", "tasks", "task_tags", "task_dependencies", "time_entries", "routine",
        "busy_events", "leave", "habit_checks", "day_plans", "plan_blocks", "reflections",
        "channels", "inbox_items", "inbox_events",
    ):  # fmt: skip
        assert document[section], f"the seed made no {section}"
    titles = [task["title"] for task in document["tasks"]]
    assert {"Write the guide", "Review it", "Old chore", "Finish the guide"} <= set(titles)

    robin = sign_up(client, "Robin", timezone="UTC")
    # Robin has changed the routine already: the imported one replaces it.
    kept = client.get("/api/v1/routine", headers=robin.headers).json()
    kept_body = {k: kept[k] for k in ("working_hours", "blocks", "kind_windows", "version")}
    assert client.put("/api/v1/routine", json=kept_body, headers=robin.headers).status_code == 200
    imported = client.post("/api/v1/import", json=document, headers=robin.headers)
    assert imported.status_code == 200, imported.text
    assert imported.json()["tasks"] == len(document["tasks"])
    again = client.get("/api/v1/export", headers=robin.headers).json()
    assert comparable(again) == comparable(document)
    assert again["profile"]["timezone"] == "Europe/Berlin"

    # What came in is Robin's and works as any other data: the task list shows it.
    listed = client.get("/api/v1/tasks", params={"status": "todo"}, headers=robin.headers).json()
    assert "Write the guide" in [task["title"] for task in listed["items"]]
    refused = client.post("/api/v1/import", json=document, headers=robin.headers)
    assert refused.status_code == 409
    assert "already holds" in refused.json()["detail"]
    # Alex's own data is as it was.
    assert comparable(client.get("/api/v1/export", headers=alex.headers).json()) == comparable(
        document
    )


def test_it_names_what_is_wrong_with_a_document(client: TestClient) -> None:
    alex = sign_up(client, "Alex")
    cases = [
        ({"format": "other"}, "format"),
        ({"format": "devday-export", "version": 9}, "version"),
        ({"format": "devday-export", "version": 1, "tasks": [{"ref": 1}]}, "tasks[0].title"),
        (
            {
                "format": "devday-export",
                "version": 1,
                "tasks": [{"ref": 1, "title": "t", "project_id": 4}],
            },
            "tasks[0].project_id",
        ),
        (
            {
                "format": "devday-export",
                "version": 1,
                "tasks": [{"ref": 1, "title": "t", "status": "soon"}],
            },
            "tasks[0].status",
        ),
        (
            {
                "format": "devday-export",
                "version": 1,
                "tasks": [{"ref": 1, "title": "t", "created_at": "x"}],
            },
            "tasks[0].created_at",
        ),
    ]
    for body, field in cases:
        response = client.post("/api/v1/import", json=body, headers=alex.headers)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["errors"][0]["field"] == field, response.text
    assert client.get("/api/v1/export", headers=alex.headers).json()["tasks"] == []
