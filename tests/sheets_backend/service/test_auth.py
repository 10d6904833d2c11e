"""The service's sign-in check, against a local stand-in for Google's tokeninfo and certs."""

from __future__ import annotations

import logging

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import crypt

from sheets_backend.service.app import create_app
from sheets_backend.service.auth import AuthFailure, TokenVerifier, Unauthenticated, bearer_token
from sheets_backend.service.settings import Config
from tests.sheets_backend.service.google_standin import (
    CLIENT_ID,
    OTHER_CLIENT_ID,
    GoogleStandIn,
    running_standin,
)


@pytest.fixture(scope="module")
def google():
    with running_standin() as standin:
        yield standin


def auth_config(google: GoogleStandIn, **overrides) -> Config:
    return Config(
        client_id=CLIENT_ID,
        tokeninfo_url=google.tokeninfo_url,
        certs_url=google.certs_url,
        auth_timeout_seconds=5.0,
        **overrides,
    )


@pytest.fixture()
def client(google):
    # /v1/policies is the cheapest authenticated route: it reaches no spreadsheet.
    app = create_app(auth_config(google, client_factory=lambda token: None))
    return app.test_client()


def failure_code(response) -> str:
    assert response.is_json, response.data
    return response.get_json()["error"]["code"]


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz", "ya29.no-scheme"],
    ids=["absent", "empty", "scheme-only", "blank-token", "basic-auth", "no-scheme"],
)
def test_a_request_without_a_bearer_token_gets_token_missing(client, header):
    headers = {} if header is None else {"Authorization": header}
    response = client.get("/v1/policies", headers=headers)
    assert response.status_code == 401
    assert failure_code(response) == AuthFailure.TOKEN_MISSING
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_gets_token_invalid(client):
    response = client.get("/v1/policies", headers={"Authorization": "Bearer ya29.made-up"})
    assert response.status_code == 401
    assert failure_code(response) == "token_invalid"


def test_another_apps_token_gets_token_wrong_audience(client, google):
    token = google.access_token(aud=OTHER_CLIENT_ID)
    response = client.get("/v1/policies", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert failure_code(response) == "token_wrong_audience"


def test_an_expired_token_gets_token_expired(client, google):
    token = google.access_token(expires_in=-5)
    response = client.get("/v1/policies", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert failure_code(response) == "token_expired"


def test_a_token_without_the_sheets_scope_gets_token_scope(client, google):
    token = google.access_token(scope="openid email")
    response = client.get("/v1/policies", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert failure_code(response) == "token_scope"
    assert "permission" in response.get_json()["error"]["message"]


def test_every_failure_has_a_message_a_teacher_can_act_on(google):
    for failure in AuthFailure:
        error = Unauthenticated(failure)
        assert error.to_dict() == {"code": failure.value, "message": error.message}
        assert error.status == 401 and len(error.message) > 30


def test_a_good_check_is_cached_by_hash_and_never_by_token(google):
    verifier = TokenVerifier(auth_config(google))
    token = google.access_token(sub="cache-1")
    before = google.tokeninfo_calls
    first = verifier.verify(token)
    second = verifier.verify(token)
    assert first == second
    assert google.tokeninfo_calls == before + 1
    assert all(token not in key for key in verifier.cache._items)


def test_the_cache_forgets_after_its_ttl_and_stays_bounded(google):
    now = [1000.0]
    verifier = TokenVerifier(auth_config(google, token_cache_size=3), clock=lambda: now[0])
    tokens = [google.access_token(sub=f"bounded-{i}") for i in range(5)]
    for token in tokens:
        verifier.verify(token)
    assert len(verifier.cache) == 3
    before = google.tokeninfo_calls
    verifier.verify(tokens[-1])
    assert google.tokeninfo_calls == before
    now[0] += 61
    verifier.verify(tokens[-1])
    assert google.tokeninfo_calls == before + 1


def test_a_failed_check_is_not_cached(google):
    verifier = TokenVerifier(auth_config(google))
    before = google.tokeninfo_calls
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            verifier.verify("ya29.unknown")
    assert google.tokeninfo_calls == before + 2


def test_tokeninfo_down_is_a_clean_503_not_a_401(client, google):
    google.fail_next(503)
    token = google.access_token()
    response = client.get("/v1/policies", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503
    assert failure_code(response) == "auth_unavailable"


@pytest.mark.parametrize("body", [[], [{"aud": CLIENT_ID}], "ok", 42, None],
                         ids=["empty-list", "list", "string", "number", "null"])
def test_tokeninfo_answering_200_with_no_object_is_a_clean_503(client, google, body):
    google.answer_next(body)
    token = google.access_token()
    response = client.get("/v1/policies", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503
    assert failure_code(response) == "auth_unavailable"
    # The next check gets the truth and passes: nothing wrong was cached.
    response = client.get("/v1/policies", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_tokeninfo_unreachable_is_a_clean_503():
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    config = Config(client_id=CLIENT_ID, tokeninfo_url="http://127.0.0.1:9/tokeninfo",
                    auth_timeout_seconds=1.0, client_factory=lambda token: None)
    client = create_app(config).test_client()
    response = client.get("/v1/policies", headers={"Authorization": "Bearer ya29.anything"})
    assert response.status_code == 503
    assert failure_code(response) == "auth_unavailable"


@pytest.mark.parametrize(
    "header",
    ["Bearer a b", "Bearer " + "x" * 5000, "Bearer caf\u00e9"],
    ids=["inner-space", "oversized", "non-ascii"],
)
def test_malformed_tokens_are_refused_before_any_network_call(header):
    with pytest.raises(Unauthenticated) as caught:
        bearer_token(header)
    assert caught.value.failure is AuthFailure.TOKEN_INVALID


class TestIdentityToken:
    """The optional `X-Hive-Identity` ID token, verified against the stand-in's certificates."""

    def call(self, client, access: str, identity: str):
        return client.get(
            "/v1/policies",
            headers={"Authorization": f"Bearer {access}", "X-Hive-Identity": identity},
        )

    def test_a_valid_id_token_for_the_same_person_is_accepted(self, google):
        verifier = TokenVerifier(auth_config(google))
        access = google.access_token(sub="id-1")
        identity = verifier.verify(access, google.id_token(sub="id-1"))
        assert identity == verifier.verify(access)

    def test_an_id_token_for_another_app_is_refused(self, client, google):
        response = self.call(client, google.access_token(), google.id_token(aud=OTHER_CLIENT_ID))
        assert response.status_code == 401
        assert failure_code(response) == "token_wrong_audience"

    def test_an_expired_id_token_is_refused(self, client, google):
        response = self.call(client, google.access_token(), google.id_token(expires_in=-600))
        assert failure_code(response) == "token_expired"

    def test_an_id_token_signed_by_another_key_is_refused(self, client, google):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        forged = google.id_token(signer=crypt.RSASigner.from_string(pem, key_id="standin-key-1"))
        response = self.call(client, google.access_token(), forged)
        assert failure_code(response) == "token_invalid"

    def test_an_id_token_from_another_issuer_is_refused(self, client, google):
        response = self.call(client, google.access_token(), google.id_token(iss="evil.example"))
        assert failure_code(response) == "token_invalid"

    def test_an_id_token_naming_someone_else_is_refused(self, client, google):
        response = self.call(client, google.access_token(sub="a"), google.id_token(sub="b"))
        assert failure_code(response) == "token_invalid"

    def test_garbage_is_refused(self, client, google):
        response = self.call(client, google.access_token(), "not.a.jwt")
        assert failure_code(response) == "token_invalid"


def test_tokens_never_reach_the_logs(client, google, caplog):
    caplog.set_level(logging.DEBUG)
    tokens = [google.access_token(sub="logs"), google.access_token(aud=OTHER_CLIENT_ID),
              "ya29.never-issued-token"]
    identity = google.id_token(sub="logs")
    for token in tokens:
        client.get("/v1/policies", headers={"Authorization": f"Bearer {token}",
                                            "X-Hive-Identity": identity})
        client.post("/v1/recompute", json={"spreadsheet_id": "x"},
                    headers={"Authorization": f"Bearer {token}"})
    assert caplog.records, "the service should log each request"
    text = caplog.text + "".join(repr(vars(r)) for r in caplog.records)
    for secret in [*tokens, identity]:
        assert secret not in text
