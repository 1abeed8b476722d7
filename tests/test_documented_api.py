"""Every API call the README and the docs name ("POST /api/v1/plans/{date}") is one the API
answers: a route with that method and a path of that shape (each ``{name}`` or id standing
for one path segment)."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from tests.documents import DOCUMENTS, ROOT

CALL = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE) (/api/v1/[A-Za-z0-9_{}/.-]*[A-Za-z0-9_}])")
SEGMENT = re.compile(r"\{[^/}]+\}")


def documented() -> list[tuple[str, str, str]]:
    return sorted(
        {
            (document.relative_to(ROOT).as_posix(), method, path)
            for document in DOCUMENTS
            for method, path in CALL.findall(document.read_text(encoding="utf-8"))
        }
    )


def shape(path: str) -> list[str]:
    """The path's segments, each parameter or id as ``*``."""
    return ["*" if SEGMENT.fullmatch(s) or s.isdigit() else s for s in path.split("/")]


def matches(route: list[str], named: list[str]) -> bool:
    return len(route) == len(named) and all(
        r == n or "*" in (r, n) for r, n in zip(route, named, strict=True)
    )


def test_the_documents_name_api_calls() -> None:
    calls = documented()
    assert len(calls) > 40
    assert ("docs/operating.md", "POST", "/api/v1/auth/token") in calls


@pytest.mark.parametrize(("document", "method", "path"), documented())
def test_a_documented_call_is_one_the_api_answers(
    app: FastAPI, document: str, method: str, path: str
) -> None:
    routes = [
        shape(route.path)
        for route in app.routes
        if isinstance(route, APIRoute) and method in (route.methods or set())
    ]
    assert any(matches(route, shape(path)) for route in routes), (
        f"{document} names {method} {path}, which no route answers"
    )
