"""Fetching and reading a feed: one guarded, size-capped, conditional GET and feedparser.

Nothing here touches the database: ``fetch`` runs with no transaction open, and what it returns
(``Fetched``) is plain data that the service stores in one transaction, or not at all.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import httpx

from devday import netguard

#: A feed larger than this is refused (DEVDAY_FEED_MAX_BYTES sets it).
MAX_BYTES = 2 * 1024 * 1024
TIMEOUT_SECONDS = 15.0
MAX_REDIRECTS = 5
#: Items kept from one fetch of one feed (the newest ones).
MAX_ITEMS = 200
#: Reading speed for an article's estimate, in words a minute.
WORDS_PER_MINUTE = 200
USER_AGENT = "devday feed reader"
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_PERIODS = {"hourly": 60, "daily": 1440, "weekly": 10080, "monthly": 43200, "yearly": 525600}


class FeedError(Exception):
    """Why a feed could not be fetched or read, in words for its subscriber."""


@dataclass(frozen=True)
class Entry:
    guid: str
    link: str
    title: str
    summary: str
    words: int
    published_at: datetime | None

    @property
    def key(self) -> str:
        """What makes two entries (in one feed or two) the same item: the link, else the GUID."""
        return self.link or self.guid


@dataclass(frozen=True)
class Fetched:
    """A fetch's outcome: ``not_modified`` (a 304), or the feed read, or ``error`` set."""

    url: str
    error: str = ""
    not_modified: bool = False
    title: str = ""
    site_url: str = ""
    etag: str = ""
    last_modified: str = ""
    #: The feed's own interval (ttl, sy:updatePeriod), in minutes, when it says one.
    interval_minutes: int | None = None
    entries: tuple[Entry, ...] = field(default_factory=tuple)


def reading_minutes(words: int) -> int:
    """An estimate for reading ``words`` words, at least 5 minutes, on a 5-minute grid."""
    minutes = -(-words // WORDS_PER_MINUTE)
    return max(5, -(-minutes // 5) * 5)


def client(policy: netguard.OutboundPolicy, *, timeout: float = TIMEOUT_SECONDS) -> httpx.Client:
    """An HTTP client whose every connection, redirects included, passes the outbound guard."""
    return httpx.Client(
        transport=netguard.GuardedTransport(policy),
        timeout=timeout,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "application/rss+xml, application/atom+xml, "
            "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1",
        },
    )


def fetch(
    http: httpx.Client,
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    max_bytes: int = MAX_BYTES,
) -> Fetched:
    """GETs ``url`` (with If-None-Match / If-Modified-Since when known) and reads it. Never
    raises for a failure of the far end: ``error`` says what went wrong."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with http.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return Fetched(url=url, not_modified=True, etag=etag, last_modified=last_modified)
            if response.status_code >= 400:
                return Fetched(url=url, error=f"the server answered {response.status_code}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                return Fetched(url=url, error=_too_big(max_bytes))
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    return Fetched(url=url, error=_too_big(max_bytes))
            read = parse(bytes(body), url)
            return Fetched(
                url=url,
                title=read.title,
                site_url=read.site_url,
                etag=response.headers.get("etag", "")[:300],
                last_modified=response.headers.get("last-modified", "")[:100],
                interval_minutes=read.interval_minutes,
                entries=read.entries,
            )
    except netguard.Refused as exc:
        return Fetched(url=url, error=str(exc))
    except netguard.Unresolvable as exc:
        return Fetched(url=url, error=str(exc))
    except FeedError as exc:
        return Fetched(url=url, error=str(exc))
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError):
        return Fetched(url=url, error="the address (or one it redirects to) is not a valid URL")
    except httpx.TooManyRedirects:
        return Fetched(url=url, error=f"more than {MAX_REDIRECTS} redirects")
    except httpx.TimeoutException:
        return Fetched(url=url, error="the server did not answer in time")
    except (httpx.HTTPError, OSError) as exc:
        return Fetched(url=url, error=f"could not connect: {_reason(exc)}")


def _too_big(max_bytes: int) -> str:
    return f"the feed is larger than {max_bytes // 1024} KiB"


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:200]


def parse(body: bytes, url: str = "") -> Fetched:
    """Reads an RSS or Atom document; FeedError when it is neither."""
    if not body.strip():
        raise FeedError("the answer is empty, not an RSS or Atom feed")
    parsed: Any = feedparser.parse(body, sanitize_html=True, resolve_relative_uris=False)
    if not parsed.get("version"):
        if parsed.get("bozo"):
            raise FeedError("the answer is not well-formed XML, so not an RSS or Atom feed")
        raise FeedError("the answer is XML but not an RSS or Atom feed")
    if parsed.get("bozo") and not parsed.entries:
        raise FeedError("the feed is malformed and no item could be read from it")
    meta = parsed.feed
    entries = [_entry(raw) for raw in parsed.entries[:MAX_ITEMS]]
    return Fetched(
        url=url,
        title=_text(meta.get("title", ""))[:300],
        site_url=str(meta.get("link", ""))[:2000],
        interval_minutes=_interval(meta),
        entries=tuple(e for e in entries if e.key),
    )


def _entry(raw: Any) -> Entry:
    summary = _text(raw.get("summary", ""))
    content = " ".join(_text(part.get("value", "")) for part in raw.get("content", []) or [])
    body = content or summary
    published = raw.get("published_parsed") or raw.get("updated_parsed")
    return Entry(
        guid=str(raw.get("id", ""))[:2000],
        link=str(raw.get("link", ""))[:2000],
        title=_text(raw.get("title", ""))[:500] or "(untitled)",
        summary=summary[:1000],
        words=len(body.split()),
        published_at=(
            datetime.fromtimestamp(calendar.timegm(published), UTC) if published else None
        ),
    )


def _text(html: object) -> str:
    return _SPACE.sub(" ", _TAG.sub(" ", str(html))).strip()


def _interval(meta: Any) -> int | None:
    ttl = str(meta.get("ttl", "")).strip()
    if ttl.isdigit() and int(ttl) > 0:
        return int(ttl)
    period = str(meta.get("sy_updateperiod", "")).strip().lower()
    if period in _PERIODS:
        frequency = str(meta.get("sy_updatefrequency", "1")).strip()
        times = int(frequency) if frequency.isdigit() and int(frequency) > 0 else 1
        return max(1, _PERIODS[period] // times)
    return None


def next_fetch(now: datetime, interval_minutes: int, minimum_minutes: int) -> datetime:
    return now + timedelta(minutes=max(interval_minutes, minimum_minutes))
