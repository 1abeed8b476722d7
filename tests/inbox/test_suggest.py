from __future__ import annotations

from datetime import UTC, datetime

import pytest

from devday.inbox.suggest import find_deadline, suggest

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday, 10:00 in Berlin


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Can you review the auth PR by Thu?", "2026-12-03T17:00:00+00:00"),
        ("Numbers before 15:00 please", "2026-11-30T14:00:00+00:00"),
        ("due tomorrow 12:00.", "2026-12-01T11:00:00+00:00"),
        ("Ship it by end of day", "2026-11-30T17:00:00+00:00"),
        ("until 2026-12-04, thanks", "2026-12-04T17:00:00+00:00"),
        ("by next mon", "2026-12-07T17:00:00+00:00"),
        ("stand by me", None),
        ("Fix the thing", None),
        ("by 08:00", "2026-12-01T07:00:00+00:00"),  # a time alone: its next occurrence
        ("until 2026-11-27", None),  # already past: no deadline rather than a late one
    ],
)
def test_it_reads_the_deadline_after_a_connecting_word(text: str, expected: str | None) -> None:
    found = find_deadline(text, now=NOW, timezone="Europe/Berlin")
    assert (found.astimezone(UTC).isoformat() if found else None) == expected


def test_it_reads_importance_from_the_words() -> None:
    assert suggest("URGENT: checkout is down", now=NOW, timezone="UTC").importance == 4
    assert suggest("Important: audit report", now=NOW, timezone="UTC").importance == 3
    assert suggest("No rush, tidy the wiki", now=NOW, timezone="UTC").importance == 1
    assert suggest("Tidy the wiki", now=NOW, timezone="UTC").importance == 2
    due_soon = suggest("Tidy the wiki by 17:00", now=NOW, timezone="UTC")
    assert (due_soon.importance, due_soon.reason) == (3, "it is due within a day")
