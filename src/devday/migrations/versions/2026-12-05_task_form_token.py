"""task form tokens: a form that creates a task makes one task, however often it is posted

Revision ID: i1formtoken
Revises: i1invite
Create Date: 2026-12-05 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import devday.db

revision = "i1formtoken"
down_revision = "i1invite"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task_form_token",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("created_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_task_form_token_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["task.id"],
            name=op.f("fk_task_form_token_task_id_task"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_task_form_token")),
    )
    op.create_index("ix_task_form_token_created_at", "task_form_token", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_task_form_token_created_at", table_name="task_form_token")
    op.drop_table("task_form_token")
