"""inbox: requests to people and teams, their history, and each team's inbox setup

Revision ID: d5inbox01
Revises: c9merge01
Create Date: 2026-11-28 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import devday.db

revision = "d5inbox01"
down_revision = "c9merge01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team_inbox",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("help_form", sa.Boolean(), nullable=False),
        sa.Column("imap_enabled", sa.Boolean(), nullable=False),
        sa.Column("imap_host", sa.String(length=253), nullable=False),
        sa.Column("imap_port", sa.Integer(), nullable=False),
        sa.Column("imap_tls", sa.Boolean(), nullable=False),
        sa.Column("imap_user", sa.String(length=254), nullable=False),
        sa.Column("imap_password", sa.String(length=500), nullable=False),
        sa.Column("imap_folder", sa.String(length=200), nullable=False),
        sa.Column("poll_minutes", sa.Integer(), nullable=False),
        sa.Column("last_polled_at", devday.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_team_inbox_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_team_inbox")),
        sa.UniqueConstraint("slug", name=op.f("uq_team_inbox_slug")),
    )
    op.create_table(
        "inbox_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("sender_id", sa.Integer(), nullable=True),
        sa.Column("sender_email", sa.String(length=254), nullable=True),
        sa.Column("sender_name", sa.String(length=100), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "colleague", "email", "help_form", name="inbox_source", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "accepted",
                "declined",
                "snoozed",
                "forwarded",
                name="inbox_status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("received_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", devday.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("snoozed_until", devday.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.String(length=300), nullable=True),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("updated_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["user_account.id"],
            name=op.f("fk_inbox_item_recipient_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"],
            ["user_account.id"],
            name=op.f("fk_inbox_item_sender_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_inbox_item_task_id_task"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_inbox_item_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_item")),
        sa.UniqueConstraint("team_id", "message_id", name="uq_inbox_item_team_message"),
    )
    with op.batch_alter_table("inbox_item", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_item_received_at", ["received_at"], unique=False)
        batch_op.create_index(
            "ix_inbox_item_recipient_status", ["recipient_id", "status"], unique=False
        )
        batch_op.create_index("ix_inbox_item_sender_id", ["sender_id"], unique=False)
        batch_op.create_index("ix_inbox_item_task_id", ["task_id"], unique=False)
        batch_op.create_index("ix_inbox_item_team_status", ["team_id", "status"], unique=False)

    op.create_table(
        "inbox_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "received",
                "accepted",
                "declined",
                "snoozed",
                "woke",
                "forwarded",
                name="inbox_event_kind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("to_user_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
            name=op.f("fk_inbox_event_actor_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["inbox_item.id"],
            name=op.f("fk_inbox_event_item_id_inbox_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_user_id"],
            ["user_account.id"],
            name=op.f("fk_inbox_event_to_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_event")),
    )
    with op.batch_alter_table("inbox_event", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_event_actor_id", ["actor_id"], unique=False)
        batch_op.create_index("ix_inbox_event_item_id", ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inbox_event", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_event_item_id")
        batch_op.drop_index("ix_inbox_event_actor_id")

    op.drop_table("inbox_event")
    with op.batch_alter_table("inbox_item", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_item_team_status")
        batch_op.drop_index("ix_inbox_item_task_id")
        batch_op.drop_index("ix_inbox_item_sender_id")
        batch_op.drop_index("ix_inbox_item_recipient_status")
        batch_op.drop_index("ix_inbox_item_received_at")

    op.drop_table("inbox_item")
    op.drop_table("team_inbox")
