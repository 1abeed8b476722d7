"""A small OpenID Connect provider the tests start on 127.0.0.1: real discovery, a JWKS, an
authorize endpoint that redirects back with a code at once (a person who approves), and a
token endpoint that checks the code, the client secret, the redirect URI and the PKCE verifier
before it answers with an ID token signed by its RSA key (joserfc).

``person`` is who approves the next sign-in (None: they decline); ``tamper`` changes the next
ID tokens' claims (``{"nonce": "other"}``, ``{"exp": 0}``); ``signing_key`` signs them with
another key than the published one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "devday-tests"
CLIENT_SECRET = "provider-secret-for-tests"


@cache
def provider_key() -> RSAKey:
    """The provider's signing key, made once per test run (RSA key generation takes a while)."""
    return RSAKey.generate_key(2048, {"kid": "one"})


@dataclass
class Person:
    """Someone with an account at the provider."""

    sub: str
    email: str
    name: str = "Sam Single"
    email_verified: bool = True


@dataclass
class Provider:
    now: Callable[[], datetime]
    url: str = ""
    key: RSAKey = field(default_factory=lambda: provider_key())
    signing_key: RSAKey | None = None
    person: Person | None = None
    tamper: dict[str, Any] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    # What the token endpoint refused, and why, in order.
    refusals: list[str] = field(default_factory=list)
    exchanged: int = 0

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }

    def authorize(self, query: dict[str, str]) -> str:
        """Where the person's browser goes next: back to the client with a code (or an error)."""
        back = query["redirect_uri"]
        if self.person is None:
            return back + "?" + urlencode({"error": "access_denied", "state": query["state"]})
        assert query["response_type"] == "code"
        assert query["client_id"] == CLIENT_ID
        assert "openid" in query["scope"].split()
        assert query["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "challenge": query["code_challenge"],
            "nonce": query["nonce"],
            "redirect_uri": back,
            "person": self.person,
        }
        return back + "?" + urlencode({"code": code, "state": query["state"]})

    def token(self, authorization: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if authorization != f"Basic {expected}":
            return self._refuse(401, "invalid_client", "wrong client id or secret")
        grant = self.codes.pop(form.get("code", ""), None)
        if form.get("grant_type") != "authorization_code" or grant is None:
            return self._refuse(400, "invalid_grant", "unknown or used code")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return self._refuse(400, "invalid_grant", "redirect_uri differs")
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
            return self._refuse(400, "invalid_grant", "PKCE verifier does not match")
        person: Person = grant["person"]
        issued = int(self.now().timestamp())
        claims = {
            "iss": self.url,
            "sub": person.sub,
            "aud": CLIENT_ID,
            "iat": issued,
            "exp": issued + 300,
            "nonce": grant["nonce"],
            "email": person.email,
            "email_verified": person.email_verified,
            "name": person.name,
        } | self.tamper
        key = self.signing_key or self.key
        id_token = jwt.encode({"alg": "RS256", "kid": key.kid or "one"}, claims, key)
        self.exchanged += 1
        return 200, {"access_token": "at", "token_type": "Bearer", "id_token": id_token}

    def _refuse(self, status: int, error: str, why: str) -> tuple[int, dict[str, Any]]:
        self.refusals.append(why)
        return status, {"error": error, "error_description": why}


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/.well-known/openid-configuration":
                self._json(200, provider.discovery())
            elif parts.path == "/jwks":
                self._json(200, {"keys": [provider.key.as_dict(private=False)]})
            elif parts.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                self.send_response(302)
                self.send_header("Location", provider.authorize(query))
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path != "/token":
                self._json(404, {"error": "not_found"})
                return
            self._json(*provider.token(self.headers.get("Authorization", ""), form))

    return Handler


@contextmanager
def running_provider(now: Callable[[], datetime]) -> Iterator[Provider]:
    """A provider serving on a free port of 127.0.0.1 until the block ends."""
    provider = Provider(now=now)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="oidc-provider", daemon=True
    )
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
