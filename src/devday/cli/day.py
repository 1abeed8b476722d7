"""devday today, habit, wrapup and reflect: the morning review and the end of the day.

Days are read as ``devday plan`` reads them (today, fri, 2026-12-01) in the caller's timezone;
times are shown in that timezone too.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

from devday.cli import output, plan, planview, reads
from devday.cli.client import CliError
from devday.cli.state import CliState, state

habit_app = typer.Typer(
    help="Your personal routine items (habits): tick them off, see the streaks.",
    no_args_is_help=True,
)

Day = plan.Day
AsJson = Annotated[bool, typer.Option("--json", help="Print the API's JSON.")]
HabitName = Annotated[
    str, typer.Argument(metavar="NAME", help="The habit, or the start of its name: morning.")
]
ARROW = "\u2192"
DECISION_WORDS = ("tomorrow", "backlog", "drop")
DECIDE_HELP = "ID=tomorrow, ID=backlog, ID=drop or ID=YYYY-MM-DD"
ENERGY = {1: "low", 2: "ok", 3: "high"}


# --- the morning review ------------------------------------------------------------------------


def today(ctx: typer.Context, as_json: AsJson = False) -> None:
    """The morning review: what is due, what is at risk, yesterday's goals, the plan, habits."""
    reads.today(state(ctx), as_json=as_json)


# --- habits ------------------------------------------------------------------------------------


@habit_app.command("list")
def habit_list(ctx: typer.Context, day: Day = "today") -> None:
    """Your habits on DAY (default today), ticked or not, with their streaks."""
    cli = state(ctx)
    the_day = planview.day_of(cli, day)
    reads.habits(cli.client().get(_habits_path(the_day))["habits"], empty=the_day)


@habit_app.command("tick")
def tick(ctx: typer.Context, name: HabitName, day: Day = "today") -> None:
    """Tick a habit off for DAY (default today)."""
    _check(state(ctx), name, day, done=True)


@habit_app.command("untick")
def untick(ctx: typer.Context, name: HabitName, day: Day = "today") -> None:
    """Take back a tick."""
    _check(state(ctx), name, day, done=False)


def _habits_path(day: date) -> str:
    return f"/api/v1/habits/{day.isoformat()}"


def _check(cli: CliState, name: str, day: str, *, done: bool) -> None:
    the_day = planview.day_of(cli, day)
    client = cli.client()
    habit = _habit(client.get(_habits_path(the_day))["habits"], name, the_day)
    body = {"habit": habit, "done": done}
    answer = client.request("PUT", _habits_path(the_day), body=body)
    output.line(f"{'ticked' if done else 'unticked'} {habit} on {the_day:%a %d %b}")
    reads.habits(answer["habits"])


def _habit(habits: list[dict[str, Any]], name: str, day: date) -> str:
    """The title of the habit ``name`` names: the whole title or a unique start, any case."""
    titles = [str(h["habit"]) for h in habits]
    wanted = " ".join(name.split()).lower()
    found = [t for t in titles if t.lower() == wanted] or [
        t for t in titles if wanted and t.lower().startswith(wanted)
    ]
    if len(found) == 1:
        return found[0]
    if found:
        raise CliError(f"{name!r} could be {_or(found)}; type more of the name")
    if not titles:
        raise CliError(f"you have no habits on {day:%a %d %b}")
    raise CliError(f"no habit {name!r} on {day:%a %d %b}; yours: {_or(titles)}")


def _or(titles: list[str]) -> str:
    quoted = [repr(t) for t in titles]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


# --- the wrap-up -------------------------------------------------------------------------------


def wrapup(
    ctx: typer.Context,
    day: Day = "today",
    close: Annotated[
        bool, typer.Option("--close", help="Close the day and send the end-of-day report.")
    ] = False,
    decide: Annotated[
        list[str] | None,
        typer.Option(
            metavar="ID=DECISION",
            help=f"With --close, what becomes of a pending task: {DECIDE_HELP}; "
            "repeat for more. Default: tomorrow.",
        ),
    ] = None,
    blockers: Annotated[
        str | None, typer.Option(help="With --close, what blocks you, for the report.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """The end of DAY (default today): done, in progress, pending; --close closes it."""
    cli = state(ctx)
    the_day = planview.day_of(cli, day)
    path = f"/api/v1/wrapup/{the_day.isoformat()}"
    client = cli.client()
    if not close:
        if decide or blockers is not None:
            raise CliError("--decide and --blockers go with --close")
        view = client.get(path)
        if as_json:
            output.raw_json(view)
        else:
            _print_wrapup(view, cli.timezone())
        return
    body = {"decisions": [_decision(text) for text in decide or []], "blockers": blockers or ""}
    closed = client.post(path, body)
    if as_json:
        output.raw_json(closed)
        return
    output.markdown(str(closed["report_markdown"]))
    output.line(f"report sent to {output.plural(int(closed['sent_to']), 'channel')}")


def _task(item: dict[str, Any]) -> tuple[str, str]:
    return f"#{item['task_id']}", str(item["title"])


def _spent(item: dict[str, Any]) -> str:
    return output.spent(int(item["minutes"])) if item["minutes"] else ""


def _decision(text: str) -> dict[str, Any]:
    """``ID=word`` as the API's decision; the words are checked here, the ids by the API."""
    ref, sep, word = text.partition("=")
    ref, word = ref.strip().removeprefix("#"), word.strip().lower()
    wrong = CliError(f"--decide: write {DECIDE_HELP}, not {text!r}")
    if not sep or not ref.isdigit():
        raise wrong
    if word in DECISION_WORDS:
        return {"task_id": int(ref), "decision": word}
    try:
        when = date.fromisoformat(word)
    except ValueError:
        raise wrong from None
    return {"task_id": int(ref), "decision": "date", "date": when.isoformat()}


def _print_wrapup(view: dict[str, Any], tz: str) -> None:
    day = date.fromisoformat(view["date"])
    if view["closed"]:
        output.heading(f"Wrap-up of {day:%a %d %b %Y}: closed")
        output.markdown(str(view["report_markdown"] or ""))
        return
    output.heading(f"Wrap-up of {day:%a %d %b %Y}: open")
    next_day = date.fromisoformat(view["next_day"])
    decision = f"{ARROW} tomorrow ({next_day:%a %d %b})"
    # Closing decides for tasks in progress too (tomorrow by default), so both show it.
    sections: list[tuple[str, list[tuple[str, ...]]]] = [
        ("Done", [(*_task(i), _spent(i)) for i in view["done"]]),
        ("In progress", [(*_task(i), _spent(i), decision) for i in view["in_progress"]]),
        ("Pending", [(*_task(i), decision) for i in view["pending"]]),
    ]
    for title, rows in sections:
        output.heading(f"{title}:")
        output.aligned(rows, cut=1)
        if not rows:
            output.line("  nothing")
    output.heading("Time by kind:")
    by_kind: dict[str, int] = view["time_by_kind"]
    rows = [(kind, output.spent(minutes)) for kind, minutes in by_kind.items()]
    output.aligned([*rows, ("total", output.spent(sum(by_kind.values())))])
    output.line(
        f"close it with 'devday wrapup {day.isoformat()} --close' "
        f"(--decide {DECIDE_HELP}, --blockers TEXT)"
    )


# --- the reflection ----------------------------------------------------------------------------


def _goal(text: str) -> dict[str, Any]:
    from devday.quickadd import parse_goal

    try:
        parsed = parse_goal(text)
    except ValueError as exc:
        raise CliError(f"--goal: {exc}") from None
    goal: dict[str, Any] = {"title": parsed.title}
    if parsed.estimate_minutes is not None:
        goal["estimate_minutes"] = parsed.estimate_minutes
    if parsed.kind is not None:
        goal["kind"] = parsed.kind
    return goal


def reflect(
    ctx: typer.Context,
    day: Day = "today",
    went_well: Annotated[str | None, typer.Option(help="What went well.")] = None,
    improve: Annotated[str | None, typer.Option(help="What to do better.")] = None,
    energy: Annotated[
        int | None, typer.Option(min=1, max=3, help="Your energy: 1 low, 2 ok, 3 high.")
    ] = None,
    note: Annotated[str | None, typer.Option(help="Anything else.")] = None,
    goal: Annotated[
        list[str] | None,
        typer.Option(
            help="A goal for the next working day, that day's first work, in order; with its "
            'time and kind at the end: "Write the docs 1h kind:docs" (default 30m, other). '
            "Repeat for more; replaces the goals saved before."
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """The evening reflection of DAY (default today); with options, save them first."""
    cli = state(ctx)
    the_day = planview.day_of(cli, day)
    path = f"/api/v1/reflections/{the_day.isoformat()}"
    client = cli.client()
    current: dict[str, Any] = client.get(path)
    given = {"went_well": went_well, "improve": improve, "energy": energy, "note": note}
    changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    if goal is not None:
        changes["goals"] = [_goal(text) for text in goal]
    if not changes:
        if as_json:
            output.raw_json(current)
        else:
            _print_reflection(current)
        return
    body = {
        "went_well": current["went_well"],
        "improve": current["improve"],
        "energy": current["energy"],
        "note": current["note"],
        "goals": [
            {
                "title": g["title"],
                "estimate_minutes": g["estimate_minutes"] or 30,
                "kind": g["kind"],
            }
            for g in current["goals"]
        ],
        **changes,
    }
    # The version read above: saving over someone's newer change is refused, not lost.
    saved: dict[str, Any] = client.request(
        "PUT", path, body=body, headers={"If-Match": f'"{current["version"]}"'}
    )
    if as_json:
        output.raw_json(saved)
        return
    before = {g["id"] for g in current["goals"]}
    for each in saved["goals"]:
        if each["id"] not in before:
            planned = _planned(each, saved)
            output.line(f"goal {ARROW} task #{each['id']}, planned {planned}: {each['title']}")
    _print_reflection(saved)


def _planned(goal: dict[str, Any], reflection: dict[str, Any]) -> str:
    when = date.fromisoformat(goal["planned_date"] or reflection["goal_date"])
    return f"{when:%a %d %b}"


def _print_reflection(view: dict[str, Any]) -> None:
    day = date.fromisoformat(view["date"])
    version = int(view["version"])
    saved = f"version {version}" if version else "not written yet"
    output.heading(f"Reflection on {day:%a %d %b %Y} ({saved})")
    output.heading("Achievements:")
    done = view["achievements"]
    output.aligned([(f"#{t['id']}", t["priority"], t["title"]) for t in done], cut=2)
    if not done:
        output.line("  nothing finished")
    energy = view["energy"]
    output.fields(
        [
            ("went well", view["went_well"] or "-"),
            ("improve", view["improve"] or "-"),
            ("energy", f"{energy} ({ENERGY.get(int(energy), '?')})" if energy else "-"),
            ("note", view["note"] or "-"),
        ]
    )
    goal_date = date.fromisoformat(view["goal_date"])
    output.heading(f"Goals for {goal_date:%a %d %b}:")
    goals = view["goals"]
    output.aligned(
        [
            (f"#{g['id']}", g["priority"], g["title"], f"planned {_planned(g, view)}", g["status"])
            for g in goals
        ],
        cut=2,
    )
    if not goals:
        output.line("  none; add one with --goal TEXT")
