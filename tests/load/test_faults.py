"""Google Sheets misbehaving (429 and 5xx bursts from the local service): retried, or clean 503."""

from __future__ import annotations

import hashlib
import threading
import time

import pytest
from werkzeug.serving import make_server
from workbooks import BASE_TABS, write_workbook

from sheets_backend.service.app import create_app
from sheets_backend.service.settings import AuthMode, Config
from sheets_backend.sheets.gateway import local_client
from sheets_backend.sheets.local import LocalSheets

SHEET = "gradebook"


@pytest.fixture()
def service(tmp_path):
    write_workbook(tmp_path / f"{SHEET}.xlsx", BASE_TABS)
    return LocalSheets.from_folder(tmp_path)


@pytest.fixture()
def server(service, tmp_path):
    """The service on a real threaded HTTP server on 127.0.0.1, local mode, auth explicitly off."""
    import requests

    config = Config(auth=AuthMode.OFF, local_folder=str(tmp_path),
                    client_factory=lambda token: local_client(service))
    http = make_server("127.0.0.1", 0, create_app(config), threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    session = requests.Session()
    base = f"http://127.0.0.1:{http.server_port}"

    def recompute():
        return session.post(base + "/v1/recompute", json={"spreadsheet_id": SHEET}, timeout=60)

    yield recompute
    http.shutdown()
    http.server_close()
    thread.join(timeout=5)


def digest(service: LocalSheets) -> str:
    path = service.workbook(SHEET).path
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_short_burst_is_retried_within_budget(server, service, status):
    service.faults.fail_next(status=status, count=2)
    started = time.monotonic()
    response = server()
    assert response.status_code == 200, response.text
    assert response.json()["written"] is True
    assert service.faults.pending == 0
    assert time.monotonic() - started < 30


@pytest.mark.slow
@pytest.mark.parametrize("status", [429, 503])
def test_a_long_outage_is_a_clean_503_and_the_file_is_unchanged(server, service, status):
    before = digest(service)
    service.faults.fail_next(status=status, count=1000)
    started = time.monotonic()
    response = server()
    elapsed = time.monotonic() - started
    service.faults.clear()
    assert response.status_code == 503
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == "sheets_unavailable"
    assert "Nothing was written" in body["error"]["message"]
    assert digest(service) == before
    assert elapsed < 45
    assert server().status_code == 200  # and the next recompute, once Google is back, works
