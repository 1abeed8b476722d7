"""Sign-in limits slow an attacker without locking out the owner (devday.account.login).

Each client here is its own browser (its own cookies) at its own address.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devday.account.login import DEVICE_COOKIE, LOCKED
from devday.app import create_app
from devday.clock import MockClock
from devday.config import Settings
from tests.factories import PASSWORD, Account, web_log_in


@contextmanager
def browser(app: FastAPI, address: str) -> Iterator[TestClient]:
    with TestClient(app, client=(address, 50000)) as client:
        yield client


def token_login(client: TestClient, email: str, password: str) -> int:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    return response.status_code


def test_it_holds_back_the_attackers_address_but_lets_the_owner_in_from_another(
    app: FastAPI, alice: Account
) -> None:
    with browser(app, "203.0.113.9") as attacker, browser(app, "198.51.100.7") as owner:
        tries = [token_login(attacker, alice.email, f"guess {i}") for i in range(12)]
        assert tries == [401] * 10 + [429, 429]
        assert token_login(attacker, alice.email, PASSWORD) == 429
        assert token_login(owner, alice.email, PASSWORD) == 201
        assert web_log_in(owner, alice.email).status_code == 303  # and on the web
        assert token_login(attacker, alice.email, "guess again") == 429


def test_it_locks_the_account_to_new_devices_and_a_known_device_gets_in(
    app: FastAPI, alice: Account
) -> None:
    app.state.devday.settings.login_limit_per_account = "20/hour"
    with browser(app, "192.0.2.10") as laptop:
        assert web_log_in(laptop, alice.email).status_code == 303
        assert DEVICE_COOKIE in laptop.cookies
        device = laptop.cookies[DEVICE_COOKIE]
    codes = []
    for n in range(3):  # three addresses, seven guesses each, each under its own limit
        with browser(app, f"203.0.113.{n + 1}") as attacker:
            codes += [token_login(attacker, alice.email, "guess") for _ in range(7)]
    assert codes == [401] * 20 + [429]
    with browser(app, "198.51.100.7") as new_device:
        locked = new_device.post(
            "/api/v1/auth/token", json={"email": alice.email, "password": PASSWORD}
        )
        assert locked.status_code == 429 and locked.json()["detail"] == LOCKED
        page = web_log_in(new_device, alice.email)
        assert page.status_code == 429 and "this account is locked" in page.text
    with browser(app, "203.0.113.77") as attacker:
        attacker.cookies.set(DEVICE_COOKIE, device + "x")  # a forged device cookie
        assert token_login(attacker, alice.email, PASSWORD) == 429
    with browser(app, "198.51.100.8") as laptop_elsewhere:
        laptop_elsewhere.cookies.set(DEVICE_COOKIE, device)
        assert web_log_in(laptop_elsewhere, alice.email).status_code == 303
    with browser(app, "198.51.100.7") as new_device:  # the known device lifted the lock
        assert token_login(new_device, alice.email, PASSWORD) == 201
    with browser(app, "203.0.113.1") as attacker:  # the attacker's own counts still hold
        assert [token_login(attacker, alice.email, "guess") for _ in range(4)] == [401] * 3 + [429]


def test_it_does_not_take_another_accounts_device_as_known(
    app: FastAPI, alice: Account, bob: Account
) -> None:
    app.state.devday.settings.login_limit_per_account = "5/hour"
    with browser(app, "203.0.113.5") as attacker:
        assert token_login(attacker, bob.email, PASSWORD) == 201  # a device known to Bob
        assert {token_login(attacker, alice.email, "guess") for _ in range(5)} == {401}
        assert token_login(attacker, alice.email, PASSWORD) == 429
    with browser(app, "198.51.100.9") as elsewhere:
        assert token_login(elsewhere, alice.email, PASSWORD) == 429


@pytest.mark.skipif(not os.environ.get("DEVDAY_TEST_REDIS_URL"), reason="set DEVDAY_TEST_REDIS_URL")
def test_it_shares_the_limits_between_processes_through_redis(
    settings: Settings, engine: Engine, clock: MockClock
) -> None:
    shared = settings.model_copy(update={"redis_url": os.environ["DEVDAY_TEST_REDIS_URL"]})
    one, two = (create_app(shared, engine=engine, clock=clock) for _ in range(2))
    tag = uuid.uuid4().hex  # Redis outlives the test database: keys of this run only
    email, attacker_at, owner_at = f"{tag}@example.com", f"attacker-{tag}", f"owner-{tag}"
    with browser(one, owner_at) as owner:
        body = {"email": email, "name": "Owner", "password": PASSWORD}
        assert owner.post("/api/v1/users", json=body).status_code == 201
    with browser(one, attacker_at) as attacker:
        assert {token_login(attacker, email, "guess") for _ in range(10)} == {401}
    with browser(two, attacker_at) as attacker, browser(two, owner_at) as owner:
        assert token_login(attacker, email, PASSWORD) == 429
        assert token_login(owner, email, PASSWORD) == 201
