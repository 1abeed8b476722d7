"""From a forge's issue to a task's fields: pure functions, no I/O.

An issue as GitHub or GitLab answers it becomes an ``Issue`` (``from_github``, ``from_gitlab``);
``task_fields`` maps it to what the task gets: title, tags (the labels), importance (from the
connection's label mapping), deadline (the milestone's due date) and estimate (from a label
such as ``estimate:2h`` or a ``/estimate 2h`` line in the description).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from devday import importance

#: The label mapping a connection starts with: the usual priority labels.
DEFAULT_IMPORTANCE = "priority:critical=critical, priority:high=high, priority:low=low"
MAX_TAGS = 20
_NAMES = {name: value for value, name in importance.NAMES.items()}
_DURATION = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)d)?\s*(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+)m)?\s*$")
_ESTIMATE_LINE = re.compile(r"^\s*/estimate\s+(\S.*?)\s*$", re.MULTILINE)
_TAG_BAD = re.compile(r"[^\w.\-/]+")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]+")
#: A day of work, for estimates written in days.
DAY_MINUTES = 8 * 60


@dataclass(frozen=True)
class Issue:
    """What devday reads of an issue, the same for both forges."""

    number: int
    title: str
    url: str
    closed: bool
    labels: tuple[str, ...]
    due_date: str | None  # YYYY-MM-DD
    body: str
    updated_at: str


def from_github(item: dict[str, Any]) -> Issue | None:
    """An issue of GitHub's issue list; None for a pull request (the list carries both)."""
    if "pull_request" in item:
        return None
    milestone = item.get("milestone") or {}
    due = milestone.get("due_on") if isinstance(milestone, dict) else None
    return Issue(
        number=int(item["number"]),
        title=str(item.get("title") or ""),
        url=str(item.get("html_url") or ""),
        closed=item.get("state") == "closed",
        labels=tuple(
            str(label["name"] if isinstance(label, dict) else label)
            for label in item.get("labels") or ()
        ),
        due_date=str(due)[:10] if due else None,
        body=str(item.get("body") or ""),
        updated_at=str(item.get("updated_at") or ""),
    )


def from_gitlab(item: dict[str, Any]) -> Issue | None:
    """An issue of GitLab's issue list."""
    milestone = item.get("milestone") or {}
    due = milestone.get("due_date") if isinstance(milestone, dict) else None
    return Issue(
        number=int(item["iid"]),
        title=str(item.get("title") or ""),
        url=str(item.get("web_url") or ""),
        closed=item.get("state") == "closed",
        labels=tuple(str(label) for label in item.get("labels") or ()),
        due_date=str(due)[:10] if due else None,
        body=str(item.get("description") or ""),
        updated_at=str(item.get("updated_at") or ""),
    )


def parse_importance_map(text: str) -> dict[str, int]:
    """``"priority:high=high, P1=critical"`` as ``{"priority:high": 3, "p1": 4}`` (labels in
    lower case); ValueError naming the entry it cannot read."""
    mapping: dict[str, int] = {}
    for entry in text.split(","):
        if not entry.strip():
            continue
        label, sep, value = entry.rpartition("=")
        label, value = label.strip().lower(), value.strip().lower()
        if not sep or not label:
            raise ValueError(f"cannot read {entry.strip()!r}; write label=importance")
        if value in _NAMES:
            mapping[label] = _NAMES[value]
        elif re.fullmatch(r"p[1-4]", value):
            mapping[label] = importance.from_rank(int(value[1]))
        else:
            raise ValueError(
                f"{entry.strip()!r}: the importance is one of critical, high, normal, low "
                "(or P1 to P4)"
            )
    return mapping


def parse_duration(text: str) -> int | None:
    """Minutes of ``2h``, ``30m``, ``1h30m``, ``1.5h`` or ``1d`` (a day is 8 hours); None when
    it is none of these."""
    match = _DURATION.match(text.lower())
    if not match or not any(match.groups()):
        return None
    days, hours, minutes = match.groups()
    total = float(days or 0) * DAY_MINUTES + float(hours or 0) * 60 + int(minutes or 0)
    return round(total) if 1 <= total <= 100_000 else None


def estimate_of(issue: Issue, label_prefix: str, from_body: bool) -> int | None:
    """The estimate in minutes from a label ``<prefix><duration>``, else from the last
    ``/estimate <duration>`` line of the description."""
    prefix = label_prefix.strip().lower()
    if prefix:
        for label in issue.labels:
            if label.lower().startswith(prefix):
                minutes = parse_duration(label[len(prefix) :])
                if minutes is not None:
                    return minutes
    if from_body:
        for found in reversed(_ESTIMATE_LINE.findall(issue.body)):
            minutes = parse_duration(found)
            if minutes is not None:
                return minutes
    return None


def tag_of(label: str) -> str:
    """A label as a task tag: lower case, letters, digits and ``. - / _``, at most 50."""
    return _TAG_BAD.sub("-", label.strip().lower()).strip("-.")[:50].lstrip("-./_")


def task_fields(
    issue: Issue, importance_map: dict[str, int], label_prefix: str, from_body: bool
) -> dict[str, Any]:
    """The task's fields as the issue gives them, JSON-ready (a ``TaskUpdate``'s names)."""
    tags: list[str] = []
    for label in issue.labels:
        tag = tag_of(label)
        if tag and tag not in tags and len(tags) < MAX_TAGS:
            tags.append(tag)
    mapped = [
        importance_map[label.lower()] for label in issue.labels if label.lower() in importance_map
    ]
    title = _CONTROLS.sub(" ", issue.title).strip()
    return {
        "title": (title or f"Issue #{issue.number}")[:300],
        "tags": tags,
        "importance": max(mapped) if mapped else 2,
        "deadline": issue.due_date,
        "estimate_minutes": estimate_of(issue, label_prefix, from_body),
    }
