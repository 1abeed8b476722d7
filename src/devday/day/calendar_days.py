"""Local days: which day it is for a user, and their working days (from the routine)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from devday.account.models import User
from devday.planning import service as planning_service
from devday.planning.routine import WEEKDAYS


def local_today(user: User, now: datetime) -> date:
    return now.astimezone(ZoneInfo(user.timezone)).date()


def day_bounds(user: User, day: date) -> tuple[datetime, datetime]:
    """The instants a local day starts and ends (23 or 25 hours on a daylight-saving change)."""
    zone = ZoneInfo(user.timezone)
    return (
        datetime.combine(day, time(0), tzinfo=zone),
        datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone),
    )


def working_days(*, session: Session, user: User) -> set[str]:
    routine, _ = planning_service.get_routine(session=session, user=user)
    return {day for day, windows in routine["working_hours"].items() if windows}


def next_working_day(*, session: Session, user: User, day: date) -> date:
    """The first day after ``day`` with working hours (the next day if the routine has none)."""
    days = working_days(session=session, user=user)
    for offset in range(1, 8):
        candidate = day + timedelta(days=offset)
        if WEEKDAYS[candidate.weekday()] in days:
            return candidate
    return day + timedelta(days=1)


def previous_working_day(*, session: Session, user: User, day: date) -> date:
    days = working_days(session=session, user=user)
    for offset in range(1, 8):
        candidate = day - timedelta(days=offset)
        if WEEKDAYS[candidate.weekday()] in days:
            return candidate
    return day - timedelta(days=1)
