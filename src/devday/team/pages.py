"""The Teams pages: your teams and a form to create one (/teams); a team's settings page with
its name, timezone and meeting time, members and roles, invitation links and deletion
(/teams/{id}); and the page an invitation link opens (/join/{token}).

Forms answer 303 back to the page; a refused one shows the page again with the message beside
its field. What each role may do comes from ``devday.team.policy``: a form is offered only to
those it allows, and the service refuses the rest anyway.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from devday.account import pages as account_pages
from devday.account import service as account_service
from devday.account.schemas import UserCreate
from devday.deps import IdPath
from devday.errors import Conflict, Invalid, NotFound
from devday.inbox import imap
from devday.inbox import setup as inbox_setup
from devday.inbox.schemas import TeamInboxUpdate
from devday.team import invitations
from devday.team import service as team_service
from devday.team.models import Role, Team
from devday.team.policy import Action
from devday.team.schemas import InvitationCreate, MemberAdd, TeamCreate, TeamUpdate
from devday.team.views import settings_context
from devday.web.forms import AnyFormStr, FormList, FormStr, Refusal, form_version
from devday.web.page import Missing, Page, PageContext, Visit, VisitorPage, page_router

router = page_router(
    Missing(
        title="Team not found",
        text="There is no such team, or you are not a member of it.",
        back="/teams",
        back_label="Your teams",
    )
)

LIST = "team/list.html"
SETTINGS = "team/settings.html"
DELETE = "team/delete.html"
JOIN = "team/join.html"
SAVED = {
    "created": "Team created. Add its members or make an invitation link below.",
    "settings": "Settings saved.",
    "member": "Member added.",
    "role": "Role changed.",
    "removed": "Member removed.",
    "revoked": "Invitation withdrawn.",
    "inbox": "Help form and mailbox saved.",
}
Token = Annotated[str, Path(min_length=1, max_length=100)]


def _role(text: str) -> Role:
    try:
        return Role(text or Role.member)
    except ValueError:
        raise Invalid(f"no such role: {text!r}", field="role") from None


def current_team(page: Page, team_id: IdPath) -> tuple[Team, Role]:
    return team_service.get_team(session=page.session, user=page.user, team_id=team_id)


CurrentTeam = Annotated[tuple[Team, Role], Depends(current_team)]


# --- your teams ----------------------------------------------------------------------------------


@router.get("/teams", response_class=HTMLResponse)
def teams_page(page: Page) -> Response:
    return _list(page)


def _list(page: PageContext, *, status: int = 200, **extra: Any) -> Response:
    context: dict[str, Any] = {
        "teams": team_service.list_teams(session=page.session, user=page.user),
        "timezones": account_pages.timezones(),
        "values": {"timezone": page.user.timezone},
        "errors": {},
        "error": None,
        "deleted": page.query("deleted") == "1",
        **extra,
    }
    return page.render(LIST, context, status=status)


@router.post("/teams", response_class=HTMLResponse)
def create_team(page: Page, name: FormStr = "", timezone: FormStr = "") -> Response:
    values = {"name": name, "timezone": timezone}

    def create() -> Team:
        data = TeamCreate(name=name, timezone=timezone or None)
        return team_service.create_team(session=page.session, user=page.user, data=data)

    def refused(refusal: Refusal) -> Response:
        errors = refusal.errors or {"name": refusal.message}
        return _list(page, values=values, errors=errors, status=refusal.status)

    return page.submit(create, then=lambda t: f"/teams/{t.id}?saved=created", refused=refused)


# --- one team's settings -------------------------------------------------------------------------


@router.get("/teams/{team_id}", response_class=HTMLResponse)
def team_page(page: Page, team: CurrentTeam) -> Response:
    return _settings(page, team, notice=SAVED.get(page.query("saved")))


def _settings(
    page: PageContext, team: tuple[Team, Role], *, status: int = 200, **extra: Any
) -> Response:
    context = settings_context(
        session=page.session, user=page.user, team=team[0], role=team[1], now=page.now
    ) | {"timezones": account_pages.timezones()}
    settings = page.state.settings
    context |= {"inbox_domain": settings.inbox_domain, "sends_email": settings.sends_email}
    context |= extra
    return page.render(SETTINGS, context, status=status)


def _refused(page: PageContext, team: tuple[Team, Role], section: str) -> Any:
    def show(refusal: Refusal) -> Response:
        errors = {f"{section}-{k}": v for k, v in refusal.errors.items()}
        message = None if errors and not refusal.expired else refusal.message
        return _settings(
            page, team, errors=errors, error=message, section=section, status=refusal.status
        )

    return show


@router.post("/teams/{team_id}", response_class=HTMLResponse)
def update_team(
    page: Page,
    team: CurrentTeam,
    name: FormStr = "",
    timezone: FormStr = "",
    meeting_time: FormStr = "",
    meeting_days: FormList = [],  # noqa: B006 - FastAPI copies defaults per request
    meeting_days_shown: FormStr = "",
    standup_reminder_minutes: FormStr = "",
) -> Response:
    def change() -> None:
        minutes = standup_reminder_minutes.strip()
        fields: dict[str, object] = {
            "name": name,
            "timezone": timezone or None,
            "meeting_time": meeting_time or None,
            "standup_reminder_minutes": int(minutes) if minutes.isdigit() else None,
        }
        # Unticked boxes send nothing: the marker tells "no day ticked" from "no boxes".
        if meeting_days_shown:
            if not meeting_days:
                raise Invalid("tick at least one day the team meets", field="meeting_days")
            fields["meeting_days"] = meeting_days
        data = TeamUpdate.model_validate(fields)
        team_service.update_team(
            session=page.session, user=page.user, team_id=team[0].id, data=data
        )

    then = f"/teams/{team[0].id}?saved=settings"
    return page.submit(change, then=then, refused=_refused(page, team, "settings"))


@router.post("/teams/{team_id}/members", response_class=HTMLResponse)
def add_member(page: Page, team: CurrentTeam, email: FormStr = "", role: FormStr = "") -> Response:
    def add() -> None:
        data = MemberAdd.model_validate({"email": email, "role": _role(role)})
        team_service.add_member(session=page.session, user=page.user, team_id=team[0].id, data=data)

    then = f"/teams/{team[0].id}?saved=member"
    return page.submit(add, then=then, refused=_refused(page, team, "member"))


@router.post("/teams/{team_id}/members/{user_id}", response_class=HTMLResponse)
def change_role(page: Page, team: CurrentTeam, user_id: IdPath, role: FormStr = "") -> Response:
    def change() -> None:
        new_role = _role(role)
        team_service.change_role(
            session=page.session,
            user=page.user,
            team_id=team[0].id,
            member_id=user_id,
            role=new_role,
        )

    then = f"/teams/{team[0].id}?saved=role"
    return page.submit(change, then=then, refused=_refused(page, team, "members"))


@router.post("/teams/{team_id}/members/{user_id}/remove", response_class=HTMLResponse)
def remove_member(page: Page, team: CurrentTeam, user_id: IdPath) -> Response:
    def remove() -> None:
        team_service.remove_member(
            session=page.session, user=page.user, team_id=team[0].id, member_id=user_id
        )

    left = user_id == page.user.id
    then = "/teams" if left else f"/teams/{team[0].id}?saved=removed"
    return page.submit(remove, then=then, refused=_refused(page, team, "members"))


@router.post("/teams/{team_id}/invitations", response_class=HTMLResponse)
def create_invitation(
    page: Page, team: CurrentTeam, role: FormStr = "", email: FormStr = ""
) -> Response:
    def create() -> tuple[str, str | None]:
        address = InvitationCreate.model_validate({"email": email.strip() or None}).email
        _invitation, secret = invitations.invite(
            session=page.session,
            settings=page.state.settings,
            limits=page.state.rate_limits,
            user=page.user,
            team_id=team[0].id,
            role=_role(role),
            email=address,
            now=page.now,
        )
        return secret, address

    # The link's secret is not stored: it is shown in this answer, not after a redirect; an
    # emailed one is not shown at all (the email is the one copy).
    def show(made: tuple[str, str | None]) -> Response:
        secret, address = made
        if address is not None:
            notice = f"Invitation emailed to {address}. Its delivery shows in the Outbox."
            return _settings(page, team, notice=notice, emailed_to=address, status=201)
        link = str(page.request.base_url).rstrip("/") + invitations.PREFIX + secret
        return _settings(page, team, new_link=link, status=201)

    return page.submit(create, then=show, refused=_refused(page, team, "invite"))


@router.post("/teams/{team_id}/invitations/{invitation_id}/revoke", response_class=HTMLResponse)
def revoke_invitation(page: Page, team: CurrentTeam, invitation_id: IdPath) -> Response:
    def revoke() -> None:
        invitations.revoke(
            session=page.session, user=page.user, team_id=team[0].id, invitation_id=invitation_id
        )

    then = f"/teams/{team[0].id}?saved=revoked"
    return page.submit(revoke, then=then, refused=_refused(page, team, "invite"))


@router.get("/teams/{team_id}/delete", response_class=HTMLResponse)
def confirm_delete(page: Page, team: CurrentTeam) -> Response:
    return _confirm(page, team)


def _confirm(page: PageContext, team: tuple[Team, Role], **extra: Any) -> Response:
    allowed = team[1] in Action.delete_team.roles
    status = extra.pop("status", 200 if allowed else 403)
    context = {"team": team[0], "allowed": allowed, "error": None, **extra}
    return page.render(DELETE, context, status=status)


@router.post("/teams/{team_id}/delete", response_class=HTMLResponse)
def delete_team(page: Page, team: CurrentTeam, confirm: FormStr = "") -> Response:
    def delete() -> None:
        if confirm.strip() != team[0].name:
            raise Invalid("type the team's name to delete it", field="confirm")
        team_service.delete_team(session=page.session, user=page.user, team_id=team[0].id)

    def refused(refusal: Refusal) -> Response:
        return _confirm(page, team, error=refusal.message, status=refusal.status)

    return page.submit(delete, then="/teams?deleted=1", refused=refused)


# --- the help form and the team's mailbox --------------------------------------------------------


@router.post("/teams/{team_id}/inbox", response_class=HTMLResponse)
def update_inbox(
    page: Page,
    team: CurrentTeam,
    slug: FormStr = "",
    help_form: FormStr = "",
    imap_enabled: FormStr = "",
    imap_host: FormStr = "",
    imap_port: FormStr = "",
    imap_tls: FormStr = "",
    imap_user: FormStr = "",
    imap_password: AnyFormStr = "",
    imap_folder: FormStr = "",
    poll_minutes: FormStr = "",
    version: FormStr = "",
) -> Response:
    team_id = team[0].id

    def change() -> None:
        fields: dict[str, object] = {
            "help_form": help_form == "1",
            "imap_enabled": imap_enabled == "1",
            "imap_tls": imap_tls == "1",
            "imap_host": imap_host,
            "imap_port": imap_port or 993,
            "imap_user": imap_user,
            "imap_folder": imap_folder or "INBOX",
            "poll_minutes": poll_minutes or 5,
        }
        if slug:
            fields["slug"] = slug
        if imap_password:  # left empty: the stored password stays
            fields["imap_password"] = imap_password
        data = TeamInboxUpdate.model_validate(fields)
        _team, existing = inbox_setup.get(session=page.session, user=page.user, team_id=team_id)
        current = (existing.imap_host, existing.imap_port) if existing else ("", 993)
        page.session.commit()  # the host is looked up with no transaction open
        inbox_setup.refuse_host(current, data, page.state.settings.outbound_policy(), team_id)
        inbox_setup.update(
            session=page.session,
            user=page.user,
            team_id=team_id,
            data=data,
            version=(form_version(version) or 0) if existing else None,
            now=page.now,
        )

    then = f"/teams/{team_id}?saved=inbox#inbox-heading"
    return page.submit(change, then=then, refused=_refused(page, team, "inbox"))


@router.post("/teams/{team_id}/inbox/poll", response_class=HTMLResponse)
def test_mailbox(page: Page, team: CurrentTeam) -> Response:
    """Polls the mailbox now, as the API's poll-now does, and shows what happened."""
    team_id = team[0].id

    def poll() -> imap.PollResult:
        _team, row = inbox_setup.get(session=page.session, user=page.user, team_id=team_id)
        if row is None or not row.imap_host:
            raise Invalid("set up the team's IMAP mailbox first", field="imap_host")
        state = page.state
        state.rate_limits.hit(
            state.settings.inbox_poll_limit_per_team,
            "inbox-poll",
            str(team_id),
            message="the team's mailbox was polled often just now; try again later",
        )
        result = imap.poll_now(
            page.session,
            state.session_factory,
            team_id,
            state.settings.outbound_policy(),
            state.clock,
        )
        if result is None:
            raise Conflict("the team's mailbox is being polled right now; try again in a moment")
        return result

    return page.submit(
        poll,
        then=lambda result: _settings(page, team, poll=result),
        refused=_refused(page, team, "inbox"),
    )


# --- an invitation link --------------------------------------------------------------------------


@router.get("/join/{token}", response_class=HTMLResponse)
def join_page(visit: VisitorPage, token: Token) -> Response:
    return _join(visit, token)


def _join(visit: Visit, token: str, *, status: int = 200, **extra: Any) -> Response:
    try:
        invitation, team = invitations.look_up(session=visit.session, secret=token, now=visit.now)
    except (invitations.InvitationGone, NotFound) as gone:
        return visit.render(JOIN, {"gone": gone.message}, status=gone.status_code)
    member = (
        team_service.member_role(session=visit.session, team_id=team.id, user_id=visit.user.id)
        if visit.user
        else None
    )
    context = {
        "team": team,
        "role": invitation.role,
        "token": token,
        "member": member,
        "timezones": account_pages.timezones(),
        # An emailed invitation fills in its address; the invitee may use another.
        "values": {"email": invitation.email or "", "login-email": invitation.email or ""},
        "errors": {},
        "error": None,
        **extra,
    }
    return visit.render(JOIN, context, status=status)


@router.post("/join/{token}", response_class=HTMLResponse)
def join(page: Page, token: Token) -> Response:
    def accept() -> Team:
        team, _role = invitations.accept(
            session=page.session, user=page.user, secret=token, now=page.now
        )
        return team

    def refused(refusal: Refusal) -> Response:
        return page.render(JOIN, {"gone": refusal.message}, status=refusal.status)

    return page.submit(accept, then=lambda team: f"/team/{team.id}", refused=refused)


# Sign-up and log-in from the invitation page are the account pages' own forms (with their
# rate limits and checks); only where they lead afterwards changes: back to the link.


@router.post("/join/{token}/signup", response_class=HTMLResponse)
def join_signing_up(
    visit: VisitorPage,
    token: Token,
    email: FormStr,
    name: FormStr,
    password: FormStr,
    timezone: FormStr = "UTC",
) -> Response:
    values = {"email": email, "name": name, "timezone": timezone}
    try:
        UserCreate(email=email, name=name, password=password, timezone=timezone)
    except ValidationError as exc:
        errors = Refusal.of(exc).errors
        return _join(visit, token, values=values, errors=errors, status=422)
    answer = account_pages.signup(visit, email, name, password, timezone)
    # The sign-up page answers 422 for any refusal; a taken email (checked after its rate
    # limit) is worth a pointer to the log-in form beside it.
    if answer.status_code == 422 and account_service.get_user_by_email(
        session=visit.session, email=email
    ):
        return _join(visit, token, values=values, error=_REFUSED[409], status=409)
    return _back_to_link(visit, token, answer, values)


@router.post("/join/{token}/login", response_class=HTMLResponse)
def join_logging_in(
    visit: VisitorPage, token: Token, email: FormStr, password: FormStr
) -> Response:
    answer = account_pages.login(visit, email, password)
    return _back_to_link(visit, token, answer, {"login-email": email})


# What the account pages' refusals mean, said on the invitation page so the link is not lost.
_REFUSED = {
    401: "Wrong email or password.",
    403: "Your form expired; please try again.",
    409: "An account already uses this email: log in below instead.",
    429: "Too many attempts just now; try again later.",
}


def _back_to_link(visit: Visit, token: str, answer: Response, values: dict[str, str]) -> Response:
    if answer.status_code == 303:
        answer.headers["location"] = invitations.PREFIX + token
        return answer
    message = _REFUSED.get(answer.status_code, "That did not work; check the form and try again.")
    return _join(visit, token, values=values, error=message, status=answer.status_code)
