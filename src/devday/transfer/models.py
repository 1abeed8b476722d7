from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from devday.db import Base


class ExternalTaskId(Base):
    """The id another tool gave a task (a Taskwarrior UUID): importing from it again updates
    the task instead of making a second one, and exporting to it writes the same id back."""

    __tablename__ = "task_external_id"

    task_id: Mapped[int] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), primary_key=True
    )
    system: Mapped[str] = mapped_column(String(16), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("owner_id", "system", "external_id", name="uq_task_external_id_owner"),
        Index("ix_task_external_id_owner_id", "owner_id"),
    )
