"""ids never reused on SQLite: every table with an integer id becomes AUTOINCREMENT

Revision ID: g1autoinc
Revises: f2pollclaim
Create Date: 2026-12-04 21:30:00

SQLite gives a new row max(id) + 1, so deleting the newest row handed its id to the next one,
and old links and notifications pointed at another object. AUTOINCREMENT can only be set by
rebuilding a table (batch mode copies its rows, indexes and constraints into a new one);
devday.migrate turns foreign keys off around migrations on SQLite so that dropping the old
table does not cascade, and checks them afterwards. Ids deleted before this upgrade above the
highest kept one are not known and may be given once more. A no-op on PostgreSQL, whose
sequences never reuse ids.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "g1autoinc"
down_revision = "f2pollclaim"
branch_labels = None
depends_on = None


def _tables_to_rebuild(connection: sa.Connection) -> list[str]:
    inspector = sa.inspect(connection)
    names = []
    for name in inspector.get_table_names():
        if name == "alembic_version":
            continue
        key = inspector.get_pk_constraint(name)["constrained_columns"]
        if len(key) != 1:
            continue
        column = next(c for c in inspector.get_columns(name) if c["name"] == key[0])
        referring = {
            c for fk in inspector.get_foreign_keys(name) for c in fk["constrained_columns"]
        }
        if not isinstance(column["type"], sa.Integer) or key[0] in referring:
            continue
        sql = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).scalar_one()
        if "AUTOINCREMENT" not in sql.upper():
            names.append(name)
    return sorted(names)


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    for name in _tables_to_rebuild(connection):
        with op.batch_alter_table(
            name, recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass


def downgrade() -> None:
    # AUTOINCREMENT is harmless to older code; the tables stay as they are.
    pass
