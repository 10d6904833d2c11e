"""School publishing on Drive (the local service and local Drive): a cross-course report
spreadsheet per student shared with that student and family only, a mentor sheet per mentor shared
with that mentor only; found again by appProperties, so a second run or a resumed job makes nothing
new; a gradebook the caller cannot open is reported in the job's result."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from workbooks import BASE_TABS, EVIL_NAME, write_workbook

from sheets_backend.cli import main
from sheets_backend.jobs.store import MetadataJobStore
from sheets_backend.publish.google import GRADEBOOK_PROPERTY, REPORT_PROPERTY
from sheets_backend.school.google import mentor_key, student_key
from sheets_backend.service.app import create_app
from sheets_backend.sheets.gateway import local_client
from sheets_backend.sheets.local import LocalSheets
from tests.sheets_backend.school.conftest import School
from tests.sheets_backend.service.google_standin import running_standin
from tests.sheets_backend.service.test_api_jobs import PUBLISH_SCOPES, Drive
from tests.sheets_backend.service.test_app import Api, make_config

NAMES = {"S1": "Ana Rivera", "S2": "Omar Diallo", "S3": EVIL_NAME, "S4": "Mei Chen",
         "S5": "Zoe Kim"}
FAMILY = {sid: f"family.{sid.lower()}@home.example.org" for sid in NAMES}
STUDENT = {sid: f"{sid.lower()}@students.example.org" for sid in ("S1", "S2", "S3", "S4")}
MENTORS = {"Ms Ortiz": "ortiz@school.example.org", "Mr Baker": "baker@school.example.org"}
MENTEES = {"Ms Ortiz": ("S1", "S3"), "Mr Baker": ("S2", "S4", "S5")}
COURSES = {"S1": ("Math", "ELA"), "S2": ("Math", "ELA"), "S3": ("Math",), "S4": ("Math",),
           "S5": ("ELA",)}
OUTCOME_TEXT = {"Math": "I can solve one-step equations.", "ELA": "I can write a clear claim."}


def _emails(school: School) -> School:
    """Family Email on the school's Roster, Student Email on Math's, and Mentor Email for Mr Baker
    (Ms Ortiz has hers already)."""
    roster = school.tabs["school.xlsx"]["Roster"]
    roster[0] = [*roster[0], "Family Email"]
    for row in roster[1:]:
        row.append(FAMILY[row[0]])
        if row[3] == "Mr Baker":
            row[4] = MENTORS["Mr Baker"]
    math = school.tabs["math.xlsx"]["Roster"]
    math[0] = [*math[0], "Student Email"]
    for row in math[1:]:
        row.append(STUDENT[row[0]])
    school.write()
    return school


@pytest.fixture
def emailed(tmp_path: Path) -> School:
    return _emails(School(tmp_path))


def _sheets(folder: Path) -> LocalSheets:
    return LocalSheets.from_folder(folder, keep_drive=True)


def _files(folder: Path) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Every file Hive published for the school: {its key: (readers, its only tab's values)}."""
    sheets = _sheets(folder)
    drive, client = Drive(sheets), local_client(sheets)
    out = {}
    for f in drive.files():
        props = f.get("appProperties") or {}
        if props.get(GRADEBOOK_PROPERTY) == "school" and REPORT_PROPERTY in props:
            book = client.open_by_key(f["id"])
            assert len(book.worksheets()) == 1
            out[props[REPORT_PROPERTY]] = (drive.readers(f["id"]), book.sheet1.get_all_values())
    return out


def _text(values: list[list[str]]) -> str:
    return "\n".join("\t".join(row) for row in values)


def _publish(school: School, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["school", "publish", str(school.path), "--drive"]) == 0
    return capsys.readouterr().out


def test_each_cross_course_report_holds_all_the_students_courses_and_no_one_else(emailed, capsys):
    out = _publish(emailed, capsys)
    assert "Published 5 cross-course reports and 2 mentor sheets: 7 new, 0 updated" in out
    files = _files(emailed.folder)
    assert set(files) == {student_key(s) for s in NAMES} | {mentor_key(m) for m in MENTORS}
    for sid, courses in COURSES.items():
        readers, values = files[student_key(sid)]
        text = _text(values)
        assert readers == sorted({FAMILY[sid], *([STUDENT[sid]] if sid in STUDENT else [])})
        for course, outcome in OUTCOME_TEXT.items():
            assert (f"{course} (" in text) == (course in courses)
            assert (outcome in text) == (course in courses)
        assert NAMES[sid] in text
        for other, name in NAMES.items():
            if other != sid:
                assert name not in text and other not in text and FAMILY[other] not in text
    assert "Hasta ahora has alcanzado" in _text(files[student_key("S1")][1])  # family language


def test_a_mentor_sheet_holds_only_their_mentees_and_is_shared_with_that_mentor_only(
    emailed, capsys
):
    _publish(emailed, capsys)
    files = _files(emailed.folder)
    for mentor, mentees in MENTEES.items():
        readers, values = files[mentor_key(mentor)]
        assert readers == [MENTORS[mentor]]
        rows = {row[0] for row in values[2:]}
        assert rows == {NAMES[s] for s in mentees}
        text = _text(values)
        for sid, name in NAMES.items():
            assert (name in text) == (sid in mentees)


def test_a_second_publish_creates_nothing_new(emailed, capsys):
    _publish(emailed, capsys)
    drive = Drive(_sheets(emailed.folder))
    before = drive.picture()
    out = _publish(emailed, capsys)
    assert "0 new, 7 updated; shared with 0 new addresses" in out
    assert Drive(_sheets(emailed.folder)).picture() == before
    assert len(Drive(_sheets(emailed.folder)).folders()) == 1


def test_a_student_who_leaves_loses_access_and_their_report_goes_to_the_trash(emailed, capsys):
    _publish(emailed, capsys)
    roster = emailed.tabs["school.xlsx"]["Roster"]
    emailed.tabs["school.xlsx"]["Roster"] = [r for r in roster if r[0] != "S4"]
    emailed.write("school.xlsx")
    assert "1 for students or mentors no longer listed moved to the trash" in _publish(emailed,
                                                                                      capsys)
    assert student_key("S4") not in _files(emailed.folder)


@pytest.fixture(scope="module")
def google():
    with running_standin() as standin:
        yield standin


def _app(google, sheets: LocalSheets, per_step: int = 2):
    app = create_app(make_config(google, sheets, students_per_step=per_step))
    return app, Api(app.test_client(), google.access_token(scope=PUBLISH_SCOPES))


def _start(api: Api, **body) -> dict:
    response = api.client.post("/v1/school/publish", json={"spreadsheet_id": "school", **body},
                               headers=api.headers)
    assert response.status_code == 202, response.data
    assert response.headers["Location"] == f"/v1/jobs/{response.get_json()['job']['id']}"
    return response.get_json()["job"]


def test_the_service_answers_202_and_the_job_follows_to_the_same_files_as_the_cli(
    google, emailed, tmp_path, capsys
):
    clean = tmp_path / "clean"
    shutil.copytree(emailed.folder, clean, ignore=shutil.ignore_patterns("clean"))
    assert main(["school", "publish", str(clean / "school.xlsx"), "--drive"]) == 0
    capsys.readouterr()
    sheets = _sheets(emailed.folder)
    app, api = _app(google, sheets)
    job = _start(api)
    assert (job["kind"], job["total"]) == ("school_publish", 7)
    assert app.extensions["hive"].jobs.wait_idle(60)
    done = api.client.get(f"/v1/jobs/{job['id']}", headers=api.headers).get_json()["job"]
    assert done["state"] == "done", done
    assert {k: done["result"][k] for k in ("reports", "mentor_sheets", "created", "not_read")} == {
        "reports": 5, "mentor_sheets": 2, "created": 7, "not_read": []}
    assert Drive(sheets).picture() == Drive(_sheets(clean)).picture()


@pytest.mark.parametrize("crash", ["between_steps", "step_end_lost"])
def test_an_interrupted_job_resumed_gives_the_result_of_one_clean_run(
    google, emailed, tmp_path, capsys, crash
):
    clean = tmp_path / "clean"
    shutil.copytree(emailed.folder, clean, ignore=shutil.ignore_patterns("clean"))
    assert main(["school", "publish", str(clean / "school.xlsx"), "--drive"]) == 0
    capsys.readouterr()
    sheets = _sheets(emailed.folder)
    app, api = _app(google, sheets, per_step=2)
    runner = app.extensions["hive"].jobs
    runner.enqueue = lambda job, token, **_: None  # the test runs the steps
    job_id = _start(api)["id"]
    runner.run(job_id, stop_after=2)  # the folder, then 2 files
    store = MetadataJobStore(local_client(sheets), "school")
    if crash == "step_end_lost":  # step 2 did its Drive work; its end was never saved
        before = store.get(job_id)
        after = runner.run(job_id, stop_after=1)
        assert before is not None
        store.save(before.replace(pending={k: after.counts[k] - before.counts.get(k, 0)
                                           for k in ("created", "updated", "shared",
                                                     "unshared")}))
    # A new process (the service restarted) picks the job up and finishes it.
    app, api = _app(google, _sheets(emailed.folder), per_step=2)
    finished = app.extensions["hive"].jobs.run(job_id)
    assert finished.state.value == "done" and finished.done == 7
    assert {k: finished.result[k] for k in ("created", "updated", "retired")} == {
        "created": 7, "updated": 0, "retired": 0}
    assert Drive(_sheets(emailed.folder)).picture() == Drive(_sheets(clean)).picture()


def test_a_gradebook_the_caller_cannot_open_is_reported_and_the_others_published(
    google, emailed
):
    emailed.tabs["school.xlsx"]["Gradebooks"].append(
        ["science.xlsx", "Science", "Dr Roy", "roy@school.example.org", "Science"])
    emailed.write("school.xlsx")
    write_workbook(emailed.folder / "science.xlsx", BASE_TABS)
    sheets = _sheets(emailed.folder)
    sheets.open_workbook(emailed.folder / "science.xlsx", owner="roy@school.example.org")
    app, api = _app(google, sheets)
    job = _start(api)
    assert app.extensions["hive"].jobs.wait_idle(60)
    done = api.client.get(f"/v1/jobs/{job['id']}", headers=api.headers).get_json()["job"]
    assert done["state"] == "done", done
    [missing] = done["result"]["not_read"]
    assert (missing["gradebook"], missing["cell"]) == ("Science (Dr Roy)", "Gradebooks!A4")
    assert "NOT READ Gradebooks!A4" in done["message"]
    assert done["result"]["reports"] == 5
