"""standups, blockers, leave; the team's meeting time and standup reminder

Revision ID: d2standup
Revises: c9merge01
Create Date: 2026-11-28 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import devday.db

revision = "d2standup"
down_revision = "c9merge01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("meeting_time", sa.String(length=5), nullable=False, server_default="15:00")
        )
        batch_op.add_column(
            sa.Column("standup_reminder_minutes", sa.Integer(), nullable=False, server_default="30")
        )
    # The defaults filled existing rows; the model sets them from now on.
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.alter_column("meeting_time", server_default=None)
        batch_op.alter_column("standup_reminder_minutes", server_default=None)

    op.create_table(
        "standup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("yesterday", sa.Text(), nullable=False),
        sa.Column("today", sa.Text(), nullable=False),
        sa.Column("blockers", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "submitted", name="standup_status", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("submitted_at", devday.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_standup_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_standup_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup")),
        sa.UniqueConstraint("team_id", "user_id", "day", name="uq_standup_team_user_day"),
    )
    with op.batch_alter_table("standup", schema=None) as batch_op:
        batch_op.create_index("ix_standup_team_day", ["team_id", "day"], unique=False)
        batch_op.create_index("ix_standup_user_id", ["user_id"], unique=False)

    op.create_table(
        "blocker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("resolved_at", devday.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("flagged_at", devday.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_blocker_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_blocker_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["user_account.id"],
            name=op.f("fk_blocker_resolved_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_blocker_task_id_task"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blocker")),
    )
    with op.batch_alter_table("blocker", schema=None) as batch_op:
        batch_op.create_index("ix_blocker_team_resolved", ["team_id", "resolved_at"], unique=False)
        batch_op.create_index("ix_blocker_user_id", ["user_id"], unique=False)
        batch_op.create_index("ix_blocker_task_id", ["task_id"], unique=False)

    op.create_table(
        "leave",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_leave_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leave")),
    )
    with op.batch_alter_table("leave", schema=None) as batch_op:
        batch_op.create_index("ix_leave_user_start", ["user_id", "start_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("leave", schema=None) as batch_op:
        batch_op.drop_index("ix_leave_user_start")
    op.drop_table("leave")
    with op.batch_alter_table("blocker", schema=None) as batch_op:
        batch_op.drop_index("ix_blocker_task_id")
        batch_op.drop_index("ix_blocker_user_id")
        batch_op.drop_index("ix_blocker_team_resolved")
    op.drop_table("blocker")
    with op.batch_alter_table("standup", schema=None) as batch_op:
        batch_op.drop_index("ix_standup_user_id")
        batch_op.drop_index("ix_standup_team_day")
    op.drop_table("standup")
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_column("standup_reminder_minutes")
        batch_op.drop_column("meeting_time")
