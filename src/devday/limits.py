"""Request body limits, enforced before the body is read.

A body whose ``Content-Length`` is over the limit is answered 413 at once, unread. A body sent
without a length (chunked) is counted as it streams in: past the limit, reading stops and the
request answers 413. A body that does not arrive in full within the body timeout (a client
trickling bytes) answers 408. Both answers carry the API's error body and close the connection,
since the rest of the body is never read.

The limit is ``max_body_bytes`` for every path; ``larger`` raises it for the path prefixes that
need more (say, an import), and only for them.
"""

from __future__ import annotations

from collections.abc import Mapping

import anyio
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from devday.errors import body


def too_large(limit: int) -> HTTPException:
    return HTTPException(
        413, f"request body too large: at most {limit} bytes", headers={"Connection": "close"}
    )


def too_slow(seconds: float) -> HTTPException:
    return HTTPException(
        408,
        f"request body not received within {seconds:g} seconds",
        headers={"Connection": "close"},
    )


class BodyLimits:
    """ASGI middleware: the body size limit and the body timeout (see the module docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        body_timeout_seconds: float,
        larger: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_timeout_seconds = body_timeout_seconds
        # The longest prefix wins, so "/api/v1/imports/big" may differ from "/api/v1/imports".
        self.larger = sorted((larger or {}).items(), key=lambda item: -len(item[0]))

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.larger:
            if path.startswith(prefix):
                return limit
        return self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _answer(too_large(limit), scope, receive, send)
            return
        timeout = self.body_timeout_seconds
        deadline: float | None = None
        received = 0
        done = False

        async def limited_receive() -> Message:
            nonlocal received, done, deadline
            if done:  # the body is in; what follows is the wait for a disconnect
                return await receive()
            # The clock starts when the app first asks for the body, so time the app spent
            # before that (waiting for the database, say) is not charged to the client.
            if deadline is None:
                deadline = anyio.current_time() + timeout
            with anyio.move_on_after(deadline - anyio.current_time()) as waiting:
                message = await receive()
            if waiting.cancelled_caught:
                raise too_slow(timeout)
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large(limit)
                done = not message.get("more_body", False)
            else:
                done = True
            return message

        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except HTTPException as exc:
            # Raised while reading the body outside a route (the router answers those itself).
            if started or exc.status_code not in (408, 413):
                raise
            await _answer(exc, scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length before we are called
    return None


async def _answer(exc: HTTPException, scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse(
        status_code=exc.status_code, content=body(str(exc.detail), []), headers=exc.headers
    )
    await response(scope, receive, send)
