"""single sign-on: an account remembers the OpenID Connect identity (issuer, subject) linked to it

Revision ID: j1sso
Revises: j1calsrc
Create Date: 2026-12-05 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "j1sso"
down_revision = "j1calsrc"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("user_account", sa.Column("oidc_issuer", sa.String(length=500), nullable=True))
    op.add_column("user_account", sa.Column("oidc_subject", sa.String(length=255), nullable=True))
    op.create_index(
        "ux_user_account_oidc", "user_account", ["oidc_issuer", "oidc_subject"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ux_user_account_oidc", table_name="user_account")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("oidc_subject")
        batch.drop_column("oidc_issuer")
