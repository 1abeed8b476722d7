"""The plan feed: one secret address per user, stored as a digest (the address is shown once)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from devday.db import Base, UTCDateTime


class PlanFeed(Base):
    __tablename__ = "plan_feed"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    # SHA-256 of the secret in the address; a rotation replaces it, so the old address dies.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
