"""worklog: time entries and the one-running-timer index

Revision ID: c2b0worklog
Revises: 75bff2ae3f08
Create Date: 2026-11-28 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import devday.db

revision = "c2b0worklog"
down_revision = "75bff2ae3f08"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "time_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("start_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end_at", devday.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column(
            "source",
            sa.Enum("timer", "manual", name="entry_source", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("created_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_time_entry_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_time_entry_task_id_task"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_entry")),
    )
    with op.batch_alter_table("time_entry", schema=None) as batch_op:
        batch_op.create_index("ix_time_entry_user_start", ["user_id", "start_at"], unique=False)
        batch_op.create_index("ix_time_entry_task_id", ["task_id"], unique=False)
        # At most one running timer per user, whatever races past the service's check.
        batch_op.create_index(
            "uq_time_entry_user_running",
            ["user_id"],
            unique=True,
            sqlite_where=sa.text("end_at IS NULL"),
            postgresql_where=sa.text("end_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("time_entry", schema=None) as batch_op:
        batch_op.drop_index("uq_time_entry_user_running")
        batch_op.drop_index("ix_time_entry_task_id")
        batch_op.drop_index("ix_time_entry_user_start")

    op.drop_table("time_entry")
