"""The demo workspace's inbox: requests from teammates and one from a customer's help form."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from devday.account.models import User
from devday.inbox import service
from devday.inbox.models import ItemSource, TeamInbox
from devday.inbox.schemas import AcceptIn, AskCreate
from devday.team.models import Team


def seed(*, session: Session, team: Team, users: list[User], now: datetime) -> None:
    """``users`` are the demo's people in order (Alex, Sam, Priya); requests reach Alex."""
    alex, sam, priya = users[:3]
    session.add(TeamInbox(team_id=team.id, slug="backend", help_form=True, updated_at=now))
    service.ask(
        session=session,
        user=sam,
        data=AskCreate(
            recipient_id=alex.id,
            team_id=team.id,
            subject="Can you review the retry middleware PR by Thu?",
            body="It is #231: the backoff part needs a second pair of eyes.",
        ),
        now=now - timedelta(hours=2),
    )
    service.ask(
        session=session,
        user=priya,
        data=AskCreate(
            recipient_id=alex.id,
            subject="Pair on the search ranking tests tomorrow?",
            body="An hour in the afternoon would do.",
        ),
        now=now - timedelta(minutes=50),
    )
    service.receive(
        session=session,
        team=team,
        source=ItemSource.help_form,
        sender_email="dana@customer.example",
        sender_name="Dana Reyes",
        subject="CSV export times out",
        body="Since Friday our invoice export stops after 30 seconds. Urgent for the month end.",
        now=now - timedelta(minutes=20),
    )
    answered = service.ask(
        session=session,
        user=sam,
        data=AskCreate(
            recipient_id=alex.id,
            team_id=team.id,
            subject="Update the on-call runbook by Wed",
        ),
        now=now - timedelta(days=3),
    )
    service.accept(
        session=session,
        user=alex,
        item_id=answered.id,
        data=AcceptIn(reply="Will do."),
        version=answered.version,
        now=now - timedelta(days=3) + timedelta(hours=1),
    )
