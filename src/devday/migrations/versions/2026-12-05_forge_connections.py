"""forge connections: GitHub and GitLab issues become tasks

Revision ID: j1forge
Revises: j1sso
Create Date: 2026-12-05 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import devday.db

revision = "j1forge"
down_revision = "j1sso"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forge_connection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum("github", "gitlab", name="forgekind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("base_url", sa.String(length=500), nullable=False),
        sa.Column("repo", sa.String(length=300), nullable=False),
        sa.Column("token", sa.String(length=500), nullable=False),
        sa.Column("assignee", sa.String(length=100), nullable=False),
        sa.Column("labels", sa.String(length=500), nullable=False),
        sa.Column("importance_map", sa.String(length=1000), nullable=False),
        sa.Column("estimate_label", sa.String(length=50), nullable=False),
        sa.Column("estimate_from_body", sa.Boolean(), nullable=False),
        sa.Column(
            "on_finish",
            sa.Enum("nothing", "close", "comment", name="onfinish", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("poll_minutes", sa.Integer(), nullable=False),
        sa.Column("etag", sa.String(length=300), nullable=True),
        sa.Column("cursor", sa.String(length=64), nullable=True),
        sa.Column("last_synced_at", devday.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("retry_at", devday.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sync_claimed_until", devday.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_forge_connection_owner_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_forge_connection_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_forge_connection_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forge_connection")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_forge_connection_owner_id", "forge_connection", ["owner_id"])
    op.create_index("ix_forge_connection_team_id", "forge_connection", ["team_id"])
    op.create_index("ix_forge_connection_project_id", "forge_connection", ["project_id"])
    op.create_table(
        "forge_issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("imported", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["forge_connection.id"],
            name=op.f("fk_forge_issue_connection_id_forge_connection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_forge_issue_task_id_task"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forge_issue")),
        sa.UniqueConstraint("connection_id", "number", name=op.f("uq_forge_issue_connection_id")),
        sa.UniqueConstraint("task_id", name=op.f("uq_forge_issue_task_id")),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("forge_issue")
    op.drop_index("ix_forge_connection_project_id", table_name="forge_connection")
    op.drop_index("ix_forge_connection_team_id", table_name="forge_connection")
    op.drop_index("ix_forge_connection_owner_id", table_name="forge_connection")
    op.drop_table("forge_connection")
