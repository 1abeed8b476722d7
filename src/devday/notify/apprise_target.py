"""Apprise URLs as channel targets: which services devday lets a channel name, and where each
one connects, so that the outbound guard can check it first.

Apprise reaches a hundred services, some of them not over the network at all (``file://``
writes a file, ``windows://`` and ``dbus://`` talk to the desktop) and some through a host the
URL does not name (``discord://ID/TOKEN`` posts to discord.com). Only the schemes listed here
are accepted, and for each one devday knows the host and port Apprise will connect to:

- ``SELF_HOSTED``: the URL's own host and port (a JSON, XML or form endpoint; ntfy, Gotify,
  Mattermost, Matrix; Microsoft Teams through a Power Automate workflow URL). The plain-HTTP
  scheme is the one without the ``s``.
- ``HOSTED``: a fixed public service (Discord, Telegram, Pushover; ntfy's own ntfy.sh for an
  ``ntfy://topic`` URL without a host).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from apprise.plugins.base import NotifyBase

SELF_HOSTED = frozenset(
    {
        *("json", "jsons", "xml", "xmls", "form", "forms"),
        *("ntfy", "ntfys", "gotify", "gotifys", "mmost", "mmosts", "matrix", "matrixs"),
        *("workflow", "workflows"),
    }
)
HOSTED = {"discord": "discord.com", "tgram": "api.telegram.org", "pover": "api.pushover.net"}
SCHEMES = tuple(sorted(SELF_HOSTED | HOSTED.keys()))
NTFY_CLOUD = "ntfy.sh"


@dataclass(frozen=True)
class Endpoint:
    """Where an Apprise URL's service connects: checked by the guard before Apprise runs."""

    host: str
    port: int
    secure: bool

    @property
    def url(self) -> str:
        """An http(s) URL with the same host and port, for ``netguard``'s URL checks."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.secure else 'http'}://{host}:{self.port}/"


def scheme_of(url: str) -> str:
    return url.partition("://")[0].strip().lower() if "://" in url else ""


def plugin(url: str) -> NotifyBase:
    """Apprise's notifier for ``url`` (one of ``SCHEMES``); ValueError naming what is wrong.
    Nothing is kept on disk: tokens some services hand out stay in memory."""
    import apprise

    scheme = scheme_of(url)
    if scheme not in SCHEMES:
        shown = f"{scheme}://" if scheme else "this URL"
        raise ValueError(
            f"devday does not send to {shown} through Apprise; use one of: "
            + ", ".join(f"{s}://" for s in SCHEMES)
        )
    asset = apprise.AppriseAsset(storage_mode=apprise.PersistentStoreMode.MEMORY)
    found: Any = apprise.Apprise.instantiate(url, asset=asset)
    if found is None:
        raise ValueError(f"Apprise cannot read this {scheme}:// URL; check it against its docs")
    notifier: NotifyBase = found
    return notifier


def endpoint(url: str) -> Endpoint:
    """The host and port Apprise will connect to for ``url``; ValueError as ``plugin``."""
    return endpoint_of(scheme_of(url), plugin(url))


def endpoint_of(scheme: str, notifier: NotifyBase) -> Endpoint:
    mode = str(getattr(notifier, "mode", "") or "").lower()
    if scheme in HOSTED:
        return Endpoint(HOSTED[scheme], 443, True)
    if scheme.startswith("ntfy") and mode == "cloud":
        return Endpoint(NTFY_CLOUD, 443, True)
    if scheme.startswith("matrix") and mode == "t2bot":
        return Endpoint("webhooks.t2bot.io", 443, True)
    host = str(getattr(notifier, "host", "") or "")
    if not host:
        raise ValueError(f"this {scheme}:// URL names no host")
    secure = bool(getattr(notifier, "secure", False)) or scheme.startswith("workflow")
    port = getattr(notifier, "port", None)
    return Endpoint(
        host.strip("[]").lower(), int(port) if port else (443 if secure else 80), secure
    )


def check(url: str) -> str:
    """``url`` trimmed, when it is an Apprise URL devday sends to; else ValueError."""
    url = url.strip()
    endpoint(url)
    return url


def masked(url: str) -> str:
    """What reads show: the scheme and, for a self-hosted service, its host; never the tokens."""
    scheme = scheme_of(url)
    if scheme in SELF_HOSTED:
        try:
            where = endpoint(url)
        except ValueError:
            return f"{scheme}://…"
        host = f"[{where.host}]" if ":" in where.host else where.host
        return f"{scheme}://{host}:{where.port}/…"
    return f"{scheme}://…"
