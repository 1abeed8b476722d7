"""The learning list and feeds: /api/v1/learning/... and /api/v1/feeds/..."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status

from devday import inputs
from devday.concurrency import etag, expected_version
from devday.day.calendar_days import local_today
from devday.deps import ClockDep, CurrentUser, IdPath, SessionDep, StateDep
from devday.learning import agenda as agenda_service
from devday.learning import feeds, service
from devday.learning import fetch as feed_fetch
from devday.learning.models import ItemKind
from devday.learning.schemas import (
    AgendaRead,
    CourseProgress,
    FeedCreate,
    FeedItemRead,
    FeedRead,
    FeedUpdate,
    KindMinutes,
    LearningDone,
    LearningItemCreate,
    LearningItemRead,
    LearningItemUpdate,
    PreferenceRead,
    PreferenceWrite,
    SlotRead,
    WeekRead,
)

router = APIRouter(prefix="/api/v1", tags=["learning"])
DayQuery = Annotated[inputs.Day | None, Query(description="A local date, YYYY-MM-DD")]


@router.get("/learning/items", response_model=list[LearningItemRead])
def list_items(
    user: CurrentUser,
    session: SessionDep,
    include_done: bool = False,
    kind: ItemKind | None = None,
) -> list[LearningItemRead]:
    """Your learning list: open items in the order the planner takes them (nearest goal date,
    then starred, then oldest); with `include_done`, finished ones after them."""
    rows = service.list_items(session=session, user=user, include_done=include_done, kind=kind)
    return [LearningItemRead.model_validate(row) for row in rows]


@router.post("/learning/items", status_code=status.HTTP_201_CREATED)
def add_item(
    data: LearningItemCreate, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> LearningItemRead:
    """Add a course (with `parts`: its lessons), a book (`parts`: chapters), an article or a
    talk (a link and `minutes` to read or watch it)."""
    item = service.add_item(session=session, user=user, data=data, now=clock.now())
    session.commit()
    return LearningItemRead.model_validate(item)


@router.get("/learning/items/{learning_item_id}")
def read_item(
    learning_item_id: IdPath, user: CurrentUser, session: SessionDep, response: Response
) -> LearningItemRead:
    """One item of your learning list, with its lessons or chapters and the time spent."""
    item = service.get_item(session=session, user=user, item_id=learning_item_id)
    response.headers["ETag"] = etag(item.version)
    return LearningItemRead.model_validate(service.view(session=session, item=item))


@router.patch("/learning/items/{learning_item_id}")
def update_item(
    learning_item_id: IdPath,
    data: LearningItemUpdate,
    user: CurrentUser,
    session: SessionDep,
    if_match: Annotated[str | None, Header()] = None,
) -> LearningItemRead:
    """Star it, set its goal date, rename it or change its estimate (`If-Match` optional)."""
    version = expected_version(if_match, None) if if_match is not None else None
    item = service.update_item(
        session=session, user=user, item_id=learning_item_id, data=data, version=version
    )
    session.commit()
    return LearningItemRead.model_validate(item)


@router.delete("/learning/items/{learning_item_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_item(learning_item_id: IdPath, user: CurrentUser, session: SessionDep) -> Response:
    """Remove an item from your list; the time spent on it stays in your figures."""
    service.delete_item(session=session, user=user, item_id=learning_item_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/learning/items/{learning_item_id}/done")
def mark_done(
    learning_item_id: IdPath,
    data: LearningDone,
    user: CurrentUser,
    session: SessionDep,
    clock: ClockDep,
) -> LearningItemRead:
    """Mark the next lesson or chapter (or `part_id`), or the article or talk, done; the time
    spent (`minutes`, default its estimate) is recorded as ending now."""
    item = service.mark_done(
        session=session, user=user, item_id=learning_item_id, data=data, now=clock.now()
    )
    session.commit()
    return LearningItemRead.model_validate(item)


@router.get("/learning/agenda")
def read_agenda(
    user: CurrentUser, session: SessionDep, clock: ClockDep, day: DayQuery = None
) -> AgendaRead:
    """What the planner puts in the personal-development block of `day` (default today)."""
    on = day or local_today(user, clock.now())
    slots = agenda_service.agenda(session=session, user=user, day=on)
    return AgendaRead(
        day=on,
        slots=[
            SlotRead(
                item_id=s.item_id,
                part_id=s.part_id,
                kind=s.kind,
                title=s.title,
                start=s.start,
                end=s.end,
                minutes=s.minutes,
            )
            for s in slots
        ],
    )


@router.get("/learning/week")
def read_week(
    user: CurrentUser, session: SessionDep, clock: ClockDep, start: DayQuery = None
) -> WeekRead:
    """Time spent learning per kind over the seven days from `start` (default: the last seven
    days), and the progress of each course and book."""
    from datetime import timedelta

    first = start or local_today(user, clock.now()) - timedelta(days=6)
    found = service.week(session=session, user=user, first=first)
    return WeekRead(
        start=found.start,
        end=found.end,
        total_minutes=found.total_minutes,
        by_kind=[KindMinutes(kind=k, minutes=m) for k, m in found.by_kind.items()],
        courses=[
            CourseProgress(
                item_id=c.row.id,
                title=c.row.title,
                kind=c.row.kind,
                parts_done=c.parts_done,
                parts=len(c.parts),
                goal_date=c.row.goal_date,
            )
            for c in found.courses
        ],
    )


@router.get("/learning/settings")
def read_settings(user: CurrentUser, session: SessionDep) -> PreferenceRead:
    """Your learning settings: whether learning may use free working time."""
    return PreferenceRead.model_validate(service.preference(session=session, user=user))


@router.put("/learning/settings")
def write_settings(data: PreferenceWrite, user: CurrentUser, session: SessionDep) -> PreferenceRead:
    """`in_working_hours`: learning may also go in working time that the plan leaves free on a
    day that keeps every deadline (default: only in the personal-development block)."""
    row = service.set_preference(session=session, user=user, in_working_hours=data.in_working_hours)
    session.commit()
    return PreferenceRead.model_validate(row)


# --- feeds ---------------------------------------------------------------------------------------


@router.get("/feeds")
def list_feeds(user: CurrentUser, session: SessionDep) -> list[FeedRead]:
    """The feeds you follow, with when each is fetched next and its last error."""
    return [FeedRead.model_validate(f) for f in feeds.list_feeds(session=session, user=user)]


@router.post("/feeds", status_code=status.HTTP_201_CREATED)
def subscribe(
    data: FeedCreate, user: CurrentUser, session: SessionDep, state: StateDep, clock: ClockDep
) -> FeedRead:
    """Follow an RSS or Atom feed. It is fetched once now: a feed that cannot be reached, is
    not a feed, is too large or leads to a non-public address is a 422 on `url` saying why,
    and nothing is stored."""
    settings = state.settings
    feeds.check_new(session=session, user=user, url=data.url)
    session.commit()  # no transaction stays open while the far end is spoken to
    with feed_fetch.client(settings.outbound_policy()) as http:
        fetched = feed_fetch.fetch(http, data.url, max_bytes=settings.feed_max_bytes)
    feed = feeds.subscribe(
        session=session,
        user=user,
        fetched=fetched,
        starred=data.starred,
        now=clock.now(),
        minimum_minutes=settings.feed_min_interval_minutes,
    )
    session.commit()
    return FeedRead.model_validate(feed)


@router.get("/feeds/items")
def list_feed_items(
    user: CurrentUser,
    session: SessionDep,
    starred: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[FeedItemRead]:
    """Items of your feeds not read later nor dismissed, newest first, with their feed;
    `starred` for the starred feeds' only."""
    rows = feeds.list_items(session=session, user=user, starred_only=starred, limit=limit)
    return [FeedItemRead.model_validate(row) for row in rows]


@router.post("/feeds/items/{feed_item_id}/later", status_code=status.HTTP_201_CREATED)
def read_later(
    feed_item_id: IdPath, user: CurrentUser, session: SessionDep, clock: ClockDep
) -> LearningItemRead:
    """Put the item on your learning list as an article, with a reading time from its words."""
    item = feeds.read_later(session=session, user=user, item_id=feed_item_id, now=clock.now())
    session.commit()
    return LearningItemRead.model_validate(service.view(session=session, item=item))


@router.post("/feeds/items/{feed_item_id}/dismiss", status_code=status.HTTP_204_NO_CONTENT)
def dismiss(feed_item_id: IdPath, user: CurrentUser, session: SessionDep) -> Response:
    """Hide a feed item from today's list."""
    feeds.dismiss(session=session, user=user, item_id=feed_item_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.patch("/feeds/{feed_id:int}")
def update_feed(
    feed_id: IdPath, data: FeedUpdate, user: CurrentUser, session: SessionDep
) -> FeedRead:
    """Star a feed (its items show in the morning review) or unstar it."""
    feed = feeds.set_starred(session=session, user=user, feed_id=feed_id, starred=data.starred)
    session.commit()
    return FeedRead.model_validate(feed)


@router.delete("/feeds/{feed_id:int}", status_code=status.HTTP_204_NO_CONTENT)
def unsubscribe(feed_id: IdPath, user: CurrentUser, session: SessionDep) -> Response:
    """Stop following a feed; its items go with it (those read later stay on your list)."""
    feeds.unsubscribe(session=session, user=user, feed_id=feed_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
