"""merge the working-day branches: notify and jobs, work log, day

Revision ID: c9merge01
Revises: c1a0notifyjobs, c2b0worklog, c3c0day
Create Date: 2026-11-28 02:45:00
"""

from __future__ import annotations

revision = "c9merge01"
down_revision = ("c1a0notifyjobs", "c2b0worklog", "c3c0day")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
