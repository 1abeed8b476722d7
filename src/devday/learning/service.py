"""The learning list: items with their lessons or chapters, marking them done (which records
the time spent), a user's learning settings, and the figures of a week in learning."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.concurrency import check_version, flush_versioned
from devday.errors import Invalid, NotFound
from devday.learning.models import (
    WITH_PARTS,
    Feed,
    FeedItem,
    FeedItemState,
    ItemKind,
    LearningItem,
    LearningPart,
    LearningPreference,
    LearningTime,
)
from devday.learning.schemas import LearningDone, LearningItemCreate, LearningItemUpdate

MINUTE = timedelta(minutes=1)
#: The most items the list shows.
MAX_LISTED = 500


@dataclass
class ItemView:
    """An item with its parts and what was done of it, as the API and pages show it."""

    row: LearningItem
    parts: list[LearningPart]
    minutes_spent: int

    def __getattr__(self, name: str) -> object:
        if name.startswith("__") or name == "row":
            raise AttributeError(name)
        return getattr(self.row, name)

    @property
    def parts_done(self) -> int:
        return sum(1 for part in self.parts if part.done_at is not None)

    @property
    def next_part(self) -> LearningPart | None:
        return next((part for part in self.parts if part.done_at is None), None)

    def step_minutes(self) -> int:
        """Minutes of the next sitting: the next part's estimate, else the item's."""
        part = self.next_part
        if part is not None and part.minutes:
            return part.minutes
        return self.row.minutes


# --- items ---------------------------------------------------------------------------------------


def add_item(*, session: Session, user: User, data: LearningItemCreate, now: datetime) -> ItemView:
    if data.parts and data.kind not in WITH_PARTS:
        raise Invalid("only a course (lessons) or a book (chapters) has parts", field="parts")
    item = LearningItem(
        user_id=user.id,
        kind=data.kind,
        title=data.title,
        url=data.url,
        minutes=data.minutes,
        goal_date=data.goal_date,
        starred=data.starred,
        created_at=now,
    )
    session.add(item)
    session.flush()
    parts = [
        LearningPart(item_id=item.id, position=i + 1, title=part.title, minutes=part.minutes)
        for i, part in enumerate(data.parts)
    ]
    session.add_all(parts)
    session.flush()
    return ItemView(item, parts, 0)


def get_item(*, session: Session, user: User, item_id: int) -> LearningItem:
    """One of the caller's own items; anyone else's is NotFound, as a missing one is."""
    item = session.get(LearningItem, item_id)
    if item is None or item.user_id != user.id:
        raise NotFound(f"learning item {item_id} not found")
    return item


def view(*, session: Session, item: LearningItem) -> ItemView:
    return views(session=session, items=[item])[0]


def views(*, session: Session, items: Sequence[LearningItem]) -> list[ItemView]:
    ids = [item.id for item in items]
    parts: dict[int, list[LearningPart]] = defaultdict(list)
    spent: dict[int, int] = {}
    if ids:
        for part in session.scalars(
            select(LearningPart)
            .where(LearningPart.item_id.in_(ids))
            .order_by(LearningPart.item_id, LearningPart.position)
        ):
            parts[part.item_id].append(part)
        for item_id, start, end in session.execute(
            select(LearningTime.item_id, LearningTime.start_at, LearningTime.end_at).where(
                LearningTime.item_id.in_(ids)
            )
        ):
            if item_id is not None:
                spent[item_id] = spent.get(item_id, 0) + (end - start) // MINUTE
    return [ItemView(item, parts[item.id], spent.get(item.id, 0)) for item in items]


def list_items(
    *, session: Session, user: User, include_done: bool = False, kind: ItemKind | None = None
) -> list[ItemView]:
    """The caller's items: open ones in the order the planner takes them (nearest goal date,
    then starred, then oldest), done ones after."""
    query = select(LearningItem).where(LearningItem.user_id == user.id)
    if not include_done:
        query = query.where(LearningItem.done_at.is_(None))
    if kind is not None:
        query = query.where(LearningItem.kind == kind)
    rows = session.scalars(query.order_by(LearningItem.id).limit(MAX_LISTED)).all()
    return sorted(views(session=session, items=rows), key=order_key)


def order_key(item: ItemView) -> tuple[bool, bool, date, bool, datetime, int]:
    """The planner's order: open first, the nearest goal date, then starred, then oldest."""
    return (
        item.row.done_at is not None,
        item.row.goal_date is None,
        item.row.goal_date or date.max,
        not item.row.starred,
        item.row.created_at,
        item.row.id,
    )


def update_item(
    *,
    session: Session,
    user: User,
    item_id: int,
    data: LearningItemUpdate,
    version: int | None,
) -> ItemView:
    item = get_item(session=session, user=user, item_id=item_id)
    if version is not None:
        check_version(item.version, version, f"learning item {item_id}")
    sent = data.model_fields_set
    for name in ("title", "starred", "minutes"):
        if name in sent:
            value = getattr(data, name)
            if value is None:
                raise Invalid("may not be null", field=name)
            setattr(item, name, value)
    if "goal_date" in sent:
        item.goal_date = data.goal_date
    flush_versioned(session, f"learning item {item_id}")
    return view(session=session, item=item)


def delete_item(*, session: Session, user: User, item_id: int) -> None:
    item = get_item(session=session, user=user, item_id=item_id)
    session.delete(item)
    session.flush()


def mark_done(
    *, session: Session, user: User, item_id: int, data: LearningDone, now: datetime
) -> ItemView:
    """Marks a lesson or chapter done (the one named, else the next), or the whole article or
    talk, and records the time spent as ending now. The last part done finishes the item."""
    item = get_item(session=session, user=user, item_id=item_id)
    current = view(session=session, item=item)
    part: LearningPart | None = None
    if data.part_id is not None:
        part = next((p for p in current.parts if p.id == data.part_id), None)
        if part is None:
            raise Invalid(f"part {data.part_id} is not one of this item's", field="part_id")
    elif current.parts:
        part = current.next_part
    if part is not None and part.done_at is not None:
        raise Invalid(f"'{part.title}' is done already", field="part_id")
    if part is None and item.done_at is not None:
        raise Invalid(f"'{item.title}' is done already", field="item_id")
    minutes = data.minutes or (part.minutes if part and part.minutes else item.minutes)
    session.add(
        LearningTime(
            user_id=user.id,
            item_id=item.id,
            part_id=part.id if part else None,
            kind=item.kind,
            title=item.title if part is None else f"{item.title}: {part.title}",
            start_at=now.replace(microsecond=0) - minutes * MINUTE,
            end_at=now.replace(microsecond=0),
        )
    )
    if part is not None:
        part.done_at = now
    if part is None or all(p.done_at is not None for p in current.parts):
        item.done_at = now
    flush_versioned(session, f"learning item {item_id}")
    return view(session=session, item=item)


# --- settings ------------------------------------------------------------------------------------


def preference(*, session: Session, user: User) -> LearningPreference:
    return session.get(LearningPreference, user.id) or LearningPreference(
        user_id=user.id, in_working_hours=False
    )


def set_preference(*, session: Session, user: User, in_working_hours: bool) -> LearningPreference:
    row = session.get(LearningPreference, user.id)
    if row is None:
        row = LearningPreference(user_id=user.id, in_working_hours=in_working_hours)
        session.add(row)
    row.in_working_hours = in_working_hours
    session.flush()
    return row


# --- the morning review --------------------------------------------------------------------------


def starred_news(
    *, session: Session, user: User, since: datetime, limit: int = 10
) -> list[tuple[FeedItem, str]]:
    """New items of the user's starred feeds published since ``since``, newest first, each
    with its feed's title: what the morning review shows."""
    rows = session.execute(
        select(FeedItem, Feed.title)
        .join(Feed, Feed.id == FeedItem.feed_id)
        .where(
            FeedItem.user_id == user.id,
            Feed.starred.is_(True),
            FeedItem.state == FeedItemState.new,
            FeedItem.published_at >= since,
        )
        .order_by(FeedItem.published_at.desc(), FeedItem.id.desc())
        .limit(limit)
    )
    return [(item, title) for item, title in rows]


# --- figures -------------------------------------------------------------------------------------


def minutes_by_kind(
    *, session: Session, user_id: int, start: datetime, end: datetime
) -> dict[ItemKind, int]:
    """Minutes spent learning in [start, end) per kind, clipped to the window."""
    spent: dict[ItemKind, timedelta] = defaultdict(timedelta)
    for kind, lo, hi in session.execute(
        select(LearningTime.kind, LearningTime.start_at, LearningTime.end_at).where(
            LearningTime.user_id == user_id,
            LearningTime.start_at < end,
            LearningTime.end_at > start,
        )
    ):
        spent[kind] += min(hi, end) - max(lo, start)
    return {kind: total // MINUTE for kind, total in spent.items() if total >= MINUTE}


def course_progress(*, session: Session, user: User) -> list[ItemView]:
    """Open courses and books, and those finished in the last 30 days, with their parts."""
    rows = session.scalars(
        select(LearningItem)
        .where(LearningItem.user_id == user.id, LearningItem.kind.in_(WITH_PARTS))
        .order_by(LearningItem.id)
        .limit(MAX_LISTED)
    ).all()
    return sorted((v for v in views(session=session, items=rows) if v.parts), key=order_key)


def count_items(*, session: Session, user: User) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(LearningItem).where(LearningItem.user_id == user.id)
        )
        or 0
    )


@dataclass(frozen=True)
class Week:
    """A week in learning: minutes per kind on each of its days, and the courses' progress."""

    start: date
    days: list[date]
    table: dict[ItemKind, list[int]]
    courses: list[ItemView]

    @property
    def end(self) -> date:
        return self.days[-1]

    @property
    def by_kind(self) -> dict[ItemKind, int]:
        return {kind: sum(values) for kind, values in self.table.items() if sum(values)}

    @property
    def total_minutes(self) -> int:
        return sum(self.by_kind.values())


def week(*, session: Session, user: User, first: date) -> Week:
    """The seven local days from ``first``: time spent per kind each day, and progress."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(user.timezone)
    days = [first + timedelta(days=i) for i in range(7)]
    table: dict[ItemKind, list[int]] = {kind: [0] * 7 for kind in ItemKind}
    for i, day in enumerate(days):
        start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        for kind, minutes in minutes_by_kind(
            session=session, user_id=user.id, start=start, end=end
        ).items():
            table[kind][i] += minutes
    return Week(first, days, table, course_progress(session=session, user=user))
