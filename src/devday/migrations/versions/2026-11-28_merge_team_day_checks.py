"""merge the team's day (inbox, standups, meeting) and app checks

Revision ID: e0merge02
Revises: d5inbox01, d2standup, d5meeting, d6checks
Create Date: 2026-11-28 06:00:00
"""

from __future__ import annotations

revision = "e0merge02"
down_revision = ("d5inbox01", "d2standup", "d5meeting", "d6checks")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
