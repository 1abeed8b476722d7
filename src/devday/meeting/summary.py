"""The meeting's summary: Markdown for chat and email text, sanitised HTML for email."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from devday import markdown
from devday.meeting.models import ItemKind, Meeting, MeetingItem
from devday.task.models import Task
from devday.team.models import Team


def _escape(text: str) -> str:
    # Names and titles are user text: keep them from turning into Markdown links or emphasis.
    for char in "\\`*_[]<>#|":
        text = text.replace(char, "\\" + char)
    return text


def _people(names: list[str]) -> str:
    return ", ".join(_escape(n) for n in names) if names else "no one"


def render(
    *,
    team: Team,
    meeting: Meeting,
    attendees: list[str],
    away: list[str],
    items: list[MeetingItem],
    tasks: dict[int, Task],
    names: dict[int, str],
) -> str:
    """The summary: who came and who was away, decisions, action items with their owners and
    deadlines (in the team's timezone), then the notes as written (Markdown)."""
    zone = ZoneInfo(team.timezone)
    decisions = [i for i in items if i.kind == ItemKind.decision]
    actions = [i for i in items if i.kind == ItemKind.action]
    notes = [i for i in items if i.kind == ItemKind.note]
    lines = [
        f"**{_escape(team.name)} meeting, {meeting.meeting_date.strftime('%a %d %b %Y')}**",
        "",
        f"Attended: {_people(attendees)}",
        f"Away: {_people(away)}",
        "",
        f"Decisions ({len(decisions)}):",
        *([f"- {_escape(i.text)}" for i in decisions] or ["- none"]),
        "",
        f"Action items ({len(actions)}):",
    ]
    for item in actions:
        task = tasks.get(item.task_id) if item.task_id is not None else None
        if task is None:
            lines.append(f"- {_escape(item.text)} (task deleted)")
            continue
        owner = names.get(task.assignee_id or 0, "unassigned")
        due = (
            task.deadline_at.astimezone(zone).strftime("%a %d %b %H:%M")
            if task.deadline_at
            else "no deadline"
        )
        lines.append(f"- #{task.id} {_escape(task.title)}: {_escape(owner)}, due {due}")
    if not actions:
        lines.append("- none")
    lines += ["", "Notes:"]
    if not notes:
        lines.append("- none")
    for item in notes:
        author = names.get(item.author_id or 0, "someone")
        lines += ["", f"*{_escape(author)}:*", "", item.text.strip()]
    return "\n".join(lines) + "\n"


def html(text: str) -> str:
    return markdown.render(text)
