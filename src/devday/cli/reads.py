"""The everyday reads: what ``devday task list``, ``duty``, ``plan show`` and ``today`` do.

Each takes the invocation's ``CliState`` and the options as typed. The Typer commands in
``task``, ``duty``, ``plan`` and ``day`` call them, and so does ``devday.cli.quick``, which runs
them without importing Typer; so nothing here imports Typer either.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from devday.cli import lookup, output, planview
from devday.cli.client import CliError
from devday.cli.state import CliState

TICK, CROSS = "\u2713", "\u2717"

#: The most the API answers a page: a list of 1,000 open tasks is one request.
TASKS_A_PAGE = 1000


# --- devday task list --------------------------------------------------------------------------


def task_list(
    cli: CliState,
    *,
    status: list[str] | None = None,
    project: str | None = None,
    tag: str | None = None,
    before: str | None = None,
    after: str | None = None,
    planned: str | None = None,
    search: str | None = None,
    all_: bool = False,
    as_json: bool = False,
) -> None:
    client = cli.client()
    params: dict[str, Any] = {"limit": TASKS_A_PAGE}
    if status:
        params["status"] = ",".join(status)
    elif not all_:
        params["status"] = "open"
    if project is not None:
        params["project_id"] = lookup.project_id(client, project)
    if tag is not None:
        params["tag"] = tag.strip().lstrip("#").lower()
    if before is not None:
        params["deadline_before"] = _window_start(cli, before, "--before", next_day=True)
    if after is not None:
        params["deadline_after"] = _window_start(cli, after, "--after", next_day=False)
    if planned is not None:
        params["planned_date"] = planned_day(cli, planned).isoformat()
    if search is not None:
        params["q"] = search
    tasks: list[dict[str, Any]] = []
    offset: int | None = 0
    while offset is not None:
        page = client.get("/api/v1/tasks", params={**params, "offset": offset})
        tasks.extend(page["items"])
        offset = page["next_offset"]
    tasks.sort(key=_order)
    if as_json:
        output.raw_json(tasks)
        return
    names = lookup.project_names(client) if any(t["project_id"] for t in tasks) else {}
    output.tasks_table(tasks, names, cli.timezone())


def planned_day(cli: CliState, text: str) -> date:
    """``--planned``: a day in the caller's timezone (a time given means its day)."""
    value = cli.when(text, "--planned")
    if isinstance(value, datetime):
        return value.astimezone(ZoneInfo(cli.timezone())).date()
    return value


def _window_start(cli: CliState, text: str, option: str, *, next_day: bool) -> str:
    """An instant for a deadline filter; a date means the start of that day (or the next)."""
    value = cli.when(text, option)
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value + timedelta(days=1) if next_day else value
        value = datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(cli.timezone()))
    return value.isoformat()


def _order(task: dict[str, Any]) -> tuple[datetime, int, int]:
    """Deadline (none last), then importance (highest first), then id: as the API orders."""
    deadline = task["deadline"]
    when = datetime.fromisoformat(deadline) if deadline else datetime.max.replace(tzinfo=UTC)
    return (when, -int(task["importance"]), int(task["id"]))


# --- devday duty -------------------------------------------------------------------------------


def duty(cli: CliState, *, limit: int | None = None, as_json: bool = False) -> None:
    answer = cli.client().get("/api/v1/duty-list")
    items = answer["items"][:limit] if limit is not None else answer["items"]
    if as_json:
        output.raw_json({**answer, "items": items})
        return
    tz = cli.timezone()
    for item in items:
        extra = []
        if item.get("planned_at"):
            extra.append(f"next in today's plan at {output.when(item['planned_at'], tz)}")
        if item.get("on_time_probability") is not None:
            extra.append(f"{planview.chance(item['on_time_probability'])} chance of being on time")
        if extra:
            item["terms"] = [*item["terms"], {"explanation": "; ".join(extra)}]
    output.duty_table(items, tz)
    if answer.get("note"):
        output.line(answer["note"])


# --- devday plan show --------------------------------------------------------------------------


def plan_show(
    cli: CliState, *, day: str = "today", keep: bool = False, as_json: bool = False
) -> None:
    the_day = planview.day_of(cli, day)
    try:
        plan = planview.stored(cli, the_day, day)
    except CliError as exc:
        if keep or not str(exc).startswith("no plan for"):
            raise
        plan = cli.client().request("POST", planview.path(the_day))
    planview.print_plan(plan, as_json=as_json)


# --- devday today ------------------------------------------------------------------------------


def today(cli: CliState, *, as_json: bool = False) -> None:
    client = cli.client()
    view: dict[str, Any] = client.get("/api/v1/today")
    if as_json:
        output.raw_json(view)
        return
    tz, day = str(view["timezone"]), date.fromisoformat(view["date"])
    output.heading(f"{day:%a %d %b %Y} ({tz})")

    output.heading("Due or overdue:")
    now = cli.now()
    output.aligned(
        [
            (
                f"#{t['id']}",
                t["priority"],
                t["title"],
                f"due {output.when(t['deadline'], tz)}",
                "overdue" if datetime.fromisoformat(t["deadline"]) < now else "",
            )
            for t in view["due"]
        ],
        cut=2,
    )
    if not view["due"]:
        output.line("  nothing")

    today_plan: dict[str, Any] | None = view["plan"]
    if view["at_risk"]:
        output.heading("At risk in today's plan:")
        risks = []
        for item in view["at_risk"]:
            label = item.get("priority", "")
            head = " ".join(f"#{item['task_id']} {label} {item['title']}".split())
            finish = item["finish"]
            head += f": due {output.when(item['deadline'], tz)}, " + (
                f"finishes {output.when(finish, tz)}" if finish else "not planned"
            )
            risks.append((head, str(item["reason"])))
        output.explained_all(risks)

    yesterday = date.fromisoformat(view["yesterday"])
    output.heading(f"Yesterday's goals ({yesterday:%a %d %b}):")
    goals = view["yesterday_goals"]
    output.aligned([(f"#{g['id']}", g["priority"], g["title"], g["status"]) for g in goals], cut=2)
    if not goals:
        output.line("  none")

    if today_plan is None:
        output.heading("Plan:")
        output.line("  no plan yet: run 'devday plan'")
    else:
        _timeline(today_plan, day)

    output.heading("Habits:")
    habits(view["habits"], empty=day)

    if view["unclosed_day"]:
        unclosed = date.fromisoformat(view["unclosed_day"])
        output.line(
            f"{unclosed:%a %d %b} was not wrapped up: run 'devday wrapup {unclosed.isoformat()}'"
        )


def _timeline(the_plan: dict[str, Any], day: date) -> None:
    """Today's part of the plan as ``devday plan`` shows it, without its risks."""
    zone = ZoneInfo(the_plan["timezone"])
    todays = [b for b in the_plan["blocks"] if planview.local(b["start"], zone).date() == day]
    # planview owns how a plan's rows look; reusing its row builder keeps the two views alike.
    rows = planview.timeline_rows(the_plan, todays, zone, day)
    note = planview.changed_note(the_plan, zone)
    output.timeline(
        f"Plan (version {the_plan['version']}, {note}):", [row for _key, row in sorted(rows)]
    )
    if not todays:
        output.line("  no work planned today")


def habits(rows_of: list[dict[str, Any]], *, empty: date | None = None) -> None:
    """Habits ticked or not, with their streaks (``today`` and ``devday habit``)."""
    rows = [
        (TICK if h["done"] else CROSS, str(h["habit"]), output.plural(int(h["streak"]), "day"))
        for h in rows_of
    ]
    output.aligned(rows, cut=1)
    if not rows:
        output.line(f"  no habits on {empty:%a %d %b}" if empty else "  none")
