"""Nightly identities: a service account, and domain-wide delegation acting as each teacher.

google-auth runs for real: it signs a JWT grant with a key made here and posts it to a loopback
stand-in for Google's OAuth token endpoint, which verifies the signature and the claims as Google
does and issues an access token; gspread then reads a gradebook from the local Sheets service with
that token on every call.
"""

from __future__ import annotations

import json
import secrets
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import jwt
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import Request as GoogleRequest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from sheets_backend.sheets.credentials import (
    PUBLISH_SCOPES,
    RECOMPUTE_SCOPES,
    TOKEN_URI,
    CredentialsError,
    authorized_client,
    delegated_credentials,
    service_account_credentials,
)
from sheets_backend.sheets.gateway import SheetsGateway
from sheets_backend.sheets.local import LocalSheets

ROBOT = "hive-nightly@hive-school.iam.gserviceaccount.com"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@dataclass
class TokenEndpoint:
    """Google's `POST /token` for the JWT-bearer grant, checking what Google checks."""

    public_pem: bytes
    url: str = ""
    grants: list[dict[str, object]] = field(default_factory=list)
    issued: dict[str, dict[str, object]] = field(default_factory=dict)

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        request = Request(environ)
        form = urllib.parse.parse_qs(request.get_data(as_text=True))
        if form.get("grant_type") != [GRANT_TYPE]:
            return Response(json.dumps({"error": "unsupported_grant_type"}), 400)(
                environ, start_response)
        try:
            # Google's token endpoint takes grants addressed to itself, wherever it is reached.
            claims = jwt.decode(form["assertion"][0], certs=self.public_pem, audience=TOKEN_URI)
        except ValueError:
            return Response(json.dumps({"error": "invalid_grant"}), 400)(environ, start_response)
        self.grants.append(claims)
        token = "ya29.standin-" + secrets.token_urlsafe(12)
        self.issued[token] = claims
        body = {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}
        return Response(json.dumps(body), 200, content_type="application/json")(
            environ, start_response)


@pytest.fixture
def key_and_endpoint() -> Iterator[tuple[dict[str, str], TokenEndpoint]]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    endpoint = TokenEndpoint(public)
    server = make_server("127.0.0.1", 0, endpoint, threaded=True)
    endpoint.url = f"http://127.0.0.1:{server.server_port}/token"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    info = {
        "type": "service_account",
        "project_id": "hive-school",
        "private_key_id": "standin",
        "private_key": private,
        "client_email": ROBOT,
        "client_id": "1234567890",
        "token_uri": endpoint.url,
    }
    try:
        yield info, endpoint
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture
def gradebook() -> tuple[LocalSheets, str]:
    service = LocalSheets()
    sid = service.create_workbook_from_rows({"Roster": [["Student ID", "Student Name"]]})
    return service, sid


def _read_with(credentials, service: LocalSheets, sid: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Read the gradebook with `credentials`; the Authorization header of every call."""
    client = authorized_client(credentials, session=service.session())
    seen: list[str] = []
    client.http_client.session.hooks["response"].append(
        lambda response, **_: seen.append(response.request.headers.get("Authorization", "")))
    SheetsGateway(client, sid).read_snapshot()
    return seen


def test_delegation_acts_as_the_teacher_with_the_narrowest_scope(key_and_endpoint, gradebook):
    info, endpoint = key_and_endpoint
    service, sid = gradebook
    credentials = delegated_credentials("ms.rivera@school.example.org", key_info=info)
    seen = _read_with(credentials, service, sid)
    [claims] = endpoint.grants
    assert claims["sub"] == "ms.rivera@school.example.org"
    assert claims["iss"] == ROBOT
    assert claims["scope"] == " ".join(RECOMPUTE_SCOPES)
    [token] = endpoint.issued
    assert seen and all(header == f"Bearer {token}" for header in seen)


def test_a_service_account_acts_as_itself(key_and_endpoint, gradebook):
    info, endpoint = key_and_endpoint
    service, sid = gradebook
    seen = _read_with(service_account_credentials(key_info=info), service, sid)
    [claims] = endpoint.grants
    assert "sub" not in claims and claims["iss"] == ROBOT
    assert claims["scope"] == "https://www.googleapis.com/auth/spreadsheets"
    assert len(seen) == 2  # metadata and values, one token for both


def test_publishing_adds_only_drive_file(key_and_endpoint):
    info, endpoint = key_and_endpoint
    credentials = delegated_credentials("ms.rivera@school.example.org", PUBLISH_SCOPES,
                                        key_info=info)
    credentials.refresh(GoogleRequest())
    assert endpoint.grants[0]["scope"].split() == [
        "https://www.googleapis.com/auth/spreadsheets",
        "https://www.googleapis.com/auth/drive.file",
    ]


def test_a_refused_grant_reaches_no_spreadsheet(key_and_endpoint, gradebook):
    info, endpoint = key_and_endpoint
    service, sid = gradebook
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = dict(info, private_key=other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode())

    with pytest.raises(RefreshError):
        _read_with(delegated_credentials("ms.rivera@school.example.org", key_info=forged),
                   service, sid)
    assert endpoint.grants == []


@pytest.mark.parametrize(("subject", "email", "words"), [
    ("Ms Rivera", "", "is not an email address"),
    ("ms.rivera@school.example.org", "", "HIVE_SERVICE_ACCOUNT_EMAIL"),
], ids=["teacher-without-email", "keyless-without-account"])
def test_a_delegation_that_cannot_work_says_what_to_set(subject, email, words):
    with pytest.raises(CredentialsError, match=words):
        delegated_credentials(subject, service_account_email=email)
