"""Fetching a subscribed calendar, through the outbound guard, with no transaction open.

An ICS address is one GET, conditional on the last ``ETag`` and ``Last-Modified`` (a 304 is
"unchanged"). A CalDAV calendar is asked for its ``getctag`` first (PROPFIND, depth 0): when it
is the one seen last time nothing changed; otherwise one calendar-query REPORT for the events
in the window gives every calendar object's data. Both follow at most a few redirects, each
connection checked by ``netguard`` like the first, and stop reading at ``MAX_BYTES``.

The CalDAV requests are two fixed XML bodies; the answers are read with defusedxml, which
refuses entity expansion and external references from a hostile server. The ``caldav`` package
was not used: it brings niquests and urllib3-future, which replaces the ``urllib3`` that
requests and Apprise run on (docs/decisions/0008).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
from defusedxml import ElementTree

from devday import netguard
from devday.netguard import OutboundPolicy

TIMEOUT = 20.0
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
USER_AGENT = "devday-calendar/1"
DAV = "{DAV:}"
CALDAV = "{urn:ietf:params:xml:ns:caldav}"
CS = "{http://calendarserver.org/ns/}"

PROPFIND = b"""<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/">
  <d:prop><cs:getctag/><d:getetag/><d:resourcetype/></d:prop>
</d:propfind>"""

QUERY = """<?xml version="1.0" encoding="utf-8"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:prop><d:getetag/><c:calendar-data/></d:prop>
  <c:filter>
    <c:comp-filter name="VCALENDAR">
      <c:comp-filter name="VEVENT"><c:time-range start="{start}" end="{end}"/></c:comp-filter>
    </c:comp-filter>
  </c:filter>
</c:calendar-query>"""


@dataclass(frozen=True)
class Source:
    """What fetching one calendar needs, read from its row before any connection."""

    source_id: int
    kind: str  # "ics" or "caldav"
    url: str
    username: str = ""
    password: str = ""
    etag: str = ""
    last_modified: str = ""


@dataclass(frozen=True)
class Fetched:
    unchanged: bool = False
    documents: tuple[bytes, ...] = ()
    etag: str = ""
    last_modified: str = ""
    error: str = ""


class FetchError(Exception):
    pass


def http_url(url: str) -> str:
    """``webcal://`` (what calendar sites hand out) is HTTPS."""
    for scheme in ("webcal://", "webcals://"):
        if url.lower().startswith(scheme):
            return "https://" + url[len(scheme) :]
    return url


def client(policy: OutboundPolicy) -> httpx.Client:
    """A client for fetching calendars through the guard; one serves many fetches (making its
    TLS context is the costly part), each with its own credentials."""
    return httpx.Client(
        transport=netguard.GuardedTransport(policy),
        timeout=TIMEOUT,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": USER_AGENT},
    )


def fetch(
    source: Source,
    policy: OutboundPolicy,
    start: datetime,
    end: datetime,
    *,
    using: httpx.Client | None = None,
) -> Fetched:
    """Fetches ``source`` (with ``using``, or a client of its own); never raises for a failure
    of the far end (``error`` says it)."""
    if using is None:
        with client(policy) as own:
            return fetch(source, policy, start, end, using=own)
    auth = httpx.BasicAuth(source.username, source.password) if source.username else None
    using.cookies.clear()  # a shared client: no cookie of one calendar's server reaches another
    try:
        if source.kind == "caldav":
            return _caldav(using, source, start, end, auth)
        return _ics(using, source, auth)
    except FetchError as exc:
        return Fetched(error=str(exc))
    except netguard.Refused as exc:
        return Fetched(error=f"refused: {exc}")
    except netguard.Unresolvable as exc:
        return Fetched(error=str(exc))
    except httpx.TimeoutException:
        return Fetched(error=f"no answer within {TIMEOUT:g} s; check the address")
    except httpx.TooManyRedirects:
        return Fetched(error=f"more than {MAX_REDIRECTS} redirects; check the address")
    except httpx.ProtocolError:
        return Fetched(error="the answer is not HTTP; check the address's port and scheme")
    except httpx.HTTPError as exc:
        cause = exc.__cause__ or exc.__context__ or exc
        host = urlsplit(http_url(source.url)).hostname or "the server"
        return Fetched(error=netguard.explain(cause, host, TIMEOUT))


def _refusal(response: httpx.Response) -> FetchError:
    host = response.url.host
    status = response.status_code
    if status in (401, 403):
        return FetchError(
            f"HTTP {status} from {host}: the server refused the user name and password"
            " (some need an app password)"
        )
    if status == 404:
        return FetchError(f"HTTP 404 from {host}: no calendar at this address")
    return FetchError(f"HTTP {status} from {host}")


def _read(response: httpx.Response) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise FetchError(f"the calendar is over {MAX_BYTES // (1024 * 1024)} MB")
    body = bytearray()
    for chunk in response.iter_bytes():
        body.extend(chunk)
        if len(body) > MAX_BYTES:
            raise FetchError(f"the calendar is over {MAX_BYTES // (1024 * 1024)} MB")
    return bytes(body)


def _ics(client: httpx.Client, source: Source, auth: httpx.Auth | None) -> Fetched:
    headers = {"Accept": "text/calendar, */*;q=0.5"}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    with client.stream("GET", http_url(source.url), headers=headers, auth=auth) as response:
        if response.status_code == 304:
            return Fetched(unchanged=True, etag=source.etag, last_modified=source.last_modified)
        if response.status_code != 200:
            raise _refusal(response)
        body = _read(response)
        return Fetched(
            documents=(body,),
            etag=response.headers.get("etag", "")[:200],
            last_modified=response.headers.get("last-modified", "")[:100],
        )


def _xml(body: bytes) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise FetchError(
            "the CalDAV answer is not XML; is this a CalDAV calendar's address?"
        ) from exc


def _dav(
    client: httpx.Client, method: str, url: str, body: bytes, depth: str, auth: httpx.Auth | None
) -> bytes:
    headers = {"Depth": depth, "Content-Type": "application/xml; charset=utf-8"}
    with client.stream(method, url, content=body, headers=headers, auth=auth) as response:
        if response.status_code != 207:
            raise _refusal(response)
        return _read(response)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _caldav(
    client: httpx.Client, source: Source, start: datetime, end: datetime, auth: httpx.Auth | None
) -> Fetched:
    url = http_url(source.url)
    found = _xml(_dav(client, "PROPFIND", url, PROPFIND, "0", auth))
    if found.find(f".//{CALDAV}calendar") is None:
        raise FetchError("this address is a CalDAV collection but not a calendar")
    ctag = (found.findtext(f".//{CS}getctag") or found.findtext(f".//{DAV}getetag") or "")[:200]
    if ctag and ctag == source.etag:
        return Fetched(unchanged=True, etag=ctag)
    query = QUERY.format(start=_utc(start), end=_utc(end)).encode()
    answer = _xml(_dav(client, "REPORT", url, query, "1", auth))
    documents = tuple(
        data.text.encode()
        for data in answer.iter(f"{CALDAV}calendar-data")
        if data.text and data.text.strip()
    )
    return Fetched(documents=documents, etag=ctag)
