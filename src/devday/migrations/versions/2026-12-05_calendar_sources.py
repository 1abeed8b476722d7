"""calendar subscriptions: calendars whose events become busy time (busy_event.source_id), and
the events devday writes into a CalDAV calendar for the plan (plan_export)

Revision ID: j1calsrc
Revises: j1planfeed
Create Date: 2026-12-05 02:39:39.522125
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import devday.db

revision = "j1calsrc"
down_revision = "j1planfeed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("ics", "caldav", name="sourcekind", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("password", sa.String(length=500), nullable=False),
        sa.Column("all_day_busy", sa.Boolean(), nullable=False),
        sa.Column("etag", sa.String(length=200), nullable=False),
        sa.Column("last_modified", sa.String(length=100), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("last_ok_at", devday.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_tried_at", devday.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("next_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("write_plan", sa.Boolean(), nullable=False),
        sa.Column("pushed_at", devday.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("push_error", sa.String(length=500), nullable=False),
        sa.Column("created_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_calendar_source_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_source")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("calendar_source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_source_next_at"), ["next_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_calendar_source_user_id"), ["user_id"], unique=False)

    op.create_table(
        "plan_export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=200), nullable=False),
        sa.Column("href", sa.String(length=2000), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("written_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["calendar_source.id"],
            name=op.f("fk_plan_export_source_id_calendar_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_export")),
        sa.UniqueConstraint("source_id", "uid", name="uq_plan_export_source_uid"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("plan_export", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_export_source_id"), ["source_id"], unique=False)

    # SQLite rebuilds the table to add a foreign key: keep its ids never reused.
    with op.batch_alter_table(
        "busy_event", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_busy_event_source_id"), ["source_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_busy_event_source_id_calendar_source"),
            "calendar_source",
            ["source_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table(
        "busy_event", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_busy_event_source_id_calendar_source"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_busy_event_source_id"))
        batch_op.drop_column("source_id")

    with op.batch_alter_table("plan_export", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_export_source_id"))

    op.drop_table("plan_export")
    with op.batch_alter_table("calendar_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_source_user_id"))
        batch_op.drop_index(batch_op.f("ix_calendar_source_next_at"))

    op.drop_table("calendar_source")
