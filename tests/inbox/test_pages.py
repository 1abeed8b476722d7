"""The Inbox page and the public help form through TestClient: forms, errors, empty states."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from devday.clock import MockClock
from devday.config import Settings
from devday.inbox.models import InboxItem
from tests.factories import Account, api_team, csrf_from, web_log_in
from tests.inbox.support import ask, carol, inbox


def item_html(page: str, item_id: int) -> str:
    match = re.search(
        rf'<li class="card inbox-item[^"]*" data-item-id="{item_id}".*?</li>\n', page, re.S
    )
    assert match, f"item {item_id} is on the page"
    return match.group(0)


def test_it_sends_a_signed_out_visitor_to_the_login(client: TestClient) -> None:
    response = client.get("/inbox", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/inbox"


def test_it_shows_the_empty_inbox_and_the_nav_entry(client: TestClient, alice: Account) -> None:
    web_log_in(client, alice.email)
    page = client.get("/inbox")
    assert page.status_code == 200
    assert "Nothing waits for you. Inbox zero." in page.text
    assert '<a href="/inbox" aria-current="page">Inbox</a>' in page.text
    assert "Join a team first" in page.text
    assert " style=" not in page.text and "<script" not in page.text  # strict CSP


def test_it_lists_requests_with_the_suggestion_prefilled_and_accepts_one(
    client: TestClient, alice: Account, bob: Account
) -> None:
    api_team(client, alice, members=[bob])
    item = ask(
        client, bob, recipient_id=alice.id, subject="Review the <auth> PR by Thu?", body="#231"
    )
    web_log_in(client, alice.email)
    page = client.get("/today")
    assert '<a href="/inbox">Inbox (1)</a>' in page.text

    page = client.get("/inbox")
    html = item_html(page.text, item["id"])
    assert "Review the &lt;auth&gt; PR by Thu?" in html and "<auth>" not in html
    assert 'value="2026-12-03T18:00"' in html  # Thursday, the end of the day in Berlin
    assert '<option value="2" selected>P3 normal</option>' in html
    assert f'<label for="deadline-{item["id"]}">Deadline</label>' in html

    response = client.post(
        f"/inbox/{item['id']}/accept",
        data={
            "csrf_token": csrf_from(page.text),
            "version": "1",
            "view": "open",
            "title": "Review auth PR #231",
            "importance": "4",
            "deadline": "2026-12-02T12:00",
            "reply": "On it",
        },
        follow_redirects=False,
    )
    assert (
        response.status_code == 303 and response.headers["location"] == "/inbox?view=open&ok=done"
    )
    [done] = inbox(client, alice, q="auth")
    task = client.get(f"/api/v1/tasks/{done['task_id']}", headers=alice.headers).json()
    assert (task["title"], task["importance"], task["deadline"]) == (
        "Review auth PR #231",
        4,
        "2026-12-02T11:00:00Z",
    )
    after = client.get("/inbox")
    assert "Nothing waits for you" in after.text and "Inbox (" not in after.text
    found = client.get("/inbox?q=auth")
    assert f'data-item-id="{item["id"]}"' in found.text and "task #" in found.text


def test_it_shows_a_refused_triage_next_to_its_field(
    client: TestClient, alice: Account, bob: Account
) -> None:
    c = carol(client)
    team = api_team(client, alice, members=[bob, c])
    item = ask(client, bob, team_id=team, subject="Flaky checkout test")
    web_log_in(client, alice.email)
    page = client.get("/inbox")
    token = csrf_from(page.text)

    empty = client.post(
        f"/inbox/{item['id']}/decline", data={"csrf_token": token, "version": "1", "reply": " "}
    )
    assert empty.status_code == 422
    html = item_html(empty.text, item["id"])
    assert f'id="item-{item["id"]}-reply-error">say why, for the requester</p>' in html
    assert "<details open>" in html

    bad_time = client.post(
        f"/inbox/{item['id']}/snooze", data={"csrf_token": token, "version": "1", "until": "soon"}
    )
    assert bad_time.status_code == 422
    assert f'id="item-{item["id"]}-until-error">pick a date and a time</p>' in bad_time.text

    stale = client.post(
        f"/inbox/{item['id']}/snooze",
        data={"csrf_token": token, "version": "5", "until": "2026-12-01T09:00"},
    )
    assert stale.status_code == 409 and "changed by someone else" in stale.text

    forwarded = client.post(
        f"/inbox/{item['id']}/forward",
        data={"csrf_token": token, "version": "1", "to_user_id": str(c.id), "note": "yours"},
        follow_redirects=False,
    )
    assert forwarded.status_code == 303
    assert [i["id"] for i in inbox(client, c)] == [item["id"]]
    # Carol has it now; Alice owns the team, and the team's owners and managers may still act.
    snoozed = client.post(
        f"/inbox/{item['id']}/snooze",
        data={"csrf_token": token, "version": "2", "until": "2026-12-01T09:00"},
        follow_redirects=False,
    )
    assert snoozed.status_code == 303
    expired = client.post(f"/inbox/{item['id']}/decline", data={"version": "3", "reply": "x"})
    assert expired.status_code == 403 and "Your form expired" in expired.text


def test_it_sends_a_request_from_the_ask_form(
    client: TestClient, alice: Account, bob: Account
) -> None:
    team = api_team(client, alice, members=[bob])
    web_log_in(client, bob.email)
    page = client.get("/inbox")
    assert f'<option value="user:{alice.id}">Alice</option>' in page.text
    assert f'<option value="team:{team}">Backend (anyone)</option>' in page.text
    token = csrf_from(page.text)

    refused = client.post("/inbox/ask", data={"csrf_token": token, "to": "", "subject": ""})
    assert refused.status_code == 422
    assert 'id="ask-to-error">Choose a teammate or a team.</p>' in refused.text
    assert '<details class="card ask" open' in refused.text

    no_subject = client.post(
        "/inbox/ask", data={"csrf_token": token, "to": f"user:{alice.id}", "subject": "  "}
    )
    assert no_subject.status_code == 422 and 'id="ask-subject-error"' in no_subject.text
    assert f'<option value="user:{alice.id}" selected>' in no_subject.text

    sent = client.post(
        "/inbox/ask",
        data={"csrf_token": token, "to": f"user:{alice.id}", "subject": "Pair at 14:00?"},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/inbox?view=sent&ok=asked"
    mine = client.get("/inbox?view=sent&ok=asked")
    assert "Sent. They will see it in their inbox." in mine.text and "Pair at 14:00?" in mine.text
    assert [i["subject"] for i in inbox(client, alice)] == ["Pair at 14:00?"]


def help_setup(client: TestClient, alice: Account, bob: Account) -> int:
    team = api_team(client, alice, members=[bob])
    response = client.patch(
        f"/api/v1/teams/{team}/inbox",
        json={"slug": "backend", "help_form": True},
        headers=alice.headers,
    )
    assert response.status_code == 200, response.text
    return team


def help_form(client: TestClient, **fields: str):  # type: ignore[no-untyped-def]
    page = client.get("/help/backend")
    data = {
        "csrf_token": csrf_from(page.text),
        "name": "Dana Client",
        "email": "dana@customer.example",
        "subject": "Cannot reset my password",
        "message": "The reset mail never arrives.",
        "website": "",
        **fields,
    }
    return client.post("/help/backend", data=data, follow_redirects=False)


def test_it_takes_requests_on_the_public_help_form(
    client: TestClient, alice: Account, bob: Account
) -> None:
    team = help_setup(client, alice, bob)
    links = client.get("/inbox", headers=alice.headers)  # pages take API tokens too
    assert '<a href="/help/backend">Backend</a>' in links.text
    page = client.get("/help/backend")
    assert page.status_code == 200 and "Ask Backend for help" in page.text
    assert 'class="hp" aria-hidden="true"' in page.text and 'tabindex="-1"' in page.text
    assert "Log out" not in page.text  # no sign-in needed

    sent = help_form(client)
    assert sent.status_code == 303 and sent.headers["location"] == "/help/backend?sent=1"
    assert "Your request reached Backend" in client.get("/help/backend?sent=1").text
    [item] = inbox(client, bob)
    assert (item["source"], item["team_id"], item["sender_email"]) == (
        "help_form",
        team,
        "dana@customer.example",
    )
    assert item["body"] == "The reset mail never arrives."

    bad = help_form(client, email="not-an-address", message="")
    assert bad.status_code == 422
    assert 'id="help-email-error"' in bad.text and 'id="help-message-error"' in bad.text
    assert 'value="Cannot reset my password"' in bad.text


def test_it_drops_what_a_bot_puts_in_the_honeypot(
    client: TestClient, alice: Account, bob: Account, engine: Engine
) -> None:
    help_setup(client, alice, bob)
    response = help_form(client, website="http://spam.example")
    assert response.status_code == 303  # the bot is told nothing
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(InboxItem)) == 0


def test_it_limits_the_help_form_per_address(
    settings: Settings, engine: Engine, clock: MockClock, alice: Account, bob: Account, app: FastAPI
) -> None:
    from devday.app import create_app

    limited = create_app(
        settings.model_copy(update={"help_form_limit_per_address": "2/hour"}),
        engine=engine,
        clock=clock,
    )
    with TestClient(app) as setup_client:
        help_setup(setup_client, alice, bob)
    with TestClient(limited) as client:
        assert help_form(client).status_code == 303
        assert help_form(client).status_code == 303
        third = help_form(client)
        assert third.status_code == 429 and "Too many requests" in third.text
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(InboxItem)) == 2


def test_it_answers_404_for_a_help_form_that_is_off(
    client: TestClient, alice: Account, bob: Account
) -> None:
    assert client.get("/help/backend").status_code == 404
    team = api_team(client, alice, members=[bob])
    client.patch(f"/api/v1/teams/{team}/inbox", json={"slug": "backend"}, headers=alice.headers)
    missing = client.get("/help/backend")
    assert missing.status_code == 404 and "No such help form" in missing.text
