"""inbox poll claim: one poll of a team's mailbox at a time

Revision ID: f2pollclaim
Revises: f1liveplan
Create Date: 2026-12-04 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import devday.db

revision = "f2pollclaim"
down_revision = "f1liveplan"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("team_inbox") as batch:
        batch.add_column(
            sa.Column("poll_claimed_until", devday.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("team_inbox") as batch:
        batch.drop_column("poll_claimed_until")
