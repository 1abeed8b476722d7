"""the daily meeting: meetings and their notes, decisions and action items

Revision ID: d5meeting
Revises: c9merge01
Create Date: 2026-11-28 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import devday.db

revision = "d5meeting"
down_revision = "c9merge01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("starts_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "closed", name="meetingstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("created_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", devday.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("attendee_ids", sa.JSON(), nullable=False),
        sa.Column("away_ids", sa.JSON(), nullable=False),
        sa.Column("summary_markdown", sa.Text(), nullable=False),
        sa.Column("sent_to", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_meeting_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["user_account.id"],
            name=op.f("fk_meeting_closed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
        sa.UniqueConstraint("team_id", "meeting_date", name="uq_meeting_team_day"),
    )
    op.create_table(
        "meeting_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("note", "decision", "action", name="itemkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("created_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_meeting_item_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_meeting_item_author_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["task.id"],
            name=op.f("fk_meeting_item_task_id_task"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_item")),
    )
    op.create_index("ix_meeting_item_meeting_id", "meeting_item", ["meeting_id"])
    op.create_index("ix_meeting_item_task_id", "meeting_item", ["task_id"])


def downgrade() -> None:
    op.drop_index("ix_meeting_item_task_id", table_name="meeting_item")
    op.drop_index("ix_meeting_item_meeting_id", table_name="meeting_item")
    op.drop_table("meeting_item")
    op.drop_table("meeting")
