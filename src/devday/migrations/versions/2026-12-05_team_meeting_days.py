"""the team's meeting days; the address an invitation was emailed to

Revision ID: j1meetdays
Revises: j1extid
Create Date: 2026-12-05 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "j1meetdays"
down_revision = "j1extid"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "meeting_days",
                sa.String(length=27),
                nullable=False,
                server_default="mon,tue,wed,thu,fri",
            )
        )
    # Existing teams met on weekdays; the default stays for rows written without the column.
    with op.batch_alter_table("team_invitation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("team_invitation", schema=None) as batch_op:
        batch_op.drop_column("email")
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_column("meeting_days")
