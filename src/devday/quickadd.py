"""Quick add: one line of Todoist-style text read into the fields of a new task.

Pure: the clock and the timezone are arguments. ``#tag``, ``+project`` and ``kind:docs`` may
stand anywhere (their sigils make them unambiguous; a tag starts with a letter, so "#212" stays
an issue number in the title). Everything else is read only from the END of the text, where
people put it: a P-label (P1 to P4), an estimate with a unit (90m, 1h30, 2h) and the longest
trailing run of words that ``dateparse.parse_when`` accepts. Words before them are the title, so
"Write the 2 docs" or "Prepare friday demo" keep their titles intact. A repeat phrase ("every
weekday", "every! 3 days", see ``recurrence.phrases``) is the longest run from the last "every"
that reads as one; what follows it (a date, an estimate, a P-label) is read as above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from devday.dateparse import parse_duration, parse_when
from devday.importance import from_rank
from devday.recurrence.phrases import RepeatError, parse_repeat

_TAG = re.compile(r"#(?P<tag>[A-Za-z][\w.\-/]*)")
_PROJECT = re.compile(r"\+(?P<name>\w[\w.\-/]*)")
_KIND = re.compile(r"kind:(?P<kind>[A-Za-z]+)", re.IGNORECASE)
_PRIORITY = re.compile(r"[pP](?P<p>[1-4])")
_DURATION = re.compile(r"\d+(?:\.\d+)?h(?:\d{1,2}m?)?|\d+(?:m|min|mins)", re.IGNORECASE)
# The longest phrase parse_when reads is about four words ("next fri 5 pm").
_MAX_DATE_WORDS = 5
# "Ship it by fri": the connecting word belongs to the date, not the title.
_CONNECTORS = {"by", "on", "due", "until", "before"}


@dataclass(frozen=True)
class QuickAdd:
    title: str
    deadline: datetime | date | None = None
    estimate_minutes: int | None = None
    importance: int | None = None  # 4 is P1 (critical) ... 1 is P4; None: not given
    tags: list[str] = field(default_factory=list)
    project_name: str | None = None
    kind: str | None = None  # as typed after "kind:"; the API checks it is a known kind
    repeat: str | None = None  # a repeat phrase, as typed ("every weekday")


# The words after "every" that say it is meant as a repeat, even when the rest does not read.
_REPEAT_WORDS = re.compile(
    r"\d+|other|weekdays?|days?|weeks?|months?|years?|"
    r"(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(day)?|wednesday|saturday",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class GoalText:
    title: str
    estimate_minutes: int | None = None
    kind: str | None = None


def parse_goal(text: str) -> GoalText:
    """A goal as typed: "Write the docs 1h30 kind:docs" (the time at the end, the kind anywhere).

    Raises ValueError when no title is left."""
    words, kind = [], None
    for word in text.split():
        if match := _KIND.fullmatch(word):
            kind = match["kind"].lower()
        else:
            words.append(word)
    estimate = None
    if len(words) > 1 and _DURATION.fullmatch(words[-1]):
        try:
            estimate = parse_duration(words[-1])
            words = words[:-1]
        except ValueError:
            estimate = None
    if not words:
        raise ValueError(
            "write the goal before its time and kind, e.g. “Write the docs 1h kind:docs”"
        )
    return GoalText(" ".join(words), estimate, kind)


def parse_quick_add(text: str, *, now: datetime, timezone: str) -> QuickAdd:
    """The task that ``text`` describes, read at ``now`` in ``timezone``.

    Raises ValueError with a message for the person typing: no title left, or a date that does
    not exist in ``timezone`` (a wall time skipped by daylight saving).
    """
    words: list[str] = []
    tags: list[str] = []
    project: str | None = None
    kind: str | None = None
    for word in text.split():
        if match := _KIND.fullmatch(word):
            kind = match["kind"].lower()
        elif match := _TAG.fullmatch(word):
            tag = match["tag"].lower()
            if tag not in tags:
                tags.append(tag)
        elif match := _PROJECT.fullmatch(word):
            project = match["name"]
        else:
            words.append(word)
    words, repeat = _repeat(words)

    deadline: datetime | date | None = None
    estimate: int | None = None
    importance: int | None = None
    end = len(words)
    while end > 0:
        if deadline is None and (found := _trailing_date(words, end, now, timezone)):
            deadline, end = found
            continue
        word = words[end - 1]
        if importance is None and (match := _PRIORITY.fullmatch(word)):
            importance = from_rank(int(match["p"]))
        elif estimate is None and _DURATION.fullmatch(word):
            try:
                estimate = parse_duration(word)
            except ValueError:
                break
        else:
            break
        end -= 1

    title_words = words[:end]
    if deadline is not None and len(title_words) > 1 and title_words[-1].lower() in _CONNECTORS:
        title_words = title_words[:-1]
    title = " ".join(title_words)
    if not title:
        raise ValueError(
            "write what the task is before its details, e.g. “Fix login bug fri 17:00 2h P2 #api”"
        )
    return QuickAdd(
        title=title,
        deadline=deadline,
        estimate_minutes=estimate,
        importance=importance,
        tags=tags,
        project_name=project,
        kind=kind,
        repeat=repeat,
    )


def _repeat(words: list[str]) -> tuple[list[str], str | None]:
    """The words without the repeat phrase, and the phrase: the longest run from the last
    "every" (not the first word: that is the title) that reads as a repeat. Raises ValueError
    when the run is plainly meant as one ("every 3") but does not read."""
    starts = [i for i, w in enumerate(words) if i > 0 and w.lower() in ("every", "every!")]
    if not starts:
        return words, None
    start = starts[-1]
    for end in range(len(words), start + 1, -1):
        phrase = " ".join(words[start:end])
        try:
            parse_repeat(phrase)
        except RepeatError:
            continue
        return words[:start] + words[end:], phrase
    following = words[start + 1] if start + 1 < len(words) else ""
    if words[start].endswith("!") or _REPEAT_WORDS.fullmatch(following.rstrip(",")):
        try:
            parse_repeat(" ".join(words[start:]))
        except RepeatError as exc:
            raise ValueError(str(exc)) from None
    return words, None


def _trailing_date(
    words: list[str], end: int, now: datetime, timezone: str
) -> tuple[datetime | date, int] | None:
    """The date read from the longest run of words ending at ``end`` (leaving at least one word
    for the title), and where that run starts; None when no run is a date."""
    for start in range(max(1, end - _MAX_DATE_WORDS), end):
        phrase = " ".join(words[start:end])
        try:
            return parse_when(phrase, now=now, timezone=timezone), start
        except ValueError as exc:
            # Read fine in UTC but not here: a wall time the clocks skip. Say so rather than
            # leave the date in the title without a word.
            try:
                parse_when(phrase, now=now, timezone="UTC")
            except ValueError:
                continue
            raise ValueError(str(exc)) from None
    return None
