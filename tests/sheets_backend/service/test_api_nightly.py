"""The nightly route and its settings: cron.yaml calls it, only App Engine cron may, and the
nightly identity must be one that can work."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sheets_backend.service.app import create_app
from sheets_backend.service.settings import AuthMode, Config, ConfigError
from sheets_backend.sheets.gateway import local_client
from sheets_backend.sheets.local import LocalSheets

ROOT = Path(__file__).resolve().parents[3]


def _app(**extra):
    sheets = LocalSheets()
    return create_app(Config(auth=AuthMode.OFF, client_factory=lambda _t: local_client(sheets),
                             nightly_client_factory=lambda _s: local_client(sheets), **extra))


def test_cron_yaml_calls_the_nightly_route_every_night():
    cron = yaml.safe_load((ROOT / "cron.yaml").read_text())["cron"]
    (entry,) = cron
    assert entry["url"] == "/v1/tasks/nightly"
    assert entry["schedule"].startswith("every day")
    rules = {r.rule: r.methods for r in _app().url_map.iter_rules()}
    assert "GET" in rules[entry["url"]]


@pytest.mark.parametrize("headers", [{}, {"X-Appengine-Cron": "false"},
                                     {"X-AppEngine-QueueName": "hive-jobs"}])
def test_only_app_engine_cron_may_start_the_nightly_run(headers):
    reply = _app(nightly_schools="school").test_client().get("/v1/tasks/nightly", headers=headers)
    assert reply.status_code == 403
    assert reply.get_json()["error"]["code"] == "task_forbidden"


def test_a_school_hive_cannot_open_is_reported_and_the_others_still_start():
    reply = _app(nightly_schools="nowhere, gone").test_client().get(
        "/v1/tasks/nightly", headers={"X-Appengine-Cron": "true"})
    assert reply.status_code == 200
    body = reply.get_json()
    assert body["jobs"] == []
    assert [(e["spreadsheet_id"], e["code"]) for e in body["errors"]] == [
        ("nowhere", "spreadsheet_not_found"), ("gone", "spreadsheet_not_found")]


def test_the_nightly_identity_must_be_one_that_works():
    with pytest.raises(ConfigError, match="HIVE_NIGHTLY_IDENTITY must be one of"):
        Config.from_env({"HIVE_AUTH": "off", "HIVE_NIGHTLY_IDENTITY": "teacher"})
    with pytest.raises(ConfigError, match="HIVE_SERVICE_ACCOUNT_EMAIL"):
        Config.from_env({"HIVE_AUTH": "off", "HIVE_NIGHTLY_SCHOOLS": "abc",
                         "HIVE_NIGHTLY_IDENTITY": "delegation"})
    config = Config.from_env({"HIVE_AUTH": "off", "HIVE_NIGHTLY_SCHOOLS": " abc , def,",
                              "HIVE_NIGHTLY_IDENTITY": "delegation",
                              "HIVE_SERVICE_ACCOUNT_EMAIL": "hive@proj.iam.gserviceaccount.com"})
    assert config.nightly_school_ids == ("abc", "def")


def test_an_admins_school_recompute_answers_202_and_runs_in_process(tmp_path):
    from tests.sheets_backend.jobs.test_school import SCHOOL_ID, local_school, students_tab

    sheets = LocalSheets()
    local_school(tmp_path, sheets, 3, missing=(1,))
    app = create_app(Config(auth=AuthMode.OFF, client_factory=lambda _t: local_client(sheets)))
    client = app.test_client()
    reply = client.post("/v1/school/recompute", json={"spreadsheet_id": SCHOOL_ID})
    assert reply.status_code == 202, reply.get_json()
    job = reply.get_json()["job"]
    assert (job["kind"], job["total"], reply.headers["Location"]) == (
        "school_recompute", 3, f"/v1/jobs/{job['id']}")
    assert app.extensions["hive"].jobs.wait_idle(60)
    job = client.get(f"/v1/jobs/{job['id']}").get_json()["job"]
    assert (job["state"], job["done"], job["result"]["recomputed"]) == ("done", 3, 2)
    assert [f["cell"] for f in job["result"]["failed"]] == ["Gradebooks!A3"]
    assert any(r[0].startswith("2 of 3 gradebooks read.") for r in students_tab(sheets))


def test_a_school_recompute_of_a_gradebook_not_a_school_workbook_names_the_tab(tmp_path):
    from workbooks import BASE_TABS, write_workbook

    sheets = LocalSheets()
    write_workbook(tmp_path / "plain.xlsx", BASE_TABS)
    sheets.open_workbook(tmp_path / "plain.xlsx", autosave=False)
    app = create_app(Config(auth=AuthMode.OFF, client_factory=lambda _t: local_client(sheets)))
    reply = app.test_client().post("/v1/school/recompute", json={"spreadsheet_id": "plain"})
    assert reply.status_code == 422
    assert reply.get_json()["error"]["problems"][0]["cell"] == "Gradebooks!A1"
