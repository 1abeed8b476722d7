"""task list order: an index on the deadline, the list's first sort key

Revision ID: h1tasklist
Revises: g1autoinc
Create Date: 2026-12-05 00:00:00

A page of the task list (deadline first, then importance) read every visible task and sorted
them; with this index PostgreSQL reads the first rows in deadline order and sorts only ties.
"""

from __future__ import annotations

from alembic import op

revision = "h1tasklist"
down_revision = "g1autoinc"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_task_deadline_at", "task", ["deadline_at"])


def downgrade() -> None:
    op.drop_index("ix_task_deadline_at", table_name="task")
