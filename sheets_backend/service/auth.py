"""Who is calling: the teacher's Google access token, checked with tokeninfo, never kept or logged.

The token itself is passed on to the gateway for the length of one request and dropped. The cache of
positive checks is keyed by a SHA-256 of the token, bounded in size and time.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import google.auth.exceptions
import google.auth.transport.requests
import requests
from google.oauth2 import id_token

from sheets_backend.errors import HiveError
from sheets_backend.service.settings import Config

log = logging.getLogger(__name__)

GOOGLE_ISSUERS = frozenset({"accounts.google.com", "https://accounts.google.com"})


class AuthFailure(StrEnum):
    """Stable codes for a 401: the sidebar keys on these, never on the message."""

    TOKEN_MISSING = "token_missing"
    TOKEN_INVALID = "token_invalid"
    TOKEN_WRONG_AUDIENCE = "token_wrong_audience"
    TOKEN_EXPIRED = "token_expired"
    TOKEN_SCOPE = "token_scope"


# What a teacher (or the add-on on her behalf) can do about each failure.
AUTH_MESSAGES: dict[AuthFailure, str] = {
    AuthFailure.TOKEN_MISSING: "Hive needs you to be signed in. Open Hive from the Extensions "
    "menu of your spreadsheet.",
    AuthFailure.TOKEN_INVALID: "Your Google sign-in was not accepted. Close the Hive sidebar and "
    "open it again; if this keeps happening, sign out of Google and back in.",
    AuthFailure.TOKEN_WRONG_AUDIENCE: "This sign-in was made for another app, not Hive. Open Hive "
    "from the Extensions menu of your spreadsheet.",
    AuthFailure.TOKEN_EXPIRED: "Your Google sign-in has expired. Close the Hive sidebar and open "
    "it again.",
    AuthFailure.TOKEN_SCOPE: "Hive was not given permission to edit your spreadsheets. Open Hive "
    "again and allow access to Google Sheets when asked.",
}


class Unauthenticated(HiveError):
    """401: no usable Google sign-in. `code` is one of `AuthFailure`."""

    status = 401

    def __init__(self, failure: AuthFailure) -> None:
        super().__init__(AUTH_MESSAGES[failure])
        self.code = failure.value
        self.failure = failure


class AuthUnavailable(HiveError):
    """503: Google's token check could not be reached; nothing was read or written."""

    code = "auth_unavailable"
    status = 503

    def __init__(self) -> None:
        super().__init__(
            "Hive could not check your Google sign-in just now. Nothing was changed; "
            "try again in a minute."
        )


@dataclass(frozen=True)
class Identity:
    """A verified caller. `key` names her for rate limits and logs: never the token, never an email
    in clear (a hash), stable across her tokens when Google tells us her `sub`."""

    key: str
    scopes: frozenset[str] = frozenset()

    @classmethod
    def from_subject(cls, subject: str, scopes: frozenset[str] = frozenset()) -> Identity:
        return cls(key="u-" + _digest(subject)[:16], scopes=scopes)


LOCAL_IDENTITY = Identity(key="local")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def bearer_token(header: str | None) -> str:
    """The token in `Authorization: Bearer <token>`, or `token_missing`."""
    if not header:
        raise Unauthenticated(AuthFailure.TOKEN_MISSING)
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated(AuthFailure.TOKEN_MISSING)
    if len(token) > 4096 or not token.isascii() or any(c.isspace() for c in token):
        raise Unauthenticated(AuthFailure.TOKEN_INVALID)
    return token


class _TTLCache:
    """A small LRU of positive checks: SHA-256(token) -> (Identity, monotonic expiry)."""

    def __init__(self, size: int, clock: Callable[[], float]) -> None:
        self.size = size
        self.clock = clock
        self._items: OrderedDict[str, tuple[Identity, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Identity | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[1] <= self.clock():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: str, identity: Identity, ttl: float) -> None:
        if ttl <= 0:
            return
        with self._lock:
            self._items[key] = (identity, self.clock() + ttl)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class TokenVerifier:
    """Checks access tokens with Google's tokeninfo and optional ID tokens with Google's certs."""

    def __init__(
        self,
        config: Config,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.session = session or requests.Session()
        self.cache = _TTLCache(config.token_cache_size, clock)

    def verify(self, access_token: str, identity_token: str | None = None) -> Identity:
        """The caller behind `access_token`, or `Unauthenticated` with the reason."""
        key = "a-" + _digest(access_token)
        identity = self.cache.get(key)
        if identity is None:
            identity, ttl = self._tokeninfo(access_token, key)
            self.cache.put(key, identity, min(ttl, self.config.token_cache_seconds))
        if identity_token is not None:
            if not identity_token.strip():
                raise Unauthenticated(AuthFailure.TOKEN_INVALID)  # sent, but empty
            identity = self._id_identity(identity_token, identity)
        return identity

    def _tokeninfo(self, access_token: str, key: str) -> tuple[Identity, float]:
        # POST keeps the token out of URLs, so no access log or urllib3 debug line can carry it.
        try:
            reply = self.session.post(
                self.config.tokeninfo_url,
                data={"access_token": access_token},
                timeout=self.config.auth_timeout_seconds,
            )
        except requests.RequestException as exc:
            log.warning("tokeninfo unreachable", extra={"error": type(exc).__name__})
            raise AuthUnavailable() from None
        if reply.status_code >= 500 or reply.status_code == 429:
            log.warning("tokeninfo failed", extra={"upstream_status": reply.status_code})
            raise AuthUnavailable()
        if reply.status_code != 200:
            # Google answers 400 invalid_token for unknown, revoked and expired tokens alike.
            raise Unauthenticated(AuthFailure.TOKEN_INVALID)
        try:
            info: Any = reply.json()
        except ValueError:
            raise AuthUnavailable() from None
        if not isinstance(info, dict):
            # Google always answers an object; anything else is a broken upstream, not a bad token.
            log.warning("tokeninfo answer is no object", extra={"type": type(info).__name__})
            raise AuthUnavailable()
        return self._check_info(info, key)

    def _check_info(self, info: dict[str, Any], key: str) -> tuple[Identity, float]:
        client_id = self.config.client_id
        if client_id not in (info.get("aud"), info.get("azp")):
            raise Unauthenticated(AuthFailure.TOKEN_WRONG_AUDIENCE)
        try:
            expires_in = float(info.get("expires_in", 0))
        except (TypeError, ValueError):
            expires_in = 0.0
        if expires_in <= 0:
            raise Unauthenticated(AuthFailure.TOKEN_EXPIRED)
        scopes = frozenset(str(info.get("scope", "")).split())
        if self.config.required_scope not in scopes:
            raise Unauthenticated(AuthFailure.TOKEN_SCOPE)
        subject = str(info.get("sub") or info.get("email") or "")
        if not subject:
            # No stable id from Google: the caller is this token (its hash), nothing more.
            return Identity(key="t-" + key[2:18], scopes=scopes), expires_in
        return Identity.from_subject(subject, scopes), expires_in

    def _id_identity(self, identity_token: str, access: Identity) -> Identity:
        key = "i-" + _digest(identity_token)
        cached = self.cache.get(key)
        if cached is None:
            claims = self._verify_id_token(identity_token)
            cached = Identity.from_subject(str(claims["sub"]))
            expires_in = float(claims.get("exp", 0)) - time.time()
            self.cache.put(key, cached, min(expires_in, self.config.token_cache_seconds))
        if access.key.startswith("u-") and access.key != cached.key:
            # The ID token names someone other than the access token's owner.
            raise Unauthenticated(AuthFailure.TOKEN_INVALID)
        return Identity(key=cached.key, scopes=access.scopes)

    def _verify_id_token(self, identity_token: str) -> dict[str, Any]:
        """`id_token.verify_oauth2_token`, with the certificates URL taken from settings."""
        base = google.auth.transport.requests.Request(self.session)
        timeout = self.config.auth_timeout_seconds

        def request(url: str, method: str = "GET", **kwargs: Any) -> Any:
            # google-auth's default wait is 120 s; a sidebar call cannot hang that long.
            return base(url, method=method, **{**kwargs, "timeout": timeout})

        try:
            claims: dict[str, Any] = id_token.verify_token(
                identity_token,
                request,
                audience=self.config.client_id,
                certs_url=self.config.certs_url,
            )
        except google.auth.exceptions.TransportError:
            raise AuthUnavailable() from None
        except ValueError as exc:
            # google-auth raises ValueError (or a subclass) for bad signature, audience, expiry.
            text = str(exc).lower()
            if "expired" in text:
                raise Unauthenticated(AuthFailure.TOKEN_EXPIRED) from None
            if "audience" in text:
                raise Unauthenticated(AuthFailure.TOKEN_WRONG_AUDIENCE) from None
            raise Unauthenticated(AuthFailure.TOKEN_INVALID) from None
        except google.auth.exceptions.GoogleAuthError:
            raise Unauthenticated(AuthFailure.TOKEN_INVALID) from None
        if claims.get("iss") not in GOOGLE_ISSUERS or not claims.get("sub"):
            raise Unauthenticated(AuthFailure.TOKEN_INVALID)
        return claims
