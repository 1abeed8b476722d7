"""recurring tasks: a series (rule and template) and the link from each instance to it

Revision ID: j1series
Revises: j1learning
Create Date: 2026-12-05 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import devday.db

revision = "j1series"
down_revision = "j1learning"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("at", sa.Time(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("importance", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("estimate_minutes", sa.Integer(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("deadline_days", sa.Integer(), nullable=True),
        sa.Column("deadline_time", sa.Time(), nullable=True),
        sa.Column("next_date", sa.Date(), nullable=True),
        sa.Column("ended_at", devday.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_series_owner_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_series_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_series_project_id_project"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["user_account.id"],
            name=op.f("fk_series_assignee_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series")),
    )
    op.create_index("ix_series_owner_id", "series", ["owner_id"])
    op.create_index("ix_series_team_id", "series", ["team_id"])
    op.create_index("ix_series_next_date", "series", ["next_date"])
    op.create_table(
        "series_instance",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("occurrence_date", sa.Date(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["series.id"],
            name=op.f("fk_series_instance_series_id_series"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["task.id"],
            name=op.f("fk_series_instance_task_id_task"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("series_id", "occurrence_date", name=op.f("pk_series_instance")),
        sa.UniqueConstraint("task_id", name=op.f("uq_series_instance_task_id")),
    )


def downgrade() -> None:
    op.drop_table("series_instance")
    op.drop_index("ix_series_next_date", table_name="series")
    op.drop_index("ix_series_team_id", table_name="series")
    op.drop_index("ix_series_owner_id", table_name="series")
    op.drop_table("series")
