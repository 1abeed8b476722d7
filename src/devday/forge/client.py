"""Talking to GitHub's and GitLab's REST APIs, with no database in sight.

Every request goes through the outbound guard (``netguard.GuardedTransport``): a base URL in
the server's own network is refused unless the administrator allows it. The issue list is read
newest change first, the first page with ``If-None-Match`` (a 304 means nothing changed, and
costs no rate limit), the next pages by ``Link: rel="next"`` (and GitLab's ``X-Next-Page``),
stopping at the first issue older than the newest one seen last time. A rate-limit answer
(GitHub's 403 or 429 with ``X-RateLimit-Remaining: 0`` or ``Retry-After``, GitLab's 429 with
``RateLimit-Reset``) is reported with when to try again; nothing is retried here.

Errors say what the user can change (the token, the repository, the base URL) and never repeat
what the far end sent.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx

from devday import netguard
from devday.forge import mapping
from devday.forge.models import ForgeKind
from devday.netguard import OutboundPolicy

log = logging.getLogger("devday.forge")
TIMEOUT = 20.0
PER_PAGE = 100
MAX_PAGES = 50
#: How long to wait after a rate-limit answer that says nothing of when it ends.
DEFAULT_WAIT = timedelta(minutes=1)
NAMES = {ForgeKind.github: "GitHub", ForgeKind.gitlab: "GitLab"}
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


@dataclass(frozen=True)
class Remote:
    """What a request needs of a connection: a snapshot, usable outside any session."""

    connection_id: int
    team_id: int | None
    kind: ForgeKind
    base_url: str
    repo: str
    token: str = field(repr=False)
    assignee: str = ""
    labels: str = ""
    etag: str | None = None
    cursor: str | None = None

    @property
    def name(self) -> str:
        return NAMES[self.kind]


@dataclass
class Answer:
    """The outcome of an exchange: an error in the user's words, and, for a rate limit, when
    to try again (``reset_at``, or ``retry_seconds`` from now)."""

    error: str | None = None
    reset_at: datetime | None = None
    retry_seconds: int | None = None

    @property
    def rate_limited(self) -> bool:
        return self.reset_at is not None or self.retry_seconds is not None

    def retry_at(self, now: datetime) -> datetime | None:
        if self.reset_at is not None:
            return max(self.reset_at, now)
        if self.retry_seconds is not None:
            return now + timedelta(seconds=self.retry_seconds)
        return None


@dataclass
class Listing(Answer):
    """The issues read (newest change first), or ``not_modified`` when the first page
    answered 304; the first page's ETag to send next time."""

    issues: list[mapping.Issue] = field(default_factory=list)
    not_modified: bool = False
    etag: str | None = None


def api_root(kind: ForgeKind, base_url: str) -> str:
    """GitHub's base URL is its API root; GitLab's is the server, its API under /api/v4."""
    base = base_url.rstrip("/")
    return base if kind == ForgeKind.github else f"{base}/api/v4"


def _issues_path(remote: Remote) -> str:
    if remote.kind == ForgeKind.github:
        return f"/repos/{remote.repo}/issues"
    return f"/projects/{quote(remote.repo, safe='')}/issues"


def issue_path(remote: Remote, number: int) -> str:
    return f"{_issues_path(remote)}/{number}"


def list_url(remote: Remote) -> str:
    """The issue list's first page: every state, newest change first, with the filters."""
    if remote.kind == ForgeKind.github:
        query = {"state": "all", "sort": "updated", "direction": "desc", "per_page": PER_PAGE}
        if remote.assignee:
            query["assignee"] = remote.assignee
    else:
        query = {"state": "all", "order_by": "updated_at", "sort": "desc", "per_page": PER_PAGE}
        if remote.assignee:
            query["assignee_username"] = remote.assignee
    if remote.labels:
        query["labels"] = remote.labels
    root = api_root(remote.kind, remote.base_url)
    return f"{root}{_issues_path(remote)}?{urlencode(query)}"


def _headers(remote: Remote) -> dict[str, str]:
    if remote.kind == ForgeKind.github:
        return {
            "Authorization": f"Bearer {remote.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "devday",
        }
    return {"PRIVATE-TOKEN": remote.token, "Accept": "application/json", "User-Agent": "devday"}


def _client(remote: Remote, outbound: OutboundPolicy, timeout: float) -> httpx.Client:
    transport = netguard.GuardedTransport(outbound, team_id=remote.team_id)
    # Redirects are not followed: the token must not travel to wherever they point.
    return httpx.Client(transport=transport, timeout=timeout, follow_redirects=False)


def _epoch(value: str | None) -> datetime | None:
    if value is None or not value.strip().isdigit():
        return None
    return datetime.fromtimestamp(int(value.strip()), UTC)


def _seconds(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


def _refusal(remote: Remote, response: httpx.Response, answer: Answer) -> bool:
    """Fills ``answer`` for a response that is not a success; False for a success."""
    status = response.status_code
    headers = response.headers
    if status < 300:
        return False
    name, where = remote.name, remote.repo
    limited = status == 429 or (
        status == 403 and (headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers)
    )
    if limited:
        answer.reset_at = _epoch(headers.get("x-ratelimit-reset") or headers.get("ratelimit-reset"))
        answer.retry_seconds = _seconds(headers.get("retry-after"))
        if answer.reset_at is None and answer.retry_seconds is None:
            answer.retry_seconds = int(DEFAULT_WAIT.total_seconds())
        answer.error = f"{name}'s rate limit is used up; devday waits until it resets"
    elif status == 401:
        scopes = (
            "the repo scope (a classic token) or Issues: read and write (a fine-grained one)"
            if remote.kind == ForgeKind.github
            else "the api scope"
        )
        answer.error = (
            f"{name} refused the token (401: wrong, expired or revoked); "
            f"make a new token with {scopes} and save it on the connection"
        )
    elif status == 403:
        answer.error = (
            f"{name} does not let this token do that on {where} (403); "
            "give the token access to the repository's issues"
        )
    elif status == 404:
        answer.error = (
            f"{name} knows no repository {where!r} that this token can see (404); "
            "check the repository and base_url, and the token's access"
        )
    elif 300 <= status < 400:
        answer.error = f"{name} answered with a redirect ({status}); check base_url"
    else:
        answer.error = f"{name} answered {status}; devday tries again at the next sync"
    return True


def _next_url(remote: Remote, response: httpx.Response, first: str) -> str | None:
    link = _NEXT.search(response.headers.get("link", ""))
    if link:
        url = link.group(1)
    else:
        page = response.headers.get("x-next-page", "").strip()
        if not page.isdigit():
            return None
        parts = urlsplit(str(response.request.url))
        query = re.sub(r"(^|&)page=\d+", "", parts.query).strip("&")
        url = f"{parts.scheme}://{parts.netloc}{parts.path}?{query}&page={page}"
    # The token goes only where the first page went.
    here, there = urlsplit(first), urlsplit(url)
    if (here.scheme, here.netloc) != (there.scheme, there.netloc):
        return None
    return url


def _connection_error(remote: Remote, exc: Exception, timeout: float) -> str:
    if isinstance(exc, netguard.Refused | netguard.Unresolvable):
        return f"base_url: {exc}"
    where = urlsplit(remote.base_url).netloc or remote.base_url
    cause = exc.__cause__ or exc.__context__
    if isinstance(exc, httpx.TimeoutException):
        return f"{where} did not answer within {timeout:g} s; check base_url"
    if isinstance(cause, netguard.Refused | netguard.Unresolvable):
        return f"base_url: {cause}"
    if isinstance(cause, OSError):
        return netguard.explain(cause, where, timeout)
    return f"cannot reach {where} ({type(exc).__name__}); check base_url"


def list_issues(remote: Remote, outbound: OutboundPolicy, *, timeout: float = TIMEOUT) -> Listing:
    """Reads the issues changed since ``remote.cursor`` (all of them the first time)."""
    result = Listing()
    first = list_url(remote)
    url: str | None = first
    pages = 0
    try:
        with _client(remote, outbound, timeout) as client:
            while url is not None and pages < MAX_PAGES:
                headers = _headers(remote)
                if pages == 0 and remote.etag:
                    headers["If-None-Match"] = remote.etag
                response = client.get(url, headers=headers)
                if pages == 0 and response.status_code == 304:
                    result.not_modified = True
                    result.etag = remote.etag
                    return result
                if _refusal(remote, response, result):
                    result.issues = []
                    return result
                if pages == 0:
                    result.etag = response.headers.get("etag")
                items = response.json()
                if not isinstance(items, list):
                    raise ValueError("not a list")
                older = False
                for item in items:
                    read = (
                        mapping.from_github
                        if remote.kind == ForgeKind.github
                        else mapping.from_gitlab
                    )(item)
                    if read is None:
                        continue
                    if remote.cursor and read.updated_at < remote.cursor:
                        older = True
                        break
                    result.issues.append(read)
                pages += 1
                url = None if older else _next_url(remote, response, first)
    except (httpx.HTTPError, netguard.Refused, netguard.Unresolvable, OSError) as exc:
        result.error = _connection_error(remote, exc, timeout)
        result.issues = []
    except (ValueError, KeyError, TypeError):
        result.error = f"{remote.name} answered something that is not an issue list; check base_url"
        result.issues = []
    if result.error:
        log.warning("forge sync of connection %s failed: %s", remote.connection_id, result.error)
    return result


def close_issue(
    remote: Remote, number: int, outbound: OutboundPolicy, *, timeout: float = TIMEOUT
) -> Answer:
    """Closes the issue on the forge."""
    url = api_root(remote.kind, remote.base_url) + issue_path(remote, number)
    if remote.kind == ForgeKind.github:
        return _send(remote, outbound, timeout, "PATCH", url, {"state": "closed"})
    return _send(remote, outbound, timeout, "PUT", url, {"state_event": "close"})


def comment_on_issue(
    remote: Remote, number: int, text: str, outbound: OutboundPolicy, *, timeout: float = TIMEOUT
) -> Answer:
    """Leaves ``text`` as a comment (GitHub) or note (GitLab) on the issue."""
    url = api_root(remote.kind, remote.base_url) + issue_path(remote, number)
    suffix = "/comments" if remote.kind == ForgeKind.github else "/notes"
    return _send(remote, outbound, timeout, "POST", url + suffix, {"body": text})


def _send(
    remote: Remote,
    outbound: OutboundPolicy,
    timeout: float,
    method: str,
    url: str,
    body: dict[str, Any],
) -> Answer:
    answer = Answer()
    try:
        with _client(remote, outbound, timeout) as client:
            response = client.request(method, url, json=body, headers=_headers(remote))
            _refusal(remote, response, answer)
    except (httpx.HTTPError, netguard.Refused, netguard.Unresolvable, OSError) as exc:
        answer.error = _connection_error(remote, exc, timeout)
    return answer
