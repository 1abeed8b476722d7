"""The baseline of bench/api: the least a FastAPI + SQLAlchemy app does to answer 50 task rows.

No authentication, no filters, no computed fields: one query on the same ``task`` table of the
same database, 50 rows into a Pydantic model, JSON out. Served by the same server (Uvicorn) with
the same number of processes as devday in the run.
"""

from __future__ import annotations

import os
from datetime import datetime

from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import select

from devday.db import make_engine
from devday.task.models import Task

engine = make_engine(os.environ["BENCH_DATABASE_URL"])
app = FastAPI()


class Row(BaseModel):
    id: int
    title: str
    status: str
    importance: int
    deadline_at: datetime | None
    estimate_minutes: int | None
    created_at: datetime


@app.get("/tasks")
def tasks(user_id: int) -> list[Row]:
    query = (
        select(
            Task.id,
            Task.title,
            Task.status,
            Task.importance,
            Task.deadline_at,
            Task.estimate_minutes,
            Task.created_at,
        )
        .where(Task.assignee_id == user_id)
        .order_by(Task.id)
        .limit(50)
    )
    with engine.connect() as conn:
        return [Row.model_validate(row._asdict()) for row in conn.execute(query)]
