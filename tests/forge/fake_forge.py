"""A fake GitHub API and a fake GitLab API on 127.0.0.1, answering the documented JSON.

One server speaks both: GitHub's ``/repos/{owner}/{name}/issues`` (pages by ``Link:
rel="next"``, rate limits by 403 with ``X-RateLimit-Remaining: 0``) and GitLab's
``/api/v4/projects/{id}/issues`` (pages by ``X-Next-Page`` and ``Link``, rate limits by 429
with ``RateLimit-Reset``). The issue list carries an ``ETag``; ``If-None-Match`` with it
answers 304. Closing an issue and comments are recorded. ``PAGE_SIZE`` is small, so that a
handful of issues spans pages.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PAGE_SIZE = 2
TOKEN = "secret-token-0123456789"


@dataclass
class FakeIssue:
    number: int
    title: str
    labels: list[str] = field(default_factory=list)
    state: str = "open"
    body: str = ""
    due: str | None = None
    assignee: str | None = None
    updated: int = 0
    pull: bool = False


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    status: int


class FakeForge:
    """The fake's state; ``start()`` serves it on a free loopback port."""

    def __init__(self, repo: str = "acme/api") -> None:
        self.repo = repo
        self.issues: dict[int, FakeIssue] = {}
        self.requests: list[Seen] = []
        self.comments: list[tuple[int, str]] = []
        self.limited: list[tuple[int, dict[str, str]]] = []  # answers to give before the rest
        self._tick = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- test controls -----------------------------------------------------------------------

    def add(self, number: int, title: str, **fields: Any) -> FakeIssue:
        issue = FakeIssue(number=number, title=title, **fields)
        self.touch(issue)
        self.issues[number] = issue
        return issue

    def touch(self, issue: FakeIssue) -> None:
        self._tick += 1
        issue.updated = self._tick

    def limit_next(self, status: int, headers: dict[str, str]) -> None:
        self.limited.append((status, headers))

    def lists(self, *, status: int | None = None) -> list[Seen]:
        return [
            seen
            for seen in self.requests
            if seen.method == "GET" and (status is None or seen.status == status)
        ]

    def start(self) -> FakeForge:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def do_PATCH(self) -> None:
                fake._handle(self, "PATCH")

            def do_PUT(self) -> None:
                fake._handle(self, "PUT")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- answering ---------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(request.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(request.headers.get("Content-Length") or 0)
        body = json.loads(request.rfile.read(length)) if length else None
        headers = {k.lower(): v for k, v in request.headers.items()}
        with self._lock:
            status, answer, extra = self._answer(method, parts.path, query, headers, body)
            self.requests.append(Seen(method, parts.path, query, headers, body, status))
        data = b"" if answer is None else json.dumps(answer).encode()
        request.send_response(status)
        for name, value in extra.items():
            request.send_header(name, value)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def _answer(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        gitlab = path.startswith("/api/v4/")
        if self.limited:
            status, extra = self.limited.pop(0)
            return status, {"message": "API rate limit exceeded"}, extra
        token = headers.get("private-token") if gitlab else headers.get("authorization")
        if token != (TOKEN if gitlab else f"Bearer {TOKEN}"):
            return 401, {"message": "Bad credentials"}, {}
        if gitlab:
            prefix = f"/api/v4/projects/{self.repo.replace('/', '%2F')}/issues"
            if not path.startswith(prefix):
                return 404, {"message": "404 Project Not Found"}, {}
            rest = path[len(prefix) :]
        else:
            prefix = f"/repos/{self.repo}/issues"
            if not path.startswith(prefix):
                return 404, {"message": "Not Found"}, {}
            rest = path[len(prefix) :]
        if method == "GET" and rest == "":
            return self._list(gitlab, prefix, query, headers)
        number_text, _, tail = rest.lstrip("/").partition("/")
        issue = self.issues.get(int(number_text)) if number_text.isdigit() else None
        if issue is None:
            return 404, {"message": "Not Found"}, {}
        if tail in ("comments", "notes") and method == "POST":
            self.comments.append((issue.number, str(body["body"])))
            return 201, {"id": len(self.comments), "body": body["body"]}, {}
        if tail == "" and method in ("PATCH", "PUT"):
            if body in ({"state": "closed"}, {"state_event": "close"}):
                issue.state = "closed"
                self.touch(issue)
                return 200, self._render(issue, gitlab), {}
        return 400, {"message": "unexpected request"}, {}

    def _list(
        self, gitlab: bool, prefix: str, query: dict[str, str], headers: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        issues = sorted(self.issues.values(), key=lambda i: i.updated, reverse=True)
        wanted = query.get("assignee_username" if gitlab else "assignee")
        if wanted:
            issues = [i for i in issues if i.assignee == wanted]
        if query.get("labels"):
            need = set(query["labels"].split(","))
            issues = [i for i in issues if need <= set(i.labels)]
        page = int(query.get("page", "1"))
        chunk = issues[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        answer = [self._render(i, gitlab) for i in chunk]
        etag = '"' + hashlib.sha256(json.dumps(answer).encode()).hexdigest()[:20] + '"'
        if page == 1 and headers.get("if-none-match") == etag:
            return 304, None, {"ETag": etag}
        extra = {"ETag": etag}
        if page * PAGE_SIZE < len(issues):
            base = "&".join(f"{k}={v}" for k, v in query.items() if k != "page")
            link = f'<{self.url}{prefix}?{base}&page={page + 1}>; rel="next"'
            if gitlab:
                extra["X-Next-Page"] = str(page + 1)
            else:
                extra["Link"] = link
        return 200, answer, extra

    def _render(self, issue: FakeIssue, gitlab: bool) -> dict[str, Any]:
        updated = f"2026-11-30T08:{issue.updated // 60:02d}:{issue.updated % 60:02d}Z"
        if gitlab:
            return {
                "iid": issue.number,
                "title": issue.title,
                "web_url": f"https://gitlab.example/{self.repo}/-/issues/{issue.number}",
                "state": "closed" if issue.state == "closed" else "opened",
                "labels": issue.labels,
                "milestone": {"due_date": issue.due} if issue.due else None,
                "description": issue.body,
                "updated_at": updated,
            }
        item: dict[str, Any] = {
            "number": issue.number,
            "title": issue.title,
            "html_url": f"https://github.example/{self.repo}/issues/{issue.number}",
            "state": issue.state,
            "labels": [{"name": label} for label in issue.labels],
            "milestone": {"due_on": f"{issue.due}T07:00:00Z"} if issue.due else None,
            "body": issue.body,
            "updated_at": updated,
        }
        if issue.pull:
            item["pull_request"] = {"url": "..."}
        return item
