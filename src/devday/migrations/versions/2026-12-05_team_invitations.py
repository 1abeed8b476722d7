"""team invitations: links that let whoever holds one join a team, once, before it expires

Revision ID: i1invite
Revises: h1tasklist
Create Date: 2026-12-05 00:14:23

Only a SHA-256 of each link's secret is stored.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import devday.db

revision = "i1invite"
down_revision = "h1tasklist"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("owner", "manager", "member", name="role", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", devday.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("used_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_team_invitation_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_team_invitation_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["used_by_id"],
            ["user_account.id"],
            name=op.f("fk_team_invitation_used_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_team_invitation_token_hash")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("team_invitation", schema=None) as batch_op:
        batch_op.create_index("ix_team_invitation_team_id", ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("team_invitation", schema=None) as batch_op:
        batch_op.drop_index("ix_team_invitation_team_id")

    op.drop_table("team_invitation")
