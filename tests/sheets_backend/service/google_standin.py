"""A local stand-in for Google's token endpoints (tokeninfo and OAuth2 certs), on 127.0.0.1.

It is a real threaded HTTP server speaking the same JSON as Google, so the service's auth code runs
unchanged: only the URLs in its settings point here. Tests issue tokens from it.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt, jwt
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

CLIENT_ID = "hive-test-client.apps.googleusercontent.com"
OTHER_CLIENT_ID = "another-app.apps.googleusercontent.com"
SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"
ADDON_SCOPES = f"{SHEETS_SCOPE} https://www.googleapis.com/auth/script.container.ui openid email"
KEY_ID = "standin-key-1"


@dataclass
class _Grant:
    aud: str
    scope: str
    expires_at: float
    sub: str
    email: str


@dataclass
class GoogleStandIn:
    """Issues access and ID tokens and answers `POST|GET /tokeninfo` and `GET /certs` for them."""

    base_url: str = ""
    grants: dict[str, _Grant] = field(default_factory=dict)
    tokeninfo_calls: int = 0
    certs_calls: int = 0
    _faults: list[int] = field(default_factory=list)
    _answers: list[object] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        self._signer = crypt.RSASigner.from_string(pem, key_id=KEY_ID)
        self._cert_pem = _self_signed(self._key)

    @property
    def tokeninfo_url(self) -> str:
        return self.base_url + "/tokeninfo"

    @property
    def certs_url(self) -> str:
        return self.base_url + "/certs"

    def access_token(
        self,
        *,
        sub: str = "1001",
        email: str = "teacher@school.example",
        aud: str = CLIENT_ID,
        scope: str = ADDON_SCOPES,
        expires_in: float = 3600,
    ) -> str:
        """A fresh opaque access token, as `ScriptApp.getOAuthToken()` would return."""
        token = "ya29.standin-" + secrets.token_urlsafe(32)
        with self._lock:
            self.grants[token] = _Grant(aud, scope, time.time() + expires_in, sub, email)
        return token

    def id_token(
        self,
        *,
        sub: str = "1001",
        email: str = "teacher@school.example",
        aud: str = CLIENT_ID,
        iss: str = "https://accounts.google.com",
        expires_in: int = 3600,
        signer: crypt.Signer | None = None,
    ) -> str:
        """A signed ID token (RS256, this stand-in's key) like `ScriptApp.getIdentityToken()`."""
        now = int(time.time())
        payload = {
            "iss": iss, "aud": aud, "azp": aud, "sub": sub, "email": email,
            "email_verified": True, "iat": now - 10, "exp": now + expires_in,
        }
        return jwt.encode(signer or self._signer, payload).decode()

    def fail_next(self, status: int, count: int = 1) -> None:
        """The next `count` tokeninfo calls answer `status` (e.g. 503) instead of the truth."""
        with self._lock:
            self._faults.extend([status] * count)

    def answer_next(self, body: object, count: int = 1) -> None:
        """The next `count` tokeninfo calls answer 200 with `body` (e.g. a JSON list)."""
        with self._lock:
            self._answers.extend([body] * count)

    def __call__(self, environ, start_response):  # noqa: ANN001, ANN204 - WSGI signature
        request = Request(environ)
        if request.path == "/tokeninfo":
            response = self._tokeninfo(request)
        elif request.path == "/certs":
            with self._lock:
                self.certs_calls += 1
            response = _json({KEY_ID: self._cert_pem})
        else:
            response = _json({"error": "not_found"}, 404)
        return response(environ, start_response)

    def _tokeninfo(self, request: Request) -> Response:
        token = request.form.get("access_token") or request.args.get("access_token", "")
        with self._lock:
            self.tokeninfo_calls += 1
            if self._faults:
                return _json({"error": "backend_error"}, self._faults.pop(0))
            if self._answers:
                return _json(self._answers.pop(0))
            grant = self.grants.get(token)
        if grant is None:
            return _json({"error": "invalid_token", "error_description": "Invalid Value"}, 400)
        expires_in = int(grant.expires_at - time.time())
        # Google itself answers 400 for an expired token; the stand-in reports expires_in so the
        # service's own expiry check is exercised too.
        return _json({
            "azp": grant.aud, "aud": grant.aud, "sub": grant.sub, "scope": grant.scope,
            "exp": str(int(grant.expires_at)), "expires_in": str(max(expires_in, 0)),
            "email": grant.email, "email_verified": "true", "access_type": "online",
        })


class _Quiet(WSGIRequestHandler):
    """No access log lines: they would only clutter captured logs."""

    def log_request(self, *args: object, **kwargs: object) -> None:
        pass


def _json(body: object, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _self_signed(key: rsa.RSAPrivateKey) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "standin.googleapis.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@contextmanager
def running_standin() -> Iterator[GoogleStandIn]:
    """Serve a fresh stand-in on 127.0.0.1 (a free port) for the length of the block."""
    standin = GoogleStandIn()
    server = make_server("127.0.0.1", 0, standin, threaded=True, request_handler=_Quiet)
    standin.base_url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield standin
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
