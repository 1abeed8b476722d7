"""plan feed: one secret address per user that serves their plan as iCalendar

Revision ID: j1planfeed
Revises: i1formtoken
Create Date: 2026-12-05 01:53:39.876644
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import devday.db

revision = "j1planfeed"
down_revision = "i1formtoken"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_feed",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_plan_feed_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_plan_feed")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_plan_feed_token_hash")),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("plan_feed")
