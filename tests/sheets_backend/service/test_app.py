"""The Flask service end to end: real local Sheets service, real gspread, stand-in Google auth."""

from __future__ import annotations

import itertools
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import gspread
import pytest
import requests
import yaml
from workbooks import BASE_TABS, read_tab, write_workbook

from sheets_backend.errors import SheetsAccessDenied
from sheets_backend.service.app import create_app, default_client_factory
from sheets_backend.service.locks import RecomputeInProgress, SpreadsheetLocks
from sheets_backend.service.logs import JsonLinesFormatter
from sheets_backend.service.ratelimit import RateLimited, RateLimiter
from sheets_backend.service.serve import local_config, serve
from sheets_backend.service.settings import (
    SETTINGS,
    AuthMode,
    Config,
    ConfigError,
    markdown_table,
)
from sheets_backend.sheets.gateway import local_client
from sheets_backend.sheets.local import LocalSheets
from tests.sheets_backend.service.google_standin import CLIENT_ID, running_standin

ROOT = Path(__file__).resolve().parents[3]
DRIVE_FILE = "https://www.googleapis.com/auth/drive.file"
SHEET = "gradebook"
STUDENT_NAMES = [row[1] for row in BASE_TABS["Roster"][1:] if row[1] and row[1][0] != "="]


@pytest.fixture(scope="module")
def google():
    with running_standin() as standin:
        yield standin


@pytest.fixture()
def folder(tmp_path):
    write_workbook(tmp_path / f"{SHEET}.xlsx", BASE_TABS)
    no_roster = {k: v for k, v in BASE_TABS.items() if k != "Roster"}
    write_workbook(tmp_path / "broken.xlsx", no_roster)
    return tmp_path


@pytest.fixture()
def service(folder):
    return LocalSheets.from_folder(folder)


class Api:
    """The sidebar's calls, as one signed-in teacher (flaskr's AuthActions, for Hive)."""

    def __init__(self, client, token: str | None) -> None:
        self.client = client
        self.token = token

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def recompute(self, spreadsheet_id: str = SHEET, **body):
        return self.client.post("/v1/recompute", json={"spreadsheet_id": spreadsheet_id, **body},
                                headers=self.headers)

    def validate(self, spreadsheet_id: str = SHEET):
        return self.client.post("/v1/validate", json={"spreadsheet_id": spreadsheet_id},
                                headers=self.headers)

    def policies(self):
        return self.client.get("/v1/policies", headers=self.headers)

    def publish(self, folder_id: str | None, spreadsheet_id: str = SHEET, **body):
        folder = {} if folder_id is None else {"folder_id": folder_id}
        return self.client.post("/v1/publish", json={"spreadsheet_id": spreadsheet_id, **folder,
                                                     **body}, headers=self.headers)


def make_config(google, service, **overrides) -> Config:
    return Config(
        client_id=CLIENT_ID,
        tokeninfo_url=google.tokeninfo_url,
        certs_url=google.certs_url,
        client_factory=lambda token: local_client(service),
        **overrides,
    )


@pytest.fixture()
def api(google, service):
    app = create_app(make_config(google, service))
    return Api(app.test_client(), google.access_token())


def assert_envelope(response, status: int, code: str) -> dict:
    """THE error shape: status, JSON, exactly {"error": {"code", "message", ...}}."""
    assert response.status_code == status, response.data
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and len(error["message"]) > 10
    assert response.headers["X-Request-Id"]
    return error


SUMMARY_KEYS = {"students", "outcomes", "evidence", "statuses", "warnings", "api_calls", "written",
                "duration_ms"}


def test_recompute_writes_hive_tabs_and_answers_the_summary(api, folder):
    response = api.recompute(as_of="2026-10-30")
    assert response.status_code == 200, response.data
    summary = response.get_json()
    assert SUMMARY_KEYS <= set(summary)
    assert (summary["students"], summary["outcomes"]) == (4, 3)
    assert summary["written"] is True
    assert summary["api_calls"]["write"] == 1
    assert sum(summary["statuses"].values()) == 4 * 3
    assert read_tab(folder / f"{SHEET}.xlsx", "Mastery")


def test_a_dry_run_and_validate_leave_the_file_untouched(api, folder):
    path = folder / f"{SHEET}.xlsx"
    before = path.read_bytes()
    dry = api.recompute(dry_run=True)
    checked = api.validate()
    assert dry.status_code == checked.status_code == 200
    assert dry.get_json()["written"] is False and checked.get_json()["written"] is False
    assert SUMMARY_KEYS <= set(checked.get_json())
    assert path.read_bytes() == before


def test_recompute_twice_gives_the_same_sheet(api, folder):
    path = folder / f"{SHEET}.xlsx"
    api.recompute(as_of="2026-10-30")
    first = read_tab(path, "Mastery")
    api.recompute(as_of="2026-10-30")
    assert read_tab(path, "Mastery") == first


BAD_BODIES = {
    "not-json": ("/v1/recompute", b"spreadsheet_id=x", ["body"]),
    "json-array": ("/v1/recompute", b'["gradebook"]', ["body"]),
    "missing-id": ("/v1/recompute", b"{}", ["spreadsheet_id"]),
    "unknown-field": ("/v1/validate", b'{"spreadsheet_id": "g", "dry_run": true}', ["dry_run"]),
    "id-with-slash": ("/v1/recompute", b'{"spreadsheet_id": "../etc/passwd"}', ["spreadsheet_id"]),
    "dry-run-string": ("/v1/recompute", b'{"spreadsheet_id": "g", "dry_run": "yes"}', ["dry_run"]),
    "as-of-us-date": ("/v1/recompute", b'{"spreadsheet_id": "g", "as_of": "10/30/2026"}',
                      ["as_of"]),
    "as-of-not-a-day": ("/v1/recompute", b'{"spreadsheet_id": "g", "as_of": "2026-02-30"}',
                        ["as_of"]),
    "everything-wrong": ("/v1/recompute", b'{"dry_run": 1, "as_of": 5, "x": 0}',
                         ["x", "spreadsheet_id", "dry_run", "as_of"]),
}


@pytest.mark.parametrize("path,body,fields", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_a_bad_body_names_every_bad_field_at_once(api, path, body, fields):
    response = api.client.post(path, data=body, headers={**api.headers,
                                                         "Content-Type": "application/json"})
    error = assert_envelope(response, 400, "bad_request")
    assert sorted(p["field"] for p in error["problems"]) == sorted(fields)


def test_a_body_over_the_limit_is_413_request_too_large(api):
    body = json.dumps({"spreadsheet_id": SHEET, "pad": "x" * 20_000})
    response = api.client.post("/v1/recompute", data=body, headers={
        **api.headers, "Content-Type": "application/json"})
    error = assert_envelope(response, 413, "request_too_large")
    assert "16,384" in error["message"]


class TestEnvelope:
    """Every route, every kind of failure: one shape."""

    def test_unknown_route(self, api):
        assert_envelope(api.client.get("/v2/recompute"), 404, "not_found")

    @pytest.mark.parametrize("method,path", [("get", "/v1/recompute"), ("get", "/v1/validate"),
                                             ("post", "/v1/policies"), ("post", "/healthz"),
                                             ("delete", "/v1/openapi.json")])
    def test_wrong_method(self, api, method, path):
        response = getattr(api.client, method)(path, headers=api.headers)
        assert_envelope(response, 405, "method_not_allowed")
        assert response.headers["Allow"]

    @pytest.mark.parametrize("path", ["/v1/recompute", "/v1/validate", "/v1/policies"])
    def test_every_v1_route_needs_a_token(self, api, path):
        call = api.client.get if path == "/v1/policies" else api.client.post
        assert_envelope(call(path, json={"spreadsheet_id": SHEET}), 401, "token_missing")

    @pytest.mark.parametrize("route", ["recompute", "validate"])
    def test_unknown_spreadsheet(self, api, route):
        assert_envelope(getattr(api, route)("no-such-sheet"), 404, "spreadsheet_not_found")

    @pytest.mark.parametrize("route", ["recompute", "validate"])
    def test_a_sheet_off_the_template_lists_its_problems(self, api, route):
        error = assert_envelope(getattr(api, route)("broken"), 422, "template_invalid")
        assert any(p["reason"] == "missing_tab" for p in error["problems"])

    def test_a_spreadsheet_over_the_cell_limit(self, google, service):
        api = Api(create_app(make_config(google, service, max_cells=100)).test_client(),
                  google.access_token())
        assert_envelope(api.recompute(), 413, "spreadsheet_too_large")

    def test_sheets_refusing_access(self, google):
        def not_shared(token):
            raise SheetsAccessDenied()

        app = create_app(Config(client_id=CLIENT_ID, tokeninfo_url=google.tokeninfo_url,
                                client_factory=not_shared))
        error = assert_envelope(Api(app.test_client(), google.access_token()).validate(), 403,
                                "sheets_forbidden")
        assert "access to this spreadsheet" in error["message"]

    def test_a_bug_is_500_with_a_request_id_and_no_details(self, google, caplog):
        def broken(token):
            raise RuntimeError("Ana Rivera scored 3")

        app = create_app(Config(client_id=CLIENT_ID, tokeninfo_url=google.tokeninfo_url,
                                client_factory=broken))
        response = Api(app.test_client(), google.access_token()).recompute()
        error = assert_envelope(response, 500, "internal_error")
        assert error["request_id"] == response.headers["X-Request-Id"]
        assert "Ana Rivera" not in response.get_data(as_text=True)
        assert "Ana Rivera" not in caplog.text

    def test_healthz_needs_no_token(self, api):
        response = api.client.get("/healthz")
        assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_policies_lists_the_library_with_policy_tab_rows(api):
    response = api.policies()
    assert response.status_code == 200, response.data
    library = response.get_json()
    assert library and isinstance(library, list)
    for policy in library:
        assert {"name", "description", "method", "params", "rows"} <= set(policy)
        assert policy["description"] and policy["rows"]


class TestRateLimit:
    def test_a_teacher_over_the_limit_gets_429_with_retry_after(self, google, service):
        app = create_app(make_config(google, service, rate_limit_burst=2, rate_limit_per_minute=2))
        busy = Api(app.test_client(), google.access_token(sub="busy"))
        other = Api(busy.client, google.access_token(sub="other"))
        assert [busy.validate().status_code for _ in range(2)] == [200, 200]
        response = busy.validate()
        error = assert_envelope(response, 429, "rate_limited")
        assert int(response.headers["Retry-After"]) == error["retry_after"] == 30
        assert other.validate().status_code == 200

    def test_a_new_token_of_the_same_teacher_shares_her_bucket(self, google, service):
        app = create_app(make_config(google, service, rate_limit_burst=1, rate_limit_per_minute=1))
        client = app.test_client()
        assert Api(client, google.access_token(sub="same")).validate().status_code == 200
        assert Api(client, google.access_token(sub="same")).validate().status_code == 429

    def test_the_bucket_refills_with_time(self):
        now = [0.0]
        limiter = RateLimiter(per_minute=60, burst=1, clock=lambda: now[0])
        limiter.check("t")
        with pytest.raises(RateLimited) as caught:
            limiter.check("t")
        assert caught.value.retry_after == 1
        now[0] += 1.0
        limiter.check("t")

    def test_buckets_are_bounded(self):
        limiter = RateLimiter(per_minute=1, burst=1, max_keys=10)
        for i in range(100):
            limiter.check(f"t{i}")
        assert len(limiter._buckets) == 10


class RecordingAdapter(requests.adapters.BaseAdapter):
    """Wraps the local service's transport to see the order of calls; changes nothing."""

    def __init__(self, inner, events: list) -> None:
        super().__init__()
        self.inner = inner
        self.events = events

    def send(self, request, **kwargs):
        self.events.append((threading.current_thread().name, request.method))
        time.sleep(0.02)  # widen the window in which an unlocked recompute would interleave
        return self.inner.send(request, **kwargs)

    def close(self) -> None:
        self.inner.close()


def recording_client(service, events: list):
    client = local_client(service)
    session = client.http_client.session
    for prefix, adapter in list(session.adapters.items()):
        session.mount(prefix, RecordingAdapter(adapter, events))
    return client


class TestOneRecomputeAtATime:
    def test_two_recomputes_of_one_spreadsheet_never_interleave(self, google, service):
        events: list = []
        config = make_config(google, service)
        app = create_app(Config(**{**config.__dict__,
                                   "client_factory": lambda t: recording_client(service, events)}))
        token = google.access_token()
        results = []

        def run():
            results.append(Api(app.test_client(), token).recompute().status_code)

        threads = [threading.Thread(target=run, name=f"teacher-{i}") for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert results == [200, 200]
        runs = [name for name, _ in itertools.groupby(name for name, _ in events)]
        assert len(runs) == 2, f"interleaved calls: {events}"
        # The first writes its tabs; the second reads them back, finds nothing changed, writes none.
        assert [m for _, m in events] == ["GET", "GET", "POST", "GET", "GET", "GET"]

    def test_a_recompute_that_waits_too_long_gets_409(self):
        locks = SpreadsheetLocks()
        with locks.hold("s", timeout=1):
            with pytest.raises(RecomputeInProgress):
                with locks.hold("s", timeout=0.05):
                    pass
            with locks.hold("other", timeout=0.05):
                pass
        assert len(locks) == 0

    def test_the_locks_table_empties_after_use(self):
        locks = SpreadsheetLocks()
        held = []

        def hold(i: int) -> None:
            with locks.hold(f"s{i % 3}", timeout=10):
                held.append(i)
                time.sleep(0.005)

        threads = [threading.Thread(target=hold, args=(i,)) for i in range(30)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
        assert sorted(held) == list(range(30))
        assert len(locks) == 0


class TestLogs:
    def test_each_request_logs_one_json_line_with_ids_and_counts(self, api, caplog):
        caplog.set_level(logging.INFO)
        response = api.recompute(as_of="2026-10-30")
        lines = [JsonLinesFormatter().format(r) for r in caplog.records if r.msg == "request"]
        assert len(lines) == 1
        entry = json.loads(lines[0])
        assert entry["request_id"] == response.headers["X-Request-Id"]
        assert entry["route"] == "/v1/recompute" and entry["status"] == 200
        assert entry["students"] == 4 and entry["outcomes"] == 3
        assert isinstance(entry["duration_ms"], int)
        assert SHEET not in json.dumps(entry["sheet"])

    def test_logs_never_carry_names_scores_or_tokens(self, api, caplog):
        caplog.set_level(logging.DEBUG)
        api.recompute(as_of="2026-10-30")
        api.recompute("broken")
        api.validate()
        text = "\n".join(JsonLinesFormatter().format(r) for r in caplog.records)
        assert api.token not in text
        for name in STUDENT_NAMES:
            assert name not in text


class TestConfig:
    def test_config_defaults_are_the_settings_table(self):
        defaults = Config()
        for setting in SETTINGS:
            assert getattr(defaults, setting.name) == setting.default, setting.name

    def test_every_setting_is_read_from_its_env_var(self):
        config = Config.from_env({"HIVE_CLIENT_ID": "x.apps.googleusercontent.com",
                                  "HIVE_MAX_CELLS": "1_000", "HIVE_AUTH_TIMEOUT_SECONDS": "2.5"})
        assert (config.client_id, config.max_cells, config.auth_timeout_seconds) == (
            "x.apps.googleusercontent.com", 1000, 2.5)
        assert config.auth is AuthMode.GOOGLE

    def test_bad_settings_are_all_reported_with_their_env_var(self):
        with pytest.raises(ConfigError) as caught:
            Config.from_env({"HIVE_MAX_CELLS": "lots", "HIVE_TYPO": "1", "HIVE_AUTH": "google"})
        text = str(caught.value)
        assert "HIVE_MAX_CELLS" in text and "HIVE_TYPO" in text
        with pytest.raises(ConfigError, match="HIVE_CLIENT_ID"):
            Config.from_env({})

    def test_google_mode_builds_a_client_acting_with_the_callers_token(self):
        factory = default_client_factory(Config(client_id=CLIENT_ID, sheets_timeout_seconds=7))
        client = factory("ya29.the-teachers-token")
        assert isinstance(client, gspread.Client)
        assert client.http_client.timeout == 7
        assert client.http_client.session.credentials.token == "ya29.the-teachers-token"

    def test_auth_off_needs_a_local_folder(self):
        with pytest.raises(ConfigError, match="HIVE_LOCAL_FOLDER"):
            create_app(Config(auth=AuthMode.OFF))

    def test_deploy_docs_list_every_setting_from_the_table(self):
        assert markdown_table() in (ROOT / "docs/deploy.md").read_text()

    def test_app_yaml_is_app_engine_standard_with_no_secrets(self):
        app_yaml = yaml.safe_load((ROOT / "app.yaml").read_text())
        assert app_yaml["runtime"] == "python313"
        assert "--timeout 120" in app_yaml["entrypoint"]
        assert "sheets_backend.service.wsgi:app" in app_yaml["entrypoint"]
        assert all(h["secure"] == "always" for h in app_yaml["handlers"])
        known = {s.env_var for s in SETTINGS}
        assert set(app_yaml["env_variables"]) <= known
        for name in app_yaml["env_variables"]:
            assert not any(word in name for word in ("SECRET", "PASSWORD", "KEY", "TOKEN"))

    def test_the_wsgi_entry_point_builds_from_settings_and_refuses_bad_ones(self, tmp_path):
        env = {**os.environ, "HIVE_AUTH": "off", "HIVE_LOCAL_FOLDER": str(tmp_path)}
        code = "import sheets_backend.service.wsgi as w; print(w.app.name)"
        ok = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
        assert ok.returncode == 0, ok.stderr
        env = {k: v for k, v in os.environ.items() if not k.startswith("HIVE_")}
        bad = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
        assert bad.returncode != 0 and "HIVE_CLIENT_ID" in bad.stderr


class TestLocalMode:
    def test_local_mode_needs_no_token_when_the_config_says_so(self, folder):
        app = create_app(local_config(folder))
        response = Api(app.test_client(), None).recompute()
        assert response.status_code == 200, response.data

    def test_local_saves_see_every_call_of_a_request_as_in_flight(self, folder, monkeypatch):
        """The write-behind pauses a running save while a request is in flight: the app must
        say so around every local Sheets call the request makes, and no longer."""
        from sheets_backend.service import app as app_module
        from sheets_backend.sheets.local import LocalSheets

        local = LocalSheets.from_folder(folder, write_behind=True)
        monkeypatch.setattr(app_module, "_local_sheets", lambda _config: local)
        seen: list[int] = []
        handle = local.handle

        def watched(method, url, body):
            seen.append(local._writer._in_flight)
            return handle(method, url, body)

        monkeypatch.setattr(local, "handle", watched)
        response = Api(create_app(local_config(folder)).test_client(), None).recompute()
        assert response.status_code == 200, response.data
        assert len(seen) == 3 and set(seen) == {1}  # metadata, values, the one write
        assert local._writer._in_flight == 0
        assert local.flush(timeout=30)

    def test_local_mode_keeps_auth_on_unless_told(self, google, folder):
        config = Config(client_id=CLIENT_ID, tokeninfo_url=google.tokeninfo_url,
                        local_folder=str(folder))
        assert_envelope(Api(create_app(config).test_client(), None).recompute(), 401,
                        "token_missing")

    @pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.com"])
    def test_serve_refuses_anything_but_loopback(self, folder, host):
        with pytest.raises(ValueError, match="127.0.0.1"):
            serve(folder, host=host, port=0)

    def test_a_copy_of_the_folder_gives_the_same_results(self, folder, tmp_path_factory):
        copy = tmp_path_factory.mktemp("copy")
        shutil.copy(folder / f"{SHEET}.xlsx", copy / f"{SHEET}.xlsx")
        first = Api(create_app(local_config(folder)).test_client(), None)
        second = Api(create_app(local_config(copy)).test_client(), None)
        a = first.recompute(as_of="2026-10-30").get_json()
        b = second.recompute(as_of="2026-10-30").get_json()
        # The gzip size varies by a few bytes with the write's random id; the JSON does not.
        for answer in (a, b):
            answer.pop("duration_ms")
            assert 0 < answer["api_calls"].pop("bytes_written") < answer["api_calls"]["json_bytes"]
        assert a == b


def test_groups_lists_who_has_not_yet_met_an_outcome_by_need_and_writes_nothing(api, folder):
    path = folder / f"{SHEET}.xlsx"
    before = path.read_bytes()
    response = api.client.post("/v1/groups", json={"spreadsheet_id": SHEET, "outcome_id": "M1"},
                               headers=api.headers)
    assert response.status_code == 200, response.data
    body = response.get_json()
    assert (body["outcome_id"], body["outcome"]) == ("M1", "I can solve one-step equations.")
    assert body["sections"] == ["801", "802"] and body["section"] is None
    by_need = {g["label"]: [m["student_id"] for m in g["members"]] for g in body["groups"]}
    assert by_need == {"1 of 3": ["S2"], "2 of 3": ["S3"]}  # S1 has met M1; S4 not assessed
    member = body["groups"][0]["members"][0]
    assert member["status"] == "On track (1 of 3)" and member["needs"]
    assert (member["section"], member["last_date"]) == ("801", "2026-10-05")
    assert path.read_bytes() == before


def test_groups_for_one_section_are_filtered_never_reordered(api):
    response = api.client.post("/v1/groups", json={"spreadsheet_id": SHEET, "outcome_id": "M1",
                                                   "section": "802"}, headers=api.headers)
    body = response.get_json()
    assert body["section"] == "802"
    assert [(g["label"], [m["student_id"] for m in g["members"]]) for g in body["groups"]] == [
        ("2 of 3", ["S3"])]


def test_groups_for_an_unknown_outcome_is_a_clear_404(api):
    response = api.client.post("/v1/groups", json={"spreadsheet_id": SHEET, "outcome_id": "Z9"},
                               headers=api.headers)
    error = assert_envelope(response, 404, "outcome_not_found")
    assert '"Z9"' in error["message"]


def test_groups_needs_an_outcome(api):
    response = api.client.post("/v1/groups", json={"spreadsheet_id": SHEET}, headers=api.headers)
    error = assert_envelope(response, 400, "bad_request")
    assert error["problems"] == [{"field": "outcome_id", "message": "required"}]


def test_local_mode_serves_the_preview_beside_the_api(folder):
    app = create_app(local_config(folder))
    client = app.test_client()
    page = client.get("/preview/")
    assert page.status_code == 200, page.status_code
    assert b"Hive" in page.data
    assert client.get("/healthz").status_code == 200
