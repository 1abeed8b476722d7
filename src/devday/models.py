"""Imports every domain's models so that metadata (and Alembic) sees all tables."""

from __future__ import annotations

from devday.account.models import ApiToken, User, WebSession
from devday.db import Base
from devday.planning.models import BusyEvent, DayPlan, PlanBlock, Routine
from devday.project.models import Project
from devday.task.models import Task, TaskDependency, TaskTag
from devday.team.models import Team, TeamMember

__all__ = [
    "ApiToken",
    "Base",
    "BusyEvent",
    "DayPlan",
    "PlanBlock",
    "Project",
    "Routine",
    "Task",
    "TaskDependency",
    "TaskTag",
    "Team",
    "TeamMember",
    "User",
    "WebSession",
]
