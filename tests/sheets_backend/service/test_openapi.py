"""The published OpenAPI document matches the service: schemathesis in-process, docs in step."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from werkzeug.serving import make_server
from workbooks import BASE_TABS, write_workbook

from sheets_backend import errors
from sheets_backend.service import app as app_module
from sheets_backend.service import auth, locks, ratelimit
from sheets_backend.service.api_errors import HTTP_CODES
from sheets_backend.service.app import create_app, openapi_document
from sheets_backend.service.settings import Config
from sheets_backend.sheets.gateway import local_client
from sheets_backend.sheets.local import LocalSheets
from tests.sheets_backend.service.google_standin import ADDON_SCOPES, CLIENT_ID, running_standin

ROOT = Path(__file__).resolve().parents[3]
# The id in the document's examples: schemathesis's explicit phase recomputes a real workbook.
EXAMPLE_ID = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"
SCHOOL_EXAMPLE_ID = "1SchoolWorkbook0Hive0Example0MS442xYz"  # /v1/school/recompute's example


@pytest.fixture(scope="module")
def google():
    with running_standin() as standin:
        yield standin


@pytest.fixture(scope="module")
def service_app(google, tmp_path_factory):
    folder = tmp_path_factory.mktemp("openapi")
    write_workbook(folder / f"{EXAMPLE_ID}.xlsx", BASE_TABS)
    write_workbook(folder / "broken.xlsx", {"Scores": BASE_TABS["Scores"]})
    write_workbook(folder / f"{SCHOOL_EXAMPLE_ID}.xlsx", {"Gradebooks": [
        ["Gradebook", "Course", "Teacher", "Teacher Email", "Department"],
        [EXAMPLE_ID, "Math", "Ms Lee", "lee@school.example.org", "Math"]]})
    service = LocalSheets.from_folder(folder)
    config = Config(
        client_id=CLIENT_ID,
        tokeninfo_url=google.tokeninfo_url,
        certs_url=google.certs_url,
        rate_limit_per_minute=100_000,
        rate_limit_burst=100_000,
        client_factory=lambda token: local_client(service),
    )
    return create_app(config)


@pytest.fixture(scope="module")
def service_url(service_app):
    """The app on a real threaded HTTP server on 127.0.0.1, where schemathesis sends every case
    and its own probes (such as the same call without auth)."""
    server = make_server("127.0.0.1", 0, service_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    schema.config.update(base_url=url)
    yield url
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def token(google):
    # The add-on's scopes, drive.file included, so /v1/publish is exercised past the scope check.
    scope = f"{ADDON_SCOPES} https://www.googleapis.com/auth/drive.file"
    return google.access_token(expires_in=3600, scope=scope)


# Loaded from the document itself (the app is a fixture); the test sends each case to the app.
# (`schemathesis.pytest.from_fixture` needs a pytest node attribute pytest 9 no longer has.)
schema = schemathesis.openapi.from_dict(openapi_document())


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_service_keeps_its_published_contract(case, service_url, token):
    """Generated and mutated requests: no 5xx, documented statuses, bodies match their schemas."""
    case.call_and_validate(base_url=service_url, headers={"Authorization": f"Bearer {token}"})


def test_the_document_is_openapi_3_and_served_as_yaml_too(service_app):
    client = service_app.test_client()
    document = client.get("/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert document == openapi_document()
    as_yaml = client.get("/v1/openapi.yaml")
    assert as_yaml.status_code == 200 and as_yaml.mimetype == "application/yaml"


def test_every_route_is_documented_in_openapi_and_in_docs(service_app):
    routes = {  # Flask's `<name>` is OpenAPI's `{name}`
        re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for rule in service_app.url_map.iter_rules() if rule.endpoint != "static"
    }
    assert routes == set(openapi_document()["paths"])
    api_md = (ROOT / "docs/api.md").read_text()
    for route in routes:
        assert f"`{route}`" in api_md or f" {route}`" in api_md, route


def every_error_code() -> set[str]:
    """Every stable code the service can answer, from the error types and the HTTP mapping."""
    modules = (errors, auth, ratelimit, locks, app_module)  # import them all: subclasses register
    assert modules
    codes = {code for code, _ in HTTP_CODES.values()} | {f.value for f in auth.AuthFailure}
    codes.add("internal_error")
    pending = [errors.HiveError]
    while pending:
        kind = pending.pop()
        pending.extend(kind.__subclasses__())
        if isinstance(kind.code, str):
            codes.add(kind.code)
    return codes


def test_every_error_code_is_in_the_api_docs():
    api_md = (ROOT / "docs/api.md").read_text()
    missing = sorted(code for code in every_error_code() if f"`{code}`" not in api_md)
    assert not missing, f"docs/api.md lacks {missing}"
