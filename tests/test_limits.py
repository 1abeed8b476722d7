"""Request body limits: a body over the limit answers 413 before it is read (at once from its
Content-Length, or as soon as a chunked body passes the limit), a body that trickles in answers
408, and both carry the API's error body."""

from __future__ import annotations

import json
import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from devday.app import create_app
from devday.cli.serve_http import HeadTimeoutProtocol
from devday.clock import MockClock
from devday.config import Settings
from devday.limits import BodyLimits
from tests.served import Connection, served

LIMIT = 10_000


@pytest.fixture
def small_app(settings: Settings, engine: Engine, clock: MockClock) -> FastAPI:
    limited = settings.model_copy(update={"max_body_bytes": LIMIT, "body_timeout_seconds": 0.5})
    return create_app(limited, engine=engine, clock=clock)


def test_it_refuses_a_large_json_body_before_authentication(client: TestClient) -> None:
    title = "x" * 2_000_000
    response = client.post("/api/v1/tasks", content=json.dumps({"title": title}))
    assert response.status_code == 413  # not 401: the body was never read nor parsed
    assert response.json() == {
        "detail": "request body too large: at most 1048576 bytes",
        "errors": [],
    }
    assert response.headers["connection"] == "close"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_it_keeps_bodies_under_the_limit(client: TestClient) -> None:
    response = client.post("/api/v1/tasks", json={"title": "x" * 500_000})
    assert response.status_code == 401  # read, parsed, then refused for want of a token


def test_it_refuses_a_large_form_on_a_page(small_app: FastAPI) -> None:
    with TestClient(small_app) as web:
        response = web.post("/login", data={"email": "a@example.com", "password": "p" * LIMIT})
    assert response.status_code == 413


@pytest.mark.parametrize("http", ["h11", "httptools"])
def test_it_answers_a_huge_content_length_at_once(small_app: FastAPI, http: str) -> None:
    with served(small_app, http) as port, Connection(port, timeout=5) as conn:
        started = time.monotonic()
        conn.send(
            b"POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 10000000000\r\n\r\n"
        )
        answer = conn.answer()
        assert answer.status == 413
        assert time.monotonic() - started < 2
        assert json.loads(answer.body)["detail"] == f"request body too large: at most {LIMIT} bytes"
        assert conn.closed_by_server()


@pytest.mark.parametrize("http", ["h11", "httptools"])
def test_it_stops_reading_a_chunked_body_past_the_limit(small_app: FastAPI, http: str) -> None:
    with served(small_app, http) as port, Connection(port, timeout=5) as conn:
        conn.send(
            b"POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"x" * 4096
        for _ in range(4):  # 16 KiB, past the 10 kB limit; the rest is never sent
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        answer = conn.answer()
        assert answer.status == 413
        assert json.loads(answer.body)["errors"] == []
        assert conn.closed_by_server()


@pytest.mark.parametrize("http", ["h11", "httptools"])
def test_it_answers_408_to_a_body_that_trickles_in(small_app: FastAPI, http: str) -> None:
    with served(small_app, http) as port, Connection(port, timeout=5) as conn:
        conn.send(
            b"POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"title"'
        )
        started = time.monotonic()
        answer = conn.answer()
        assert answer.status == 408
        assert time.monotonic() - started < 3
        assert json.loads(answer.body)["detail"] == "request body not received within 0.5 seconds"
        assert conn.closed_by_server()


def test_it_keeps_the_connection_after_a_body_within_limits(small_app: FastAPI) -> None:
    with served(small_app) as port, Connection(port) as conn:
        first = conn.request("POST", "/api/v1/tasks", b'{"title": "a"}')
        second = conn.request("GET", "/api/v1/tasks")
        assert (first.status, second.status) == (401, 401)


def test_it_allows_more_only_under_the_prefixes_given() -> None:
    async def echo(request: Request) -> JSONResponse:
        return JSONResponse({"bytes": len(await request.body())})

    inner = FastAPI(
        routes=[Route("/imports", echo, methods=["POST"]), Route("/x", echo, methods=["POST"])]
    )
    limited = BodyLimits(
        inner, max_body_bytes=1000, body_timeout_seconds=5, larger={"/imports": 5000}
    )
    with TestClient(limited) as client:
        assert client.post("/imports", content=b"x" * 4000).json() == {"bytes": 4000}
        assert client.post("/imports", content=b"x" * 6000).status_code == 413
        assert client.post("/x", content=b"x" * 4000).status_code == 413
        assert client.post("/x", content=b"x" * 900).json() == {"bytes": 900}


class QuickHeads(HeadTimeoutProtocol):
    head_timeout = 0.5


def test_it_closes_a_connection_whose_request_head_never_completes(app: FastAPI) -> None:
    with (
        served(app, QuickHeads) as port,
        Connection(port) as idle,
        Connection(port) as slow,
        Connection(port) as kept,
    ):
        assert kept.request("GET", "/api/v1/tasks").status == 401
        slow.send(b"GET /api/v1/tasks HTTP/1.1\r\nHost: x\r\n")  # and never the rest
        time.sleep(0.8)
        assert slow.closed_by_server()
        assert idle.closed_by_server()
        # Between requests only the keep-alive timeout counts: the kept connection still works.
        assert kept.request("GET", "/api/v1/tasks").status == 401
