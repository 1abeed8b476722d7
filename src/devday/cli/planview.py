"""How a day's plan looks in the terminal: its timeline, its risks, and the day a command names.

``devday plan`` (the commands), ``devday today`` and ``devday duty`` show plans through here.
Nothing here imports Typer, so that the everyday reads (``devday.cli.quick``) can use it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from devday.cli import output
from devday.cli.client import CliError
from devday.cli.state import CliState

DAY_HELP = "today (default), tomorrow, a weekday such as fri, or a date such as 2026-12-01."
DASH = "\u2013"  # the en dash of a time range, "10:30\u201312:30"


def day_of(cli: CliState, text: str) -> date:
    """``text`` as a day in the caller's timezone; a time of day is refused."""
    value = cli.when(text, "DAY")
    if isinstance(value, datetime):
        raise CliError(f"DAY: {text!r} is a time; give a day: {DAY_HELP}")
    return value


def path(day: date) -> str:
    return f"/api/v1/plans/{day.isoformat()}"


def stored(cli: CliState, day: date, typed: str) -> dict[str, Any]:
    """The stored plan for ``day``, or a CliError that says how to build it."""
    try:
        plan: dict[str, Any] = cli.client().get(path(day))
    except CliError as exc:
        if str(exc).startswith("no plan for"):
            raise CliError(
                f"no plan for {day:%a %d %b %Y} yet; build it with 'devday plan {typed}'"
            ) from None
        raise
    return plan


def print_plan(plan: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        output.raw_json(plan)
        return
    zone = ZoneInfo(plan["timezone"])
    day = date.fromisoformat(plan["date"])
    todays = [b for b in plan["blocks"] if local(b["start"], zone).date() == day]
    output.timeline(
        f"{day:%a %d %b %Y} ({plan['timezone']}), plan version {plan['version']}, "
        + changed_note(plan, zone),
        [row for _key, row in sorted(timeline_rows(plan, todays, zone, day))],
    )
    later = sum(1 for b in plan["blocks"] if local(b["start"], zone).date() > day)
    if not todays:
        output.line("  no work planned on this day")
    if later:
        output.line(f"  and {later} more blocks on the next days of the plan")
    risks(plan, zone)


Row = tuple[str, str, str, bool]


def changed_note(plan: dict[str, Any], zone: ZoneInfo) -> str:
    """When the plan last changed and why: "re-planned at 14:02: 'Fix checkout' added"."""
    reason = plan.get("change_reason") or "built"
    if reason == "built" or not plan.get("changed_at"):
        return f"built at {local(plan['built_at'], zone):%H:%M}"
    return f"re-planned at {local(plan['changed_at'], zone):%H:%M}: {reason}"


def timeline_rows(
    plan: dict[str, Any],
    blocks: list[dict[str, Any]],
    zone: ZoneInfo,
    day: date,
) -> list[tuple[tuple[datetime, datetime, int], Row]]:
    """The day's items keyed by start, end, then routine before busy before work; each block
    with its task's priority label, as the plan names it."""
    rows: list[tuple[tuple[datetime, datetime, int], Row]] = []
    for slot in plan["routine"]:
        note = "(personal)" if slot["personal"] else ""
        rows.append(
            (_key(slot, 0), (span(slot, zone, day), str(slot["title"]), note, True)),
        )
    for event in plan["busy"]:
        rows.append(
            (_key(event, 1), (span(event, zone, day), str(event["title"]), "(busy)", False))
        )
    changed = plan.get("changed_at")
    for block in blocks:
        marks = ["block " + str(block["id"])]
        marks += [mark for mark in ("pinned", "done") if block[mark]]
        if (
            changed
            and not block["done"]
            and block["end"]
            and _key(block, 2)[1] <= _instant(changed)
        ):
            marks.append("passed")  # its time went by before the plan last changed
        what = f"#{block['task_id']} {block.get('priority', '')} {block['title']}"
        note = f"[{block['kind']}]  ({', '.join(marks)})"
        rows.append(
            (_key(block, 2), (span(block, zone, day), " ".join(what.split()), note, block["done"]))
        )
    return rows


def _key(item: dict[str, Any], order: int) -> tuple[datetime, datetime, int]:
    return (datetime.fromisoformat(item["start"]), datetime.fromisoformat(item["end"]), order)


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def local(value: str, zone: ZoneInfo) -> datetime:
    return datetime.fromisoformat(value).astimezone(zone)


def span(item: dict[str, Any], zone: ZoneInfo, day: date) -> str:
    """Start to end, such as 10:30 to 12:30; an end on another day than ``day`` shows its day."""
    start, end = local(item["start"], zone), local(item["end"], zone)
    return f"{short_time(start, day)}{DASH}{short_time(end, day)}"


def short_time(value: datetime, day: date) -> str:
    return value.strftime("%H:%M") if value.date() == day else value.strftime("%a %d %b %H:%M")


def risks(plan: dict[str, Any], zone: ZoneInfo) -> None:
    tz = str(zone.key)
    late = [x for x in plan["late"] if x["finish"] is not None]
    deadlines = {x["task_id"]: x["deadline"] for x in plan["late"]}
    if late:
        output.heading("late:")
        output.explained_all(
            (_due(item, tz, f"finishes {output.when(item['finish'], tz)}"), str(item["reason"]))
            for item in late
        )
    if plan["unscheduled"]:
        output.heading("unscheduled:")
        unscheduled = []
        for item in plan["unscheduled"]:
            due = deadlines.get(item["task_id"])
            head = task_label(item) + (f": due {output.when(due, tz)}" if due else "")
            unscheduled.append((head, str(item["reason"])))
        output.explained_all(unscheduled)
    late_ids = {x["task_id"] for x in plan["late"]}
    shaky = [c for c in plan.get("chances", []) if c["on_time_probability"] < 0.8]
    shaky = [c for c in shaky if c["task_id"] not in late_ids]
    if shaky:
        output.heading("likely to slip (below 80% on time):")
        output.explained_all(
            (_due(item, tz, f"{chance(item['on_time_probability'])} on time"), str(item["hint"]))
            for item in shaky
        )
    if plan.get("deferred"):
        output.heading("goals moved back:")
        output.explained_all((task_label(item), str(item["reason"])) for item in plan["deferred"])
    if not late and not plan["unscheduled"] and not shaky:
        output.line("no risks: every task is planned before its deadline")
    line = f"missed-deadline weight: {plan['missed_deadline_weight']}"
    if plan["weighted_tardiness_minutes"]:
        line += f" (weighted tardiness {plan['weighted_tardiness_minutes']} min)"
    output.line(line)


def _due(item: dict[str, Any], tz: str, then: str) -> str:
    """``#7 P2 Title: due Fri 04 Dec 17:00, <then>``."""
    return f"{task_label(item)}: due {output.when(item['deadline'], tz)}, {then}"


def chance(probability: float) -> str:
    """0.624 as "62%"; never 0% or 100% for a chance that is not certain."""
    percent = round(probability * 100)
    if 0 < probability < 0.01:
        return "<1%"
    if 0.99 < probability < 1:
        return ">99%"
    return f"{percent}%"


def task_label(item: dict[str, Any]) -> str:
    """``#7 P2 Title``: the task's id, the priority label the plan names ("" for a task deleted
    since) and its title."""
    label = item.get("priority")
    return f"#{item['task_id']} {label + ' ' if label else ''}{item['title']}"
