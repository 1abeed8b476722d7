"""apps, checks, results, rollups, incidents and maintenance windows

Revision ID: d6checks
Revises: c9merge01
Create Date: 2026-11-28 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import devday.db

revision = "d6checks"
down_revision = "c9merge01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "check_rollup_mark",
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("done_until", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_check_rollup_mark")),
    )
    op.create_table(
        "app",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("base_url", sa.String(length=2000), nullable=False),
        sa.Column("response_target_minutes", sa.Integer(), nullable=False),
        sa.Column("reminder_minutes", sa.Integer(), nullable=False),
        sa.Column("created_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_app_owner_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_app_project_id_project"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_app_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app")),
    )
    with op.batch_alter_table("app", schema=None) as batch_op:
        batch_op.create_index("ix_app_team_id", ["team_id"], unique=False)

    op.create_table(
        "app_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=2000), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("accepted_statuses", sa.JSON(), nullable=False),
        sa.Column("must_contain", sa.String(length=500), nullable=True),
        sa.Column("must_not_contain", sa.String(length=500), nullable=True),
        sa.Column("assertions", sa.JSON(), nullable=False),
        sa.Column("latency_budget_ms", sa.Integer(), nullable=True),
        sa.Column("regression_factor", sa.Float(), nullable=True),
        sa.Column("tls", sa.Boolean(), nullable=False),
        sa.Column("security", sa.Boolean(), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("timeout_seconds", sa.Float(), nullable=False),
        sa.Column("fail_after", sa.Integer(), nullable=False),
        sa.Column("recover_after", sa.Integer(), nullable=False),
        sa.Column("next_run_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending", "up", "degraded", "down", name="checkstate", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("last_run_at", devday.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_latency_ms", sa.Float(), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("last_grade", sa.String(length=4), nullable=True),
        sa.Column("baseline_grade", sa.String(length=4), nullable=True),
        sa.Column("cert_expires_at", devday.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("streaks", sa.JSON(), nullable=False),
        sa.Column("created_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["app_id"], ["app.id"], name=op.f("fk_app_check_app_id_app"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_app_check_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_check")),
    )
    with op.batch_alter_table("app_check", schema=None) as batch_op:
        batch_op.create_index("ix_app_check_app_id", ["app_id"], unique=False)
        batch_op.create_index("ix_app_check_due", ["enabled", "next_run_at"], unique=False)
        batch_op.create_index("ix_app_check_team_id", ["team_id"], unique=False)

    op.create_table(
        "app_stakeholder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=50), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["app_id"], ["app.id"], name=op.f("fk_app_stakeholder_app_id_app"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channel.id"],
            name=op.f("fk_app_stakeholder_channel_id_channel"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_stakeholder")),
    )
    with op.batch_alter_table("app_stakeholder", schema=None) as batch_op:
        batch_op.create_index("ix_app_stakeholder_app_id", ["app_id"], unique=False)

    op.create_table(
        "check_result",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("due_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("cert_expires_at", devday.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("grade", sa.String(length=4), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["app_check.id"],
            name=op.f("fk_check_result_check_id_app_check"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_result")),
    )
    with op.batch_alter_table("check_result", schema=None) as batch_op:
        batch_op.create_index(
            "ix_check_result_check_started", ["check_id", "started_at"], unique=False
        )
        batch_op.create_index("ix_check_result_started_at", ["started_at"], unique=False)

    op.create_table(
        "check_rollup",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("resolution", sa.String(length=8), nullable=False),
        sa.Column("bucket_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("latency_sum_ms", sa.Float(), nullable=False),
        sa.Column("latency_max_ms", sa.Float(), nullable=True),
        sa.Column("histogram", sa.JSON(), nullable=False),
        sa.Column("worst_grade", sa.String(length=4), nullable=True),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["app_check.id"],
            name=op.f("fk_check_rollup_check_id_app_check"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_rollup")),
        sa.UniqueConstraint(
            "check_id", "resolution", "bucket_at", name=op.f("uq_check_rollup_check_id")
        ),
    )
    with op.batch_alter_table("check_rollup", schema=None) as batch_op:
        batch_op.create_index(
            "ix_check_rollup_resolution_bucket", ["resolution", "bucket_at"], unique=False
        )

    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column(
            "problem",
            sa.Enum(
                "down",
                "slow",
                "regression",
                "certificate",
                "security",
                name="problem",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("open", "resolved", name="incidentstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("open_key", sa.String(length=40), nullable=True),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("opened_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", devday.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_reminder_at", devday.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["app_id"], ["app.id"], name=op.f("fk_incident_app_id_app"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["app_check.id"],
            name=op.f("fk_incident_check_id_app_check"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_incident_task_id_task"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_incident_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
        sa.UniqueConstraint("open_key", name=op.f("uq_incident_open_key")),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index("ix_incident_app_id", ["app_id"], unique=False)
        batch_op.create_index("ix_incident_check_id", ["check_id"], unique=False)
        batch_op.create_index("ix_incident_reminder", ["status", "next_reminder_at"], unique=False)
        batch_op.create_index("ix_incident_team_status", ["team_id", "status"], unique=False)

    op.create_table(
        "maintenance_window",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=True),
        sa.Column("starts_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("rrule", sa.String(length=500), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("created_at", devday.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["app_id"],
            ["app.id"],
            name=op.f("fk_maintenance_window_app_id_app"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["app_check.id"],
            name=op.f("fk_maintenance_window_check_id_app_check"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_window")),
    )
    with op.batch_alter_table("maintenance_window", schema=None) as batch_op:
        batch_op.create_index("ix_maintenance_window_app_id", ["app_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("maintenance_window", schema=None) as batch_op:
        batch_op.drop_index("ix_maintenance_window_app_id")

    op.drop_table("maintenance_window")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_team_status")
        batch_op.drop_index("ix_incident_reminder")
        batch_op.drop_index("ix_incident_check_id")
        batch_op.drop_index("ix_incident_app_id")

    op.drop_table("incident")
    with op.batch_alter_table("check_rollup", schema=None) as batch_op:
        batch_op.drop_index("ix_check_rollup_resolution_bucket")

    op.drop_table("check_rollup")
    with op.batch_alter_table("check_result", schema=None) as batch_op:
        batch_op.drop_index("ix_check_result_started_at")
        batch_op.drop_index("ix_check_result_check_started")

    op.drop_table("check_result")
    with op.batch_alter_table("app_stakeholder", schema=None) as batch_op:
        batch_op.drop_index("ix_app_stakeholder_app_id")

    op.drop_table("app_stakeholder")
    with op.batch_alter_table("app_check", schema=None) as batch_op:
        batch_op.drop_index("ix_app_check_team_id")
        batch_op.drop_index("ix_app_check_due")
        batch_op.drop_index("ix_app_check_app_id")

    op.drop_table("app_check")
    with op.batch_alter_table("app", schema=None) as batch_op:
        batch_op.drop_index("ix_app_team_id")

    op.drop_table("app")
    op.drop_table("check_rollup_mark")
