"""Importance as stored (1 low to 4 critical) and the priority people read (P1 critical to P4
low, as Todoist shows it). The one place that turns one into the other; stdlib only, so the
CLI may import it without cost. Incident severity uses the same scale.
"""

from __future__ import annotations

#: What each importance is called beside its label, e.g. "P1 critical".
NAMES = {4: "critical", 3: "high", 2: "normal", 1: "low"}


def rank(importance: int) -> int:
    """The priority number: 1 for the most important (importance 4), 4 for the least."""
    return 5 - importance


def label(importance: int) -> str:
    """``P1`` to ``P4``."""
    return f"P{rank(importance)}"


def from_rank(priority: int) -> int:
    """The importance of priority ``P<priority>``."""
    return 5 - priority
