"""The Inbox page (the list with its filters, triage forms and the Ask form) and each team's
public help form. A thin adapter over ``devday.inbox.service``; ``inbox.views`` shapes the list.

Every action is a form POST that answers 303 back to the page (Post/Redirect/Get); a refused
one re-renders the page with the message next to the field, and a 4xx status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from fastapi import Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from devday.deps import IdPath
from devday.errors import Invalid, NotFound
from devday.inbox import service, setup
from devday.inbox.models import ItemSource
from devday.inbox.schemas import AcceptIn, AskCreate
from devday.inbox.views import LOCAL_INPUT, VIEWS, page_context
from devday.team.models import Team
from devday.web.forms import Clean, FormInvalid, FormStr, Refusal, form_id, form_version
from devday.web.page import Page, PageContext, VisitorPage, page_router

router = page_router()

PAGE = "inbox/inbox.html"
HELP_PAGE = "inbox/help.html"
LongText = Annotated[str, Form(max_length=20_000), Clean]
ACTIONS = ("accept", "decline", "snooze", "forward")


def _show(page: PageContext, status: int = 200, **extra: Any) -> Response:
    context = page_context(
        page.session,
        page.user,
        page.now,
        extra.pop("view", page.query("view", "open")),
        page.query("q"),
        extra.pop("item_id", None),
    )
    context.update(extra)
    return page.render(PAGE, context, status=status)


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(page: Page) -> Response:
    notice = {"asked": "Sent. They will see it in their inbox.", "done": "Done."}.get(
        page.query("ok")
    )
    return _show(page, notice=notice)


def _back(view: str, ok: str) -> str:
    return "/inbox?" + urlencode({"view": view if view in VIEWS else "open", "ok": ok})


@router.post("/inbox/ask")
def ask_form(page: Page, to: FormStr = "", subject: FormStr = "", body: LongText = "") -> Response:
    values = {"to": to, "subject": subject, "body": body}

    def ask() -> None:
        kind, _, raw_id = to.partition(":")
        if kind not in ("user", "team") or not raw_id.isdigit():
            raise Invalid("Choose a teammate or a team.", field="to")
        target = {"recipient_id" if kind == "user" else "team_id": int(raw_id)}
        data = AskCreate(subject=subject, body=body, **target)
        service.ask(session=page.session, user=page.user, data=data, now=page.now)

    def refused(refusal: Refusal) -> Response:
        if refusal.expired:
            return _show(page, 403, error=refusal.message, ask={"values": values, "errors": {}})
        errors: dict[str, str] = {}
        for name, message in (refusal.errors or {"to": refusal.message}).items():
            errors.setdefault("to" if name in ("recipient_id", "team_id") else name, message)
        return _show(page, 422, ask={"values": values, "errors": errors})

    return page.submit(ask, then=_back("sent", "asked"), refused=refused)


def _local_instant(text: str, timezone: str, name: str) -> datetime:
    try:
        naive = datetime.strptime(text.strip(), LOCAL_INPUT)
    except ValueError:
        raise Invalid("pick a date and a time", field=name) from None
    return naive.replace(tzinfo=ZoneInfo(timezone))


@router.post("/inbox/{item_id}/{action}")
def triage(
    page: Page,
    item_id: IdPath,
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
) -> Response:
    values = {
        "title": title,
        "importance": importance,
        "deadline": deadline,
        "reply": reply,
        "until": until,
        "to_user_id": to_user_id,
        "note": note,
    }
    session, user, now, current = page.session, page.user, page.now, form_version(version) or 0

    def act() -> None:
        common: dict[str, Any] = {"session": session, "user": user, "item_id": item_id}
        if action not in ACTIONS:
            raise NotFound("No such action.")
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
            service.accept(**common, data=data, version=current, now=now)
        elif action == "decline":
            service.decline(**common, reply=reply, version=current, now=now)
        elif action == "snooze":
            until_at = _local_instant(until, user.timezone, "until")
            service.snooze(**common, until=until_at, version=current, now=now)
        else:
            to = form_id(to_user_id, field="to_user_id", message="choose a teammate")
            service.forward(**common, to_user_id=to, note=note, version=current, now=now)

    def refused(refusal: Refusal) -> Response:
        if refusal.expired or refusal.status == 404:
            return _show(page, refusal.status, error=refusal.message, view=view)
        name = refusal.field or "form"
        message = refusal.errors.get(name, refusal.message)
        context = page_context(session, user, page.now, view, "", item_id)
        for row in context["rows"]:
            if row.item.id == item_id:
                row.errors = {name: message}
                row.open_form = action
                row.values = values
        if name in ("form", "status", "version"):
            context["error"] = message
        return page.render(PAGE, context, status=refusal.status)

    return page.submit(act, then=_back(view, "done"), refused=refused)


# --- the public help form ------------------------------------------------------------------------


def _help_team(session: Session, slug: str) -> Team | None:
    config = setup.by_slug(session=session, slug=slug[:60])
    if config is None or not config.help_form:
        return None
    return session.get(Team, config.team_id)


@router.get("/help/{slug}", response_class=HTMLResponse)
def help_page(visit: VisitorPage, slug: str) -> Response:
    team = _help_team(visit.session, slug)
    if team is None:
        return visit.render(HELP_PAGE, {"team": None}, status=404)
    context = {"team": team, "slug": slug, "sent": visit.query("sent") == "1"}
    return visit.render(HELP_PAGE, {**context, "values": {}, "errors": {}})


@router.post("/help/{slug}")
def help_submit(
    visit: VisitorPage,
    slug: str,
    name: FormStr = "",
    email: FormStr = "",
    subject: FormStr = "",
    message: LongText = "",
    website: FormStr = "",
) -> Response:
    team = _help_team(visit.session, slug)
    if team is None:
        return visit.render(HELP_PAGE, {"team": None}, status=404)
    values = {"name": name, "email": email, "subject": subject, "message": message}

    def send() -> None:
        if website.strip():
            return  # the honeypot: a person never fills the hidden field; a bot gets no hint
        errors = _help_errors(name, email, subject, message)
        if errors:
            raise FormInvalid(errors)
        settings = visit.state.settings
        visit.state.rate_limits.hit(
            settings.help_form_limit_per_address,
            "help-form",
            visit.address(),
            message="Too many requests from your address; please try again later.",
        )
        service.receive(
            session=visit.session,
            team=team,
            source=ItemSource.help_form,
            sender_email=validate_email(email, check_deliverability=False).normalized,
            sender_name=name,
            subject=subject,
            body=message,
            now=visit.now,
        )

    def refused(refusal: Refusal) -> Response:
        context = {"team": team, "slug": slug, "sent": False, "values": values}
        context["errors"] = refusal.errors
        context["error"] = None if refusal.errors else refusal.message
        return visit.render(HELP_PAGE, context, status=refusal.status)

    return visit.submit(send, then=f"/help/{slug}?sent=1", refused=refused)


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
