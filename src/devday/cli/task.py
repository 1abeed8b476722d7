"""devday task: add, list, show, edit, done, drop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

import typer

from devday.cli import lookup, output, reads
from devday.cli.client import CliError
from devday.cli.state import CliState, state
from devday.dateparse import WHEN_HELP
from devday.importance import from_rank

app = typer.Typer(help="Add, list, show and change tasks.", no_args_is_help=True)

NONE = "none"  # what `task edit` takes to clear an optional field
Deadline = Annotated[str | None, typer.Option("--deadline", "-d", help=f"When: {WHEN_HELP}.")]
Importance = Annotated[
    str | None, typer.Option("--importance", "-i", help="1 (low) to 4 (critical), or P1-P4.")
]
Estimate = Annotated[str | None, typer.Option("--estimate", "-e", help="90m, 1h30, 2h, 1.5h.")]
Project = Annotated[str | None, typer.Option("--project", "-p", help="Project name or id.")]
Tags = Annotated[list[str] | None, typer.Option("--tag", "-t", help="A tag; repeat for more.")]
Kind = Annotated[str | None, typer.Option(help="coding, testing, docs, meeting, review ...")]
Planned = Annotated[str | None, typer.Option(help="The day you mean to work on it.")]
Notes = Annotated[str | None, typer.Option(help="Notes, in Markdown.")]
DependsOn = Annotated[
    list[int] | None, typer.Option("--depends-on", help="A task that must be done first.")
]
Assignee = Annotated[str | None, typer.Option(help="Email of the person who does it.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the API's JSON.")]


@dataclass
class Given:
    """The task options as typed; None means not given."""

    deadline: str | None = None
    importance: str | None = None
    estimate: str | None = None
    project: str | None = None
    tags: list[str] | None = None
    kind: str | None = None
    planned: str | None = None
    notes: str | None = None
    depends_on: list[int] | None = None
    assignee: str | None = None
    splittable: bool | None = None
    title: str | None = None


def parse_importance(text: str) -> int:
    """1-4 as the API counts (4 critical), or P1-P4 as Todoist shows it (P1 critical)."""
    raw = text.strip().lower()
    if raw in ("1", "2", "3", "4"):
        return int(raw)
    if raw in ("p1", "p2", "p3", "p4"):
        return from_rank(int(raw[1]))
    raise CliError(f"--importance: use 1-4 (4 is critical) or P1-P4 (P1 is critical), not {text!r}")


def _clears(value: str | None, editing: bool) -> bool:
    return editing and value is not None and value.strip().lower() == NONE


def body_of(cli: CliState, given: Given, *, editing: bool) -> dict[str, Any]:
    """The API fields for ``given``; with ``editing``, "none" clears an optional field."""
    from devday.dateparse import parse_duration

    client = cli.client()
    body: dict[str, Any] = {}
    if given.title is not None:
        body["title"] = given.title
    if given.deadline is not None:
        body["deadline"] = (
            None
            if _clears(given.deadline, editing)
            else _iso(cli.when(given.deadline, "--deadline"))
        )
    if given.importance is not None:
        body["importance"] = parse_importance(given.importance)
    if given.estimate is not None:
        if _clears(given.estimate, editing):
            body["estimate_minutes"] = None
        else:
            try:
                body["estimate_minutes"] = parse_duration(given.estimate)
            except ValueError as exc:
                raise CliError(f"--estimate: {exc}") from None
    if given.project is not None:
        body["project_id"] = (
            None if _clears(given.project, editing) else lookup.project_id(client, given.project)
        )
    if given.tags is not None:
        body["tags"] = given.tags
    if given.kind is not None:
        body["kind"] = given.kind.strip().lower()
    if given.planned is not None:
        body["planned_date"] = (
            None
            if _clears(given.planned, editing)
            else reads.planned_day(cli, given.planned).isoformat()
        )
    if given.notes is not None:
        body["notes"] = given.notes
    if given.depends_on is not None:
        body["depends_on"] = given.depends_on
    if given.assignee is not None:
        body["assignee_id"] = (
            None
            if _clears(given.assignee, editing)
            else lookup.member_id(client, cli.me(), given.assignee)
        )
    if given.splittable is not None:
        body["splittable"] = given.splittable
    return body


def _iso(value: datetime | date) -> str:
    return value.isoformat()


@app.command("add")
def add(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="What to do.")],
    deadline: Deadline = None,
    importance: Importance = None,
    estimate: Estimate = None,
    project: Project = None,
    tag: Tags = None,
    kind: Kind = None,
    planned: Planned = None,
    notes: Notes = None,
    depends_on: DependsOn = None,
    assignee: Assignee = None,
    unsplittable: Annotated[
        bool, typer.Option("--unsplittable", help="Must be done in one sitting.")
    ] = False,
    repeat: Annotated[
        str | None,
        typer.Option(
            help='How it repeats: "every weekday", "every 2 weeks on mon", "every! 3 days".'
        ),
    ] = None,
) -> None:
    """Add a task. Dates are read in your timezone: --deadline "fri 17:00"."""
    cli = state(ctx)
    given = Given(
        deadline=deadline,
        importance=importance,
        estimate=estimate,
        project=project,
        tags=tag or [],
        kind=kind,
        planned=planned,
        notes=notes,
        depends_on=depends_on or [],
        assignee=assignee,
        splittable=False if unsplittable else None,
    )
    body = {"title": title, **body_of(cli, given, editing=False)}
    if repeat is not None:
        body["repeat"] = repeat
    task = cli.client().post("/api/v1/tasks", body)
    output.task_line("added", task, cli.timezone())
    if task.get("repeat"):
        output.line(f"repeats {task['repeat']['description']}")


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[
        list[str] | None,
        typer.Option(help="todo, doing, done, dropped or open; repeat for more. Default: open."),
    ] = None,
    project: Project = None,
    tag: Annotated[str | None, typer.Option("--tag", "-t", help="Only this tag.")] = None,
    before: Annotated[
        str | None, typer.Option(help="Deadline before this (a day counts whole).")
    ] = None,
    after: Annotated[str | None, typer.Option(help="Deadline on or after this.")] = None,
    planned: Planned = None,
    search: Annotated[
        str | None, typer.Option("--search", "-s", help="Text in title or notes.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Done and dropped ones too.")] = False,
    as_json: AsJson = False,
) -> None:
    """Tasks by deadline, then importance."""
    reads.task_list(
        state(ctx),
        status=status,
        project=project,
        tag=tag,
        before=before,
        after=after,
        planned=planned,
        search=search,
        all_=all_,
        as_json=as_json,
    )


@app.command("show")
def show(
    ctx: typer.Context,
    task_id: Annotated[int, typer.Argument(metavar="ID")],
    as_json: AsJson = False,
) -> None:
    """Every field of a task, its notes and what it depends on."""
    cli = state(ctx)
    client = cli.client()
    task = client.get(f"/api/v1/tasks/{task_id}")
    if as_json:
        output.raw_json(task)
        return
    project = ""
    if task["project_id"]:
        project = str(client.get(f"/api/v1/projects/{task['project_id']}")["name"])
    dependencies: list[tuple[int, str, str]] = []
    for dep_id in task["depends_on"]:
        try:
            dep = client.get(f"/api/v1/tasks/{dep_id}")
        except CliError:  # someone else's task: show the id only
            dependencies.append((dep_id, "(not visible to you)", "?"))
            continue
        dependencies.append((dep_id, str(dep["title"]), str(dep["status"])))
    output.task_detail(
        task,
        timezone=cli.timezone(),
        project=project,
        assignee=_person(cli, task),
        dependencies=dependencies,
    )


def _person(cli: CliState, task: dict[str, Any]) -> str:
    assignee = task["assignee_id"]
    if assignee is None:
        return ""
    me = cli.me()
    if assignee == me["id"]:
        return f"{me['name']} <{me['email']}> (you)"
    if task["team_id"] is not None:
        for member in cli.client().get(f"/api/v1/teams/{task['team_id']}/members"):
            if member["user_id"] == assignee:
                return f"{member['name']} <{member['email']}>"
    return f"user {assignee}"


@app.command("edit")
def edit(
    ctx: typer.Context,
    task_id: Annotated[int, typer.Argument(metavar="ID")],
    title: Annotated[str | None, typer.Option(help="A new title.")] = None,
    deadline: Deadline = None,
    importance: Importance = None,
    estimate: Estimate = None,
    project: Project = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="Replaces the tags; repeat for more.")
    ] = None,
    kind: Kind = None,
    planned: Planned = None,
    notes: Notes = None,
    depends_on: DependsOn = None,
    assignee: Assignee = None,
    unsplittable: Annotated[
        bool | None, typer.Option("--unsplittable/--splittable", help="One sitting, or not.")
    ] = None,
    repeat: Annotated[
        str | None,
        typer.Option(
            help='A new rule for its series, or a first one: "every mon", "every! 3 days".'
        ),
    ] = None,
    no_repeat: Annotated[
        bool, typer.Option("--no-repeat", help="End its series (this task stays).")
    ] = False,
) -> None:
    """Change a task; "none" clears --deadline, --estimate, --project, --planned, --assignee."""
    cli = state(ctx)
    given = Given(
        title=title,
        deadline=deadline,
        importance=importance,
        estimate=estimate,
        project=project,
        tags=tag,
        kind=kind,
        planned=planned,
        notes=notes,
        depends_on=depends_on,
        assignee=assignee,
        splittable=None if unsplittable is None else not unsplittable,
    )
    body = body_of(cli, given, editing=True)
    if repeat is not None and no_repeat:
        raise CliError("--repeat and --no-repeat: give one of them")
    if repeat is not None:
        body["repeat"] = repeat
    if no_repeat:
        body["repeat"] = None
    if not body:
        raise CliError("nothing to change; give an option such as --deadline or --title")
    task = _patch(cli, task_id, body)
    output.task_line("changed", task, cli.timezone())
    if "repeat" in body and task.get("repeat"):
        found = task["repeat"]
        output.line(
            f"series #{found['series_id']} ended"
            if found["ended"]
            else f"repeats {found['description']}"
        )


def _patch(cli: CliState, task_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Changes ``body`` on the version just read, so that no one else's change is lost."""
    client = cli.client()
    current = client.get(f"/api/v1/tasks/{task_id}")
    task: dict[str, Any] = client.patch(
        f"/api/v1/tasks/{task_id}", body, version=int(current["version"])
    )
    return task


@app.command("done")
def done(ctx: typer.Context, task_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Mark a task done."""
    cli = state(ctx)
    output.task_line("done:", _patch(cli, task_id, {"status": "done"}), cli.timezone())


@app.command("drop")
def drop(ctx: typer.Context, task_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Drop a task: kept, but no longer planned."""
    cli = state(ctx)
    output.task_line("dropped:", _patch(cli, task_id, {"status": "dropped"}), cli.timezone())
