"""task external ids: a Taskwarrior UUID kept on the task it was imported as

Revision ID: j1extid
Revises: j1forge
Create Date: 2026-12-05 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "j1extid"
down_revision = "j1forge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task_external_id",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["task.id"],
            name=op.f("fk_task_external_id_task_id_task"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_task_external_id_owner_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("task_id", "system", name=op.f("pk_task_external_id")),
        sa.UniqueConstraint("owner_id", "system", "external_id", name="uq_task_external_id_owner"),
    )
    op.create_index("ix_task_external_id_owner_id", "task_external_id", ["owner_id"])


def downgrade() -> None:
    op.drop_index("ix_task_external_id_owner_id", table_name="task_external_id")
    op.drop_table("task_external_id")
