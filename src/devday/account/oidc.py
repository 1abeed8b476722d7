"""Single sign-on with OpenID Connect: the protocol half (what the provider is asked and what
its answer must prove). Which account an identity signs in to is ``account/sso.py``'s.

The authorization code flow with PKCE (S256), ``state`` and ``nonce``: ``begin`` reads the
provider's discovery document and gives the URL to send the browser to, with the secrets the
browser must bring back (kept by the caller in a signed cookie); ``finish`` exchanges the code
at the token endpoint (with the client secret and the PKCE verifier) and verifies the ID token:
its signature against the provider's JWKS, ``iss``, ``aud`` (and ``azp``), ``exp``, ``iat`` and
``nonce``. Authlib speaks OAuth 2 (the authorization URL, the token request and its client
authentication); joserfc verifies the JWT.

The provider is an address the administrator configured and trusts, so these calls do NOT go
through ``netguard``'s refusal of private addresses: an identity provider on the internal
network (Keycloak at https://sso.internal) is the usual case, and users cannot aim these calls
anywhere. The discovery document and the keys are read on every sign-in: sign-ins are rare, and
a provider's rotated keys are then picked up at once.
"""

from __future__ import annotations

import hmac
import secrets
import ssl
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from devday.config import Settings
from devday.errors import DomainError, Forbidden

SCOPE = "openid email profile"
# Asymmetric signatures only: "none" is never accepted, nor HS256 (signed with the client
# secret, which would make the secret a key the provider's published JWKS cannot check).
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
CALLBACK_PATH = "/login/sso/callback"
# Clocks of the provider and devday may differ a little.
LEEWAY_SECONDS = 120


class ProviderUnavailable(DomainError):
    """The identity provider could not be reached or gave an answer that is not OpenID Connect."""

    status_code = 502


class SignOnRefused(Forbidden):
    """The sign-in did not prove who the user is (a bad state, code, signature or claim)."""


@dataclass(frozen=True)
class Provider:
    """What the provider's discovery document says that the flow needs."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: tuple[str, ...]
    token_auth_method: str


@dataclass(frozen=True)
class Begun:
    """Where to send the browser, and what it must bring back to ``finish``."""

    url: str
    state: str
    nonce: str
    verifier: str


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in: its issuer and stable subject id, and their profile."""

    issuer: str
    subject: str
    email: str
    email_verified: bool
    name: str


def redirect_uri(settings: Settings) -> str:
    """The callback URL to register at the provider: on ``DEVDAY_PUBLIC_URL`` (else the server's
    own host and port), never on the request's Host header, which the requester chooses."""
    base = settings.public_url or f"http://{settings.host}:{settings.port}"
    return base.rstrip("/") + CALLBACK_PATH


@cache
def _tls() -> ssl.SSLContext:
    """The system's trust store (where an internal CA is added), made once per process."""
    return ssl.create_default_context()


def _client(settings: Settings) -> Any:
    """An HTTP client for one sign-in step: Authlib's OAuth 2 client over httpx."""
    from authlib.integrations.httpx_client import OAuth2Client

    return OAuth2Client(
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        scope=SCOPE,
        redirect_uri=redirect_uri(settings),
        code_challenge_method="S256",
        timeout=settings.oidc_timeout_seconds,
        verify=_tls(),
    )


def _get_json(client: Any, url: str, what: str) -> dict[str, Any]:
    import httpx2

    try:
        response = client.request("GET", url, withhold_token=True, follow_redirects=True)
        response.raise_for_status()
        document = response.json()
    except (httpx2.HTTPError, ValueError) as exc:
        raise ProviderUnavailable(f"the sign-on provider's {what} at {url} failed: {exc}") from exc
    if not isinstance(document, dict):
        raise ProviderUnavailable(f"the sign-on provider's {what} at {url} is not a JSON object")
    return document


def discover(settings: Settings, client: Any) -> Provider:
    """The provider at ``DEVDAY_OIDC_ISSUER``, from its ``/.well-known/openid-configuration``."""
    issuer = settings.oidc_issuer.rstrip("/")
    document = _get_json(client, issuer + "/.well-known/openid-configuration", "discovery")
    # The document must name the very issuer it was fetched for (OpenID Connect Discovery 4.3).
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        raise ProviderUnavailable(
            f"the discovery document names issuer {document.get('issuer')!r}, "
            f"not {settings.oidc_issuer!r}: check DEVDAY_OIDC_ISSUER"
        )
    needed = ("authorization_endpoint", "token_endpoint", "jwks_uri")
    missing = [key for key in needed if not isinstance(document.get(key), str)]
    if missing:
        raise ProviderUnavailable(f"the discovery document has no {', '.join(missing)}")
    offered = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = tuple(alg for alg in ALGORITHMS if alg in offered)
    if not algorithms:
        raise ProviderUnavailable(f"the provider signs ID tokens only with {offered}")
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    basic = "client_secret_basic" in methods or "client_secret_post" not in methods
    return Provider(
        issuer=str(document["issuer"]),
        authorization_endpoint=document["authorization_endpoint"],
        token_endpoint=document["token_endpoint"],
        jwks_uri=document["jwks_uri"],
        algorithms=algorithms,
        token_auth_method="client_secret_basic" if basic else "client_secret_post",
    )


def begin(settings: Settings) -> Begun:
    """The authorization URL of a new sign-in, with fresh ``state``, ``nonce`` and PKCE verifier."""
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(48)  # 64 characters: RFC 7636 asks 43 to 128
    with _client(settings) as client:
        provider = discover(settings, client)
        url, _ = client.create_authorization_url(
            provider.authorization_endpoint, state=state, nonce=nonce, code_verifier=verifier
        )
    return Begun(url=url, state=state, nonce=nonce, verifier=verifier)


def check_state(expected: str, returned: str) -> None:
    """SignOnRefused unless the provider sent back the ``state`` this browser was given."""
    if not (expected and returned and hmac.compare_digest(expected, returned)):
        raise SignOnRefused("this sign-in was not started here or has expired; try again")


def finish(settings: Settings, *, code: str, nonce: str, verifier: str, now: datetime) -> Identity:
    """Who signed in: the code exchanged for tokens, the ID token verified."""
    from authlib.integrations.base_client import OAuthError

    with _client(settings) as client:
        provider = discover(settings, client)
        client.token_endpoint_auth_method = provider.token_auth_method
        try:
            token = client.fetch_token(
                provider.token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=verifier,
            )
        except OAuthError as exc:
            raise SignOnRefused(f"the sign-on provider refused the sign-in: {exc}") from exc
        except Exception as exc:  # httpx2's errors, or an answer that is not JSON
            failed = f"the sign-on provider's token endpoint failed: {exc}"
            raise ProviderUnavailable(failed) from exc
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise SignOnRefused("the sign-on provider sent no ID token")
        jwks = _get_json(client, provider.jwks_uri, "key set")
    claims = verify_id_token(
        id_token,
        jwks=jwks,
        provider=provider,
        client_id=settings.oidc_client_id,
        nonce=nonce,
        now=now,
    )
    return identity_of(provider.issuer, claims)


def verify_id_token(
    id_token: str,
    *,
    jwks: dict[str, Any],
    provider: Provider,
    client_id: str,
    nonce: str,
    now: datetime,
) -> dict[str, Any]:
    """The ID token's claims once its signature (by a key of ``jwks``), issuer, audience,
    expiry and nonce are right; SignOnRefused naming the first that is not."""
    from joserfc import jwt
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    try:
        keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise ProviderUnavailable(f"the provider's key set cannot be read: {exc}") from exc
    try:
        token = jwt.decode(id_token, keys, algorithms=list(provider.algorithms))
    except (JoseError, ValueError) as exc:
        raise SignOnRefused(f"the ID token's signature is not valid: {exc}") from exc
    registry = jwt.JWTClaimsRegistry(
        now=int(now.timestamp()),
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": provider.issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(token.claims)
    except JoseError as exc:
        raise SignOnRefused(f"the ID token was refused: {exc}") from exc
    claims = token.claims
    # With several audiences the token must say it was issued to this client (OIDC Core 3.1.3.7).
    audience = claims.get("aud")
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise SignOnRefused("the ID token was issued to another client (azp)")
    return claims


def identity_of(issuer: str, claims: dict[str, Any]) -> Identity:
    """The identity an ID token's claims describe."""
    email = claims.get("email")
    verified = claims.get("email_verified")
    name = claims.get("name") or claims.get("preferred_username") or ""
    return Identity(
        issuer=issuer,
        subject=str(claims["sub"]),
        email=email.strip() if isinstance(email, str) else "",
        # Some providers send the flag as a string.
        email_verified=verified is True or verified == "true",
        name=str(name).strip(),
    )
