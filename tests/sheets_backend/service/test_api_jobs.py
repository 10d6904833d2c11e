"""Jobs through the service: POST /v1/publish answers 202 and a job; GET /v1/jobs/<id> follows it;
the in-process runner runs the steps, and a job stopped mid-way finishes with no duplicates."""

from __future__ import annotations

import copy
import logging

import pytest
from gspread.urls import DRIVE_FILES_API_V3_URL as DRIVE_FILES
from workbooks import BASE_TABS, write_workbook

from sheets_backend.jobs.store import MetadataJobStore
from sheets_backend.service.app import create_app
from sheets_backend.service.context import FOLDER_MIME
from sheets_backend.sheets.gateway import local_client
from sheets_backend.sheets.local import LocalSheets
from tests.sheets_backend.service.google_standin import ADDON_SCOPES, running_standin
from tests.sheets_backend.service.test_app import STUDENT_NAMES, Api, assert_envelope, make_config

DRIVE_FILE = "https://www.googleapis.com/auth/drive.file"
PUBLISH_SCOPES = f"{ADDON_SCOPES} {DRIVE_FILE}"
FAMILY = {"S1": "rivera.home@example.com", "S2": "diallo.fam@example.com",
          "S3": "s3.family@example.com", "S4": "chen.parents@example.com"}
JOB_KEYS = {"id", "kind", "state", "done", "total", "message"}


@pytest.fixture(scope="module")
def google():
    with running_standin() as standin:
        yield standin


@pytest.fixture()
def folder(tmp_path):
    write_workbook(tmp_path / "gradebook.xlsx", BASE_TABS)
    return tmp_path


@pytest.fixture()
def service(folder):
    return LocalSheets.from_folder(folder)


class Drive:
    """The teacher's local Drive, seen through the same gspread client the service uses."""

    def __init__(self, sheets: LocalSheets) -> None:
        self.http = local_client(sheets).http_client

    def create(self, name: str, mime_type: str = FOLDER_MIME, **extra) -> str:
        body = {"name": name, "mimeType": mime_type, **extra}
        return self.http.request("post", DRIVE_FILES, json=body).json()["id"]

    def files(self, q: str = "trashed = false") -> list[dict]:
        reply = self.http.request("get", DRIVE_FILES, params={
            "q": q, "fields": "files(id,name,mimeType,appProperties,parents)"}).json()
        return reply["files"]

    def files_in(self, folder_id: str) -> list[dict]:
        return self.files(f"'{folder_id}' in parents and trashed = false")

    def folders(self) -> list[dict]:
        return self.files(f"mimeType = '{FOLDER_MIME}' and trashed = false")

    def readers(self, file_id: str) -> list[str]:
        reply = self.http.request("get", f"{DRIVE_FILES}/{file_id}/permissions", params={
            "fields": "permissions(emailAddress,role)"}).json()
        return sorted(p["emailAddress"] for p in reply["permissions"] if p["role"] == "reader")

    def picture(self) -> list[tuple]:
        """Every report and folder with its readers: what 'no duplicates' is checked against."""
        return sorted((f["mimeType"], f["name"], tuple(sorted((f.get("appProperties") or {})
                                                                .items())),
                       tuple(self.readers(f["id"]))) for f in self.files())


class Jobs:
    """Starting and following a job as the sidebar does."""

    def __init__(self, api: Api, app) -> None:
        self.api = api
        self.app = app
        self.runner = app.extensions["hive"].jobs

    def start(self, folder_id: str | None = None, sheet: str = "emails", **body) -> dict:
        response = self.api.publish(folder_id, sheet, **body)
        assert response.status_code == 202, response.data
        return response.get_json()["job"]

    def get(self, job_id: str, api: Api | None = None):
        return (api or self.api).client.get(f"/v1/jobs/{job_id}", headers=(api or self.api).headers)

    def finish(self, job_id: str) -> dict:
        assert self.runner.wait_idle(60)
        response = self.get(job_id)
        assert response.status_code == 200, response.data
        return response.get_json()["job"]


def _gradebook(folder, service) -> None:
    tabs = copy.deepcopy(BASE_TABS)
    header, *rows = tabs["Roster"]
    tabs["Roster"] = [header + ["Family Email"]] + [row + [FAMILY[row[0]]] for row in rows]
    write_workbook(folder / "emails.xlsx", tabs)
    service.open_workbook(folder / "emails.xlsx")


@pytest.fixture()
def jobs(google, service, folder):
    _gradebook(folder, service)
    app = create_app(make_config(google, service, students_per_step=2))
    return Jobs(Api(app.test_client(), google.access_token(scope=PUBLISH_SCOPES)), app)


@pytest.fixture()
def drive(service):
    return Drive(service)


def test_publish_answers_202_and_a_queued_job_at_once(google, service, folder):
    _gradebook(folder, service)
    app = create_app(make_config(google, service))
    app.extensions["hive"].jobs.enqueue = lambda job, token, **_: None  # nothing runs: see the start
    api = Api(app.test_client(), google.access_token(scope=PUBLISH_SCOPES))
    response = api.publish(None, "emails")
    assert response.status_code == 202, response.data
    job = response.get_json()["job"]
    assert set(job) == JOB_KEYS
    assert (job["kind"], job["state"], job["done"], job["total"]) == ("publish", "queued", 0, 4)
    assert response.headers["Location"] == f"/v1/jobs/{job['id']}"


def test_a_publish_job_runs_in_steps_to_one_private_report_per_student(jobs, drive):
    job = jobs.finish(jobs.start()["id"])
    assert (job["state"], job["done"], job["total"]) == ("done", 4, 4)
    result = job["result"]
    assert {k: result[k] for k in ("created", "updated", "retired", "shared", "unshared",
                                   "students")} == {
        "created": 4, "updated": 0, "retired": 0, "shared": 4, "unshared": 0, "students": 4}
    assert job["message"].startswith("Published 4 reports: 4 new, 0 updated")
    [made] = drive.folders()
    assert (made["id"], made["name"]) == (result["folder_id"], "Hive progress reports")
    files = drive.files_in(result["folder_id"])
    assert len(files) == 4
    assert sorted(r for f in files for r in drive.readers(f["id"])) == sorted(FAMILY.values())
    assert jobs.runner.steps_run == 3  # the folder, then 2 students a step


def test_a_job_says_nothing_of_names_or_addresses(jobs, caplog):
    caplog.set_level(logging.INFO)
    job_id = jobs.start()["id"]
    text = jobs.get(job_id).get_data(as_text=True) + jobs.finish(job_id)["message"]
    assert not any(name in text or name in caplog.text for name in STUDENT_NAMES)
    assert not any(email in text or email in caplog.text for email in FAMILY.values())


def test_publishing_again_creates_nothing_new(jobs, drive):
    first = jobs.finish(jobs.start()["id"])
    before = drive.picture()
    again = jobs.finish(jobs.start(first["result"]["folder_id"])["id"])
    assert {k: again["result"][k] for k in ("created", "updated", "shared")} == {
        "created": 0, "updated": 4, "shared": 0}
    assert drive.picture() == before


def test_publishing_again_without_the_folder_id_finds_hives_folder(jobs, drive):
    first = jobs.finish(jobs.start()["id"])
    again = jobs.finish(jobs.start()["id"])
    assert again["result"]["folder_id"] == first["result"]["folder_id"]
    assert len(drive.folders()) == 1


def test_a_second_click_while_running_answers_the_same_job(google, service, folder):
    _gradebook(folder, service)
    app = create_app(make_config(google, service))
    app.extensions["hive"].jobs.enqueue = lambda job, token, **_: None
    api = Api(app.test_client(), google.access_token(scope=PUBLISH_SCOPES))
    first = api.publish(None, "emails").get_json()["job"]
    second = api.publish(None, "emails").get_json()["job"]
    assert second["id"] == first["id"]


@pytest.mark.parametrize("stop_after", [1, 2], ids=["after-the-folder", "mid-students"])
def test_a_job_stopped_mid_way_and_run_again_equals_one_clean_run(
    google, service, folder, drive, stop_after
):
    """A crash between steps (or a step retried after it did its work) leaves no duplicate."""
    _gradebook(folder, service)
    app = create_app(make_config(google, service, students_per_step=1))
    runner = app.extensions["hive"].jobs
    runner.enqueue = lambda job, token, **_: None
    api = Api(app.test_client(), google.access_token(scope=PUBLISH_SCOPES))
    job_id = api.publish(None, "emails").get_json()["job"]["id"]
    runner.run(job_id, stop_after=stop_after)
    # The crash: the last step did its Drive work, but its end was never saved (a lost reply).
    store = MetadataJobStore(local_client(service), "emails")
    saved = store.get(job_id)
    assert saved is not None and saved.state.value == "running"
    rewound = saved.replace(step=saved.step - 1, done=max(0, saved.done - 1),
                            counts=saved.counts if stop_after == 1 else
                            {k: 0 for k in saved.counts}, pending=None)
    if stop_after == 2:  # the first attempt of step 1 planned its counts before its work
        rewound = rewound.replace(pending={"created": 1, "updated": 0, "shared": 1,
                                           "unshared": 0})
    store.save(rewound)
    finished = runner.run(job_id)
    assert (finished.state.value, finished.done) == ("done", 4)
    assert {k: finished.result[k] for k in ("created", "updated", "shared")} == {
        "created": 4, "updated": 0, "shared": 4}
    assert len(drive.folders()) == 1
    assert len(drive.files_in(finished.result["folder_id"])) == 4
    assert sorted(r for f in drive.files_in(finished.result["folder_id"])
                  for r in drive.readers(f["id"])) == sorted(FAMILY.values())


def test_only_the_teacher_who_started_a_job_may_read_it(jobs, google):
    job_id = jobs.start()["id"]
    other = Api(jobs.api.client, google.access_token(scope=PUBLISH_SCOPES, sub="another-teacher"))
    assert_envelope(jobs.get(job_id, other), 404, "job_not_found")
    assert_envelope(jobs.get("emails.12345"), 404, "job_not_found")
    assert_envelope(jobs.get("not-a-job"), 404, "job_not_found")
    assert_envelope(Api(jobs.api.client, None).client.get(f"/v1/jobs/{job_id}"), 401,
                    "token_missing")


def test_publish_into_a_folder_drive_does_not_know_is_folder_not_found(jobs, service):
    error = assert_envelope(jobs.api.publish("1NoSuchFolderXyz", "emails"), 404,
                            "folder_not_found")
    assert "folder" in error["message"] and "spreadsheet" not in error["message"]
    assert not MetadataJobStore(local_client(service), "emails").jobs()


def test_publish_into_a_spreadsheet_or_a_trashed_folder_says_which(jobs, drive):
    error = assert_envelope(jobs.api.publish("gradebook", "emails"), 404, "folder_not_found")
    assert "not a Drive folder" in error["message"]
    trashed = drive.create("Old reports")
    drive.http.request("patch", f"{DRIVE_FILES}/{trashed}", json={"trashed": True})
    error = assert_envelope(jobs.api.publish(trashed, "emails"), 404, "folder_not_found")
    assert "trash" in error["message"]


def test_publish_for_an_unknown_gradebook_is_spreadsheet_not_found(jobs):
    assert_envelope(jobs.api.publish(None, "no-such-sheet"), 404, "spreadsheet_not_found")


@pytest.mark.parametrize("folder_id", ["'); drop", 42], ids=["quote-in-id", "number"])
def test_a_bad_folder_id_is_a_bad_request(jobs, folder_id):
    error = assert_envelope(jobs.api.publish(folder_id, "emails"), 400, "bad_request")
    assert [p["field"] for p in error["problems"]] == ["folder_id"]


def test_publish_needs_the_drive_scope(google, service, folder):
    _gradebook(folder, service)
    api = Api(create_app(make_config(google, service)).test_client(), google.access_token())
    error = assert_envelope(api.publish(None, "emails"), 401, "token_scope")
    assert "Drive" in error["message"]


def test_publish_holds_the_spreadsheets_lock(google, service, folder):
    _gradebook(folder, service)
    app = create_app(make_config(google, service, lock_wait_seconds=0.05))
    api = Api(app.test_client(), google.access_token(scope=PUBLISH_SCOPES))
    with app.extensions["hive"].locks.hold("emails", 1):
        assert_envelope(api.publish(None, "emails"), 409, "busy")


def test_the_task_route_refuses_anyone_but_cloud_tasks(jobs):
    response = jobs.api.client.post("/v1/tasks/step", json={"job_id": "emails.1"},
                                    headers={**jobs.api.headers,
                                             "X-AppEngine-QueueName": "hive-jobs"})
    assert_envelope(response, 403, "task_forbidden")  # this service runs steps in-process
