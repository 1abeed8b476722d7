"""live plan: when a plan changed and why, and the facts worked out with it

Revision ID: f1liveplan
Revises: e0merge02
Create Date: 2026-12-04 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import devday.db

revision = "f1liveplan"
down_revision = "e0merge02"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("day_plan") as batch:
        batch.add_column(
            sa.Column("changed_at", devday.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("change_reason", sa.String(length=300), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("facts", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("day_plan") as batch:
        batch.drop_column("facts")
        batch.drop_column("change_reason")
        batch.drop_column("changed_at")
