"""Random days of events through the API (a Hypothesis state machine), with the live plan's
invariants checked after every step (tests/planning/live_support.py): no overlapping blocks;
every open task with a deadline in the horizon in a block, late or unscheduled; nothing left
of finished or dropped tasks ahead; each task's blocks ahead add up to its work left; two
reads give the same plan."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine, text

from devday.clock import MockClock
from tests.conftest import START
from tests.factories import Account
from tests.planning.live_support import at, check_plans, task

BERLIN = ZoneInfo("Europe/Berlin")


#: What one random day leaves behind, emptied before the next (the account stays).
DAY_TABLES = ("plan_block", "day_plan", "time_entry", "busy_event", "task_dependency", "task_tag")


def test_it_keeps_every_plan_true_through_random_days(
    client: TestClient, engine: Engine, clock: MockClock, alice: Account
) -> None:
    class LiveDay(RuleBasedStateMachine):
        tasks = Bundle("tasks")

        def __init__(self) -> None:
            super().__init__()
            with engine.begin() as conn:
                for table in (*DAY_TABLES, "task"):
                    conn.execute(text(f"DELETE FROM {table}"))
            clock.set(START)
            self.me = alice
            self.log_cursor = START - timedelta(hours=2)  # manual entries go back from here

        def today(self) -> date:
            return clock.now().astimezone(BERLIN).date()

        @initialize()
        def build(self) -> None:
            built = client.post(f"/api/v1/plans/{self.today()}", headers=self.me.headers)
            assert built.status_code == 200, built.text

        @rule(
            target=tasks,
            importance=st.integers(1, 4),
            estimate=st.sampled_from([15, 30, 45, 60, 90, 120, 240]),
            due_in_hours=st.none() | st.integers(1, 80),
            splittable=st.booleans(),
        )
        def add(
            self, importance: int, estimate: int, due_in_hours: int | None, splittable: bool
        ) -> int:
            body: dict[str, Any] = {
                "title": f"task {importance}-{estimate}-{due_in_hours}",
                "importance": importance,
                "estimate_minutes": estimate,
                "splittable": splittable,
            }
            if due_in_hours is not None:
                body["deadline"] = (clock.now() + timedelta(hours=due_in_hours)).isoformat()
            made = client.post("/api/v1/tasks", json=body, headers=self.me.headers)
            assert made.status_code == 201, made.text
            return int(made.json()["id"])

        @rule(task_id=consumes(tasks), status=st.sampled_from(["done", "dropped"]))
        def finish(self, task_id: int, status: str) -> None:
            current = task(client, self.me, task_id)
            changed = client.patch(
                f"/api/v1/tasks/{task_id}",
                json={"status": status, "version": current["version"]},
                headers=self.me.headers,
            )
            assert changed.status_code == 200, changed.text

        @rule(task_id=consumes(tasks))
        def delete(self, task_id: int) -> None:
            gone = client.delete(f"/api/v1/tasks/{task_id}", headers=self.me.headers)
            assert gone.status_code == 204, gone.text

        @rule(task_id=tasks, estimate=st.sampled_from([15, 60, 180]))
        def re_estimate(self, task_id: int, estimate: int) -> None:
            current = task(client, self.me, task_id)
            if current["status"] not in ("todo", "doing"):
                return
            changed = client.patch(
                f"/api/v1/tasks/{task_id}",
                json={"estimate_minutes": estimate, "version": current["version"]},
                headers=self.me.headers,
            )
            assert changed.status_code == 200, changed.text

        @rule(task_id=tasks)
        def start_timer(self, task_id: int) -> None:
            started = client.post(
                "/api/v1/timer/start", json={"task_id": task_id}, headers=self.me.headers
            )
            assert started.status_code == 200, started.text

        @rule()
        def stop_timer(self) -> None:
            running = client.get("/api/v1/timer", headers=self.me.headers).json()["running"]
            stopped = client.post("/api/v1/timer/stop", headers=self.me.headers)
            assert stopped.status_code == (200 if running else 422), stopped.text

        @rule(task_id=tasks, minutes=st.sampled_from([10, 25, 60, 150]))
        def log(self, task_id: int, minutes: int) -> None:
            start = self.log_cursor - timedelta(minutes=minutes)
            logged = client.post(
                "/api/v1/time-entries",
                json={
                    "task_id": task_id,
                    "start": start.isoformat(),
                    "end": self.log_cursor.isoformat(),
                },
                headers=self.me.headers,
            )
            assert logged.status_code == 201, logged.text
            self.log_cursor = start

        @rule(in_hours=st.integers(0, 30), length=st.sampled_from([30, 60, 120]))
        def busy(self, in_hours: int, length: int) -> None:
            start = clock.now() + timedelta(hours=in_hours)
            added = client.post(
                "/api/v1/busy-events",
                json={
                    "title": "Meeting",
                    "start": start.isoformat(),
                    "end": (start + timedelta(minutes=length)).isoformat(),
                },
                headers=self.me.headers,
            )
            assert added.status_code == 201, added.text

        @rule(minutes=st.sampled_from([7, 30, 95, 240]))
        def wait(self, minutes: int) -> None:
            clock.advance(timedelta(minutes=minutes))
            if self.today() != START.astimezone(BERLIN).date():
                # A new day: its morning plan, as the ritual would build it.
                built = client.post(f"/api/v1/plans/{self.today()}", headers=self.me.headers)
                assert built.status_code in (200, 422), built.text

        @rule()
        def finish_the_block_under_way(self) -> None:
            plan = client.get(f"/api/v1/plans/{self.today()}", headers=self.me.headers)
            if plan.status_code != 200:
                return
            now = clock.now()
            running = [
                b
                for b in plan.json()["blocks"]
                if at(b["start"]) < now < at(b["end"]) and not b["done"]
            ]
            if not running:
                return
            done = client.patch(
                f"/api/v1/plans/{self.today()}/blocks/{running[0]['id']}",
                json={"done": True},
                headers={**self.me.headers, "If-Match": f'"{plan.json()["version"]}"'},
            )
            assert done.status_code == 200, done.text

        @rule()
        def replan(self) -> None:
            plan = client.get(f"/api/v1/plans/{self.today()}", headers=self.me.headers)
            if plan.status_code != 200:
                return
            again = client.post(
                f"/api/v1/plans/{self.today()}/replan",
                headers={**self.me.headers, "If-Match": f'"{plan.json()["version"]}"'},
            )
            assert again.status_code == 200, again.text

        @invariant()
        def plans_hold(self) -> None:
            today = self.today()
            check_plans(client, self.me, clock, [today, today + timedelta(days=1)])

    run_state_machine_as_test(
        LiveDay,
        settings=settings(
            max_examples=12,
            stateful_step_count=18,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
            derandomize=True,
        ),
    )
