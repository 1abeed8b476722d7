"""Team figures: GET /api/v1/teams/{team_id}/figures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from devday.deps import ClockDep, CurrentUser, IdPath, SessionDep
from devday.figures import service
from devday.figures.schemas import MemberFigures, TeamFiguresRead, WeekFigures

router = APIRouter(prefix="/api/v1", tags=["figures"])


def week_read(figures: service.Figures) -> WeekFigures:
    return WeekFigures(
        week_start=figures.week_start,
        tasks_finished=figures.tasks_finished,
        finished_with_deadline=figures.finished_with_deadline,
        finished_on_time=figures.finished_on_time,
        on_time_share=figures.on_time_share,
        minutes_by_kind=figures.minutes_by_kind,
        total_minutes=figures.total_minutes,
        estimated_tasks=figures.estimated_tasks,
        estimate_ratio_median=figures.estimate_ratio_median,
        requests_answered=figures.requests_answered,
        answer_minutes_median=figures.answer_minutes_median,
    )


def figures_read(result: service.TeamFigures) -> TeamFiguresRead:
    return TeamFiguresRead(
        team_id=result.team.id,
        timezone=result.team.timezone,
        weeks=result.weeks,
        totals=[week_read(f) for f in result.totals],
        overall=week_read(result.overall),
        members=[
            MemberFigures(
                user_id=m.user.id,
                name=m.user.name,
                role=m.role,
                weeks=[week_read(f) for f in m.weeks],
                overall=week_read(m.overall),
            )
            for m in result.members
        ],
        all_members=result.all_members,
    )


@router.get("/teams/{team_id}/figures", response_model=TeamFiguresRead)
def team_figures(
    team_id: IdPath,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
    weeks: Annotated[int, Query(ge=1, le=service.MAX_WEEKS, description="Weeks back, 1 to 52")] = 8,
) -> TeamFiguresRead:
    """The team's figures per week (Monday to Sunday in the team's timezone, this week last):
    tasks finished and the share finished by their deadline, time logged by kind, estimate
    accuracy (median actual/estimate) and requests answered with the median time to answer.
    Team totals for every member; per member for owners and managers, your own otherwise."""
    result = service.team_figures(
        session=session, user=user, team_id=team_id, weeks=weeks, now=clock.now()
    )
    return figures_read(result)
