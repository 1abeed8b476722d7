"""The Inbox page (the list with its filters, triage forms and the Ask form) and each team's
public help form. A thin adapter over ``devday.inbox.service``.

Every action is a form POST that answers 303 back to the page (Post/Redirect/Get); a refused
one re-renders the page with the message next to the field, and a 4xx status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from devday.account.models import User
from devday.deps import OptionalUser, SessionDep, StateDep
from devday.errors import DomainError, Invalid
from devday.inbox import service, setup
from devday.inbox.models import InboxItem, ItemSource, TeamInbox
from devday.inbox.schemas import AcceptIn, AskCreate
from devday.team import service as team_service
from devday.team.models import Team, TeamMember
from devday.web._legacy import form_ok, login_redirect
from devday.web.forms import FormStr
from devday.web.rendering import TEMPLATES, local, render

router = APIRouter(include_in_schema=False)

PAGE = "web/inbox.html"
HELP_PAGE = "web/inbox_help.html"
EXPIRED = "Your form expired; please try again."
VIEWS = {"open": "Open", "snoozed": "Snoozed", "sent": "Sent", "all": "All"}
LongText = Annotated[str, Form(max_length=20_000)]
IMPORTANCE = {4: "P1 critical", 3: "P2 high", 2: "P3 normal", 1: "P4 low"}
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


@dataclass
class Row:
    item: InboxItem
    can_act: bool
    sender: str
    recipient: str
    team: str
    importance: int
    deadline: str
    reason: str
    mates: list[tuple[int, str]]
    events: list[tuple[str, str]]
    task_status: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    open_form: str = ""
    values: dict[str, str] = field(default_factory=dict)


# --- the page ------------------------------------------------------------------------------------


def _teams(
    session: Session, user: User
) -> tuple[dict[int, Team], dict[int, TeamMember], dict[int, list[tuple[int, str]]]]:
    teams = {t.id: t for t, _role in team_service.list_teams(session=session, user=user)}
    mine = {
        m.team_id: m
        for m in session.scalars(select(TeamMember).where(TeamMember.user_id == user.id))
    }
    members: dict[int, list[tuple[int, str]]] = {team_id: [] for team_id in teams}
    if teams:
        rows = session.execute(
            select(TeamMember.team_id, User.id, User.name)
            .join(User, User.id == TeamMember.user_id)
            .where(TeamMember.team_id.in_(teams))
            .order_by(User.name, User.id)
        )
        for team_id, user_id, name in rows:
            members[team_id].append((user_id, name))
    return teams, mine, members


def _can_act(item: InboxItem, user: User, mine: dict[int, TeamMember]) -> bool:
    if item.status in service.DONE:
        return False
    if item.recipient_id == user.id:
        return True
    member = mine.get(item.team_id) if item.team_id is not None else None
    return member is not None and (
        item.recipient_id is None or member.role in team_service.MANAGING_ROLES
    )


def _rows(session: Session, user: User, items: list[InboxItem], now: datetime) -> list[Row]:
    teams, mine, members = _teams(session, user)
    everyone = sorted({m for team in members.values() for m in team}, key=lambda m: m[1])
    events = service.events_of(session=session, item_ids=[i.id for i in items])
    ids = {p for i in items for p in (i.recipient_id, i.sender_id) if p}
    ids |= {p for evs in events.values() for e in evs for p in (e.actor_id, e.to_user_id) if p}
    names = (
        {
            uid: name
            for uid, name in session.execute(select(User.id, User.name).where(User.id.in_(ids)))
        }
        if ids
        else {}
    )
    zone = user.timezone
    statuses = service.task_statuses(session=session, items=items)
    rows = []
    for item in items:
        hint = service.suggestion_for(session=session, item=item, now=now)
        mates = members.get(item.team_id, []) if item.team_id is not None else everyone
        history = []
        for event in events[item.id]:
            who = names.get(event.actor_id or 0, "")
            text = event.kind.value
            if event.to_user_id:
                text += f" to {names.get(event.to_user_id, '?')}"
            if who:
                text += f" by {who}"
            if event.note:
                text += f": {event.note}"
            history.append((local(event.at, zone), text))
        sender = names.get(item.sender_id or 0) or item.sender_name or item.sender_email or "?"
        if item.sender_email and item.source != ItemSource.colleague:
            sender = f"{item.sender_name or ''} <{item.sender_email}>".strip()
        rows.append(
            Row(
                item=item,
                can_act=_can_act(item, user, mine),
                sender=sender,
                recipient=names.get(item.recipient_id or 0, ""),
                team=teams[item.team_id].name if item.team_id in teams else "",
                importance=hint.importance,
                deadline=local(hint.deadline, zone, LOCAL_INPUT),
                reason=hint.reason,
                mates=[m for m in mates if m[0] != item.recipient_id],
                events=history,
                task_status=statuses.get(item.task_id or 0, ""),
            )
        )
    return rows


def page_context(
    session: Session, user: User, now: datetime, view: str, q: str, item_id: int | None = None
) -> dict[str, Any]:
    if view not in VIEWS:
        view = "open"
    if q.strip() and view == "open":
        view = "all"
    filters = service.InboxFilter(view=view, text=q.strip() or None)
    items = list(
        service.list_items(
            session=session, user=user, filters=filters, now=now, limit=100, offset=0
        )
    )
    if item_id is not None and all(i.id != item_id for i in items):
        try:
            items.insert(0, service.get_item(session=session, user=user, item_id=item_id))
        except DomainError:
            pass
    teams, _mine, members = _teams(session, user)
    everyone = sorted(
        {m for team in members.values() for m in team if m[0] != user.id}, key=lambda m: m[1]
    )
    forms = session.scalars(
        select(TeamInbox).where(TeamInbox.team_id.in_(teams), TeamInbox.help_form.is_(True))
    ).all()
    tomorrow = now.astimezone(ZoneInfo(user.timezone)).date() + timedelta(days=1)
    return {
        "user": user,
        "view": view,
        "views": VIEWS,
        "q": q,
        "rows": _rows(session, user, items, now),
        "importance_labels": IMPORTANCE,
        "teams": sorted(teams.values(), key=lambda t: t.name),
        "help_forms": sorted((teams[f.team_id].name, f.slug) for f in forms),
        "mates": everyone,
        "snooze_default": datetime.combine(tomorrow, time(9, 0)).strftime(LOCAL_INPUT),
        "ask": {"values": {}, "errors": {}},
        "error": None,
        "notice": None,
    }


def _show(
    request: Request, state: StateDep, session: Session, user: User, status: int = 200, **extra: Any
) -> Response:
    params = request.query_params
    context = page_context(
        session,
        user,
        state.clock.now(),
        extra.pop("view", params.get("view", "open")),
        params.get("q", "")[:200],
        extra.pop("item_id", None),
    )
    context.update(extra)
    return render(request, state, PAGE, context, status=status)


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser
) -> Response:
    if user is None:
        return login_redirect(request)
    notice = {"asked": "Sent. They will see it in their inbox.", "done": "Done."}.get(
        request.query_params.get("ok", "")
    )
    return _show(request, state, session, user, notice=notice)


def _back(view: str, ok: str) -> RedirectResponse:
    query = urlencode({"view": view if view in VIEWS else "open", "ok": ok})
    return RedirectResponse(f"/inbox?{query}", status_code=303)


@router.post("/inbox/ask")
def ask_form(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    to: FormStr = "",
    subject: FormStr = "",
    body: LongText = "",
    csrf_token: FormStr = "",
) -> Response:
    if user is None:
        return login_redirect(request)
    values = {"to": to, "subject": subject, "body": body}
    if not form_ok(request, state, csrf_token):
        return _show(
            request, state, session, user, 403, error=EXPIRED, ask={"values": values, "errors": {}}
        )
    errors: dict[str, str] = {}
    kind, _, raw_id = to.partition(":")
    target: dict[str, Any] = {}
    if kind in ("user", "team") and raw_id.isdigit():
        target = {"recipient_id" if kind == "user" else "team_id": int(raw_id)}
    else:
        errors["to"] = "Choose a teammate or a team."
    if not errors:
        try:
            data = AskCreate(subject=subject, body=body, **target)
            service.ask(session=session, user=user, data=data, now=state.clock.now())
            session.commit()
        except ValidationError as exc:
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else "subject"
                errors.setdefault(
                    "to" if name in ("recipient_id", "team_id") else name,
                    str(error["msg"]).removeprefix("Value error, "),
                )
        except DomainError as exc:
            session.rollback()
            name = exc.field or "to"
            errors["to" if name in ("recipient_id", "team_id") else name] = exc.message
    if errors:
        return _show(request, state, session, user, 422, ask={"values": values, "errors": errors})
    return _back("sent", "asked")


def _local_instant(text: str, timezone: str, name: str) -> datetime:
    try:
        naive = datetime.strptime(text.strip(), LOCAL_INPUT)
    except ValueError:
        raise Invalid("pick a date and a time", field=name) from None
    return naive.replace(tzinfo=ZoneInfo(timezone))


@router.post("/inbox/{item_id}/{action}")
def triage(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    item_id: int,
    action: str,
    version: FormStr = "",
    view: FormStr = "open",
    title: FormStr = "",
    importance: FormStr = "",
    deadline: FormStr = "",
    reply: LongText = "",
    until: FormStr = "",
    to_user_id: FormStr = "",
    note: FormStr = "",
    csrf_token: FormStr = "",
) -> Response:
    if user is None:
        return login_redirect(request)
    values = {
        "title": title,
        "importance": importance,
        "deadline": deadline,
        "reply": reply,
        "until": until,
        "to_user_id": to_user_id,
        "note": note,
    }
    if not form_ok(request, state, csrf_token):
        return _show(request, state, session, user, 403, error=EXPIRED, view=view)
    if action not in ("accept", "decline", "snooze", "forward"):
        return _show(request, state, session, user, 404, error="No such action.", view=view)
    now = state.clock.now()
    try:
        current = int(version) if version.strip().isdigit() else 0
        if action == "accept":
            data = AcceptIn(
                title=title.strip() or None,
                importance=int(importance) if importance.strip() in ("1", "2", "3", "4") else None,
                deadline=_local_instant(deadline, user.timezone, "deadline")
                if deadline.strip()
                else None,
                no_deadline=not deadline.strip(),
                reply=reply,
            )
            service.accept(
                session=session, user=user, item_id=item_id, data=data, version=current, now=now
            )
        elif action == "decline":
            service.decline(
                session=session, user=user, item_id=item_id, reply=reply, version=current, now=now
            )
        elif action == "snooze":
            when = _local_instant(until, user.timezone, "until")
            service.snooze(
                session=session, user=user, item_id=item_id, until=when, version=current, now=now
            )
        else:
            if not to_user_id.strip().isdigit():
                raise Invalid("choose a teammate", field="to_user_id")
            service.forward(
                session=session,
                user=user,
                item_id=item_id,
                to_user_id=int(to_user_id),
                note=note,
                version=current,
                now=now,
            )
        session.commit()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "form"
        return _refused(
            request,
            state,
            session,
            user,
            item_id,
            action,
            view,
            values,
            name,
            str(first["msg"]).removeprefix("Value error, "),
            422,
        )
    except DomainError as exc:
        session.rollback()
        return _refused(
            request,
            state,
            session,
            user,
            item_id,
            action,
            view,
            values,
            exc.field or "form",
            exc.message,
            exc.status_code,
        )
    return _back(view, "done")


def _refused(
    request: Request,
    state: StateDep,
    session: Session,
    user: User,
    item_id: int,
    action: str,
    view: str,
    values: dict[str, str],
    name: str,
    message: str,
    status: int,
) -> Response:
    if status == 404:
        return _show(request, state, session, user, 404, error=message, view=view)
    context = page_context(session, user, state.clock.now(), view, "", item_id)
    for row in context["rows"]:
        if row.item.id == item_id:
            row.errors = {name: message}
            row.open_form = action
            row.values = values
    if name in ("form", "status", "version"):
        context["error"] = message
    return render(request, state, PAGE, context, status=status)


def open_count(request: Request, user: User | None) -> int:
    """The nav's count of requests waiting for the signed-in user: two indexed queries."""
    if user is None:
        return 0
    app_state = request.app.state.devday
    with app_state.session_factory() as session:
        return service.open_count(session=session, user=user, now=app_state.clock.now())


TEMPLATES.env.globals["inbox_open_count"] = open_count


# --- the public help form ------------------------------------------------------------------------


@router.get("/help/{slug}", response_class=HTMLResponse)
def help_page(
    request: Request, state: StateDep, session: SessionDep, user: OptionalUser, slug: str
) -> Response:
    team = _help_team(session, slug)
    if team is None:
        return render(request, state, HELP_PAGE, {"user": user, "team": None}, status=404)
    sent = request.query_params.get("sent") == "1"
    return render(
        request,
        state,
        HELP_PAGE,
        {"user": user, "team": team, "slug": slug, "sent": sent, "values": {}, "errors": {}},
    )


def _help_team(session: Session, slug: str) -> Team | None:
    config = setup.by_slug(session=session, slug=slug[:60])
    if config is None or not config.help_form:
        return None
    return session.get(Team, config.team_id)


@router.post("/help/{slug}")
def help_submit(
    request: Request,
    state: StateDep,
    session: SessionDep,
    user: OptionalUser,
    slug: str,
    name: FormStr = "",
    email: FormStr = "",
    subject: FormStr = "",
    message: LongText = "",
    website: FormStr = "",
    csrf_token: FormStr = "",
) -> Response:
    team = _help_team(session, slug)
    if team is None:
        return render(request, state, HELP_PAGE, {"user": user, "team": None}, status=404)
    values = {"name": name, "email": email, "subject": subject, "message": message}
    context: dict[str, Any] = {
        "user": user,
        "team": team,
        "slug": slug,
        "sent": False,
        "values": values,
        "errors": {},
    }
    if not form_ok(request, state, csrf_token):
        context["error"] = EXPIRED
        return render(request, state, HELP_PAGE, context, status=403)
    address = request.client.host if request.client else "unknown"
    done = RedirectResponse(f"/help/{slug}?sent=1", status_code=303)
    if website.strip():
        return done  # the honeypot: a person never fills the hidden field; a bot gets no hint
    errors = _help_errors(name, email, subject, message)
    if errors:
        context["errors"] = errors
        return render(request, state, HELP_PAGE, context, status=422)
    try:
        state.rate_limits.hit(
            state.settings.help_form_limit_per_address,
            "help-form",
            address,
            message="Too many requests from your address; please try again later.",
        )
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, state, HELP_PAGE, context, status=exc.status_code)
    service.receive(
        session=session,
        team=team,
        source=ItemSource.help_form,
        sender_email=validate_email(email, check_deliverability=False).normalized,
        sender_name=name,
        subject=subject,
        body=message,
        now=state.clock.now(),
    )
    session.commit()
    return done


def _help_errors(name: str, email: str, subject: str, message: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Tell us your name."
    elif len(name) > 100:
        errors["name"] = "Keep it under 100 characters."
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        errors["email"] = "We need an email address to answer you."
    if not subject.strip():
        errors["subject"] = "Say in a few words what it is about."
    elif len(subject) > 200:
        errors["subject"] = "Keep it under 200 characters."
    if not message.strip():
        errors["message"] = "Describe what you need."
    elif len(message) > 5000:
        errors["message"] = "Keep it under 5000 characters."
    return errors
