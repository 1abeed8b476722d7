"""Imports every domain's models so that metadata (and Alembic) sees all tables."""

from __future__ import annotations

from devday.account.models import ApiToken, User, WebSession
from devday.calendars.models import PlanFeed
from devday.checks.models import App as App  # and the other check tables, for metadata
from devday.day.models import DayClose, HabitCheck, Reflection
from devday.db import Base
from devday.forge.models import ForgeConnection as ForgeConnection  # and ForgeIssue
from devday.inbox.models import InboxItem as InboxItem  # and InboxEvent, TeamInbox
from devday.jobs.models import ScheduledJob as ScheduledJob  # re-exported for metadata
from devday.learning.models import Feed as Feed  # and the learning list's tables, for metadata
from devday.learning.models import LearningItem as LearningItem
from devday.meeting.models import Meeting as Meeting  # and MeetingItem, for metadata
from devday.notify.models import Channel as Channel  # and OutboxMessage, for metadata
from devday.planning.models import BusyEvent, DayPlan, PlanBlock, Routine
from devday.project.models import Project
from devday.recurrence.models import Series as Series  # and SeriesInstance, for metadata
from devday.standup.models import Blocker as Blocker  # and Leave, Standup, for metadata
from devday.standup.models import Leave as Leave
from devday.standup.models import Standup as Standup
from devday.task.models import Task, TaskDependency, TaskTag
from devday.team.models import Invitation, Team, TeamMember
from devday.transfer.models import ExternalTaskId as ExternalTaskId  # re-exported for metadata
from devday.worklog.models import TimeEntry as TimeEntry  # re-exported for metadata

__all__ = [
    "ApiToken",
    "Base",
    "BusyEvent",
    "DayClose",
    "DayPlan",
    "HabitCheck",
    "Invitation",
    "PlanBlock",
    "PlanFeed",
    "Project",
    "Reflection",
    "Routine",
    "Task",
    "TaskDependency",
    "TaskTag",
    "Team",
    "TeamMember",
    "User",
    "WebSession",
]
