"""The school_recompute job kind, run in-process over a local school of small gradebooks: one
step per gradebook, one aggregation at the end, transient errors retried, a failing gradebook
reported while the others complete."""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path

import pytest
import requests
from workbooks import BASE_TABS, write_workbook

from sheets_backend.errors import SheetsUnavailable
from sheets_backend.gradebook.policies import default_policies, policy_tab_rows
from sheets_backend.jobs.model import JobState, StepContext, owner_of
from sheets_backend.jobs.runner import InProcessRunner, run_step
from sheets_backend.jobs.school import SCHOOL_RECOMPUTE, new_job
from sheets_backend.jobs.store import MetadataJobStore
from sheets_backend.sheets.gateway import local_client
from sheets_backend.sheets.local import LocalSheets

SCHOOL_ID = "school"


def local_school(folder: Path, sheets: LocalSheets, gradebooks: int, *,
                 missing: tuple[int, ...] = ()) -> list[str]:
    """A school workbook naming `gradebooks` small gradebooks (the base gradebook's four
    students, one copy per course), all opened in `sheets`; the ids of the gradebooks. Rows in
    `missing` name a gradebook that does not exist."""
    ids = [f"book{i:02d}" for i in range(gradebooks)]
    rows = [["Gradebook", "Course", "Teacher", "Teacher Email", "Department"]]
    for i, sid in enumerate(ids):
        tabs = copy.deepcopy(BASE_TABS)
        if i not in missing:
            write_workbook(folder / f"{sid}.xlsx", tabs)
            sheets.open_workbook(folder / f"{sid}.xlsx", autosave=False)
        rows.append([sid, f"Course {i:02d}", f"Teacher {i:02d}", f"t{i:02d}@school.example.org",
                     "Math"])
    school = {"Gradebooks": rows, "Policy": policy_tab_rows(default_policies())}
    write_workbook(folder / f"{SCHOOL_ID}.xlsx", school)  # type: ignore[arg-type]
    sheets.open_workbook(folder / f"{SCHOOL_ID}.xlsx", autosave=False)
    return ids


class Writes:
    """Hive's tab writes (batchUpdates that are not job records) answered 2xx, per spreadsheet:
    seen on the HTTP session the real gspread client uses."""

    def __init__(self) -> None:
        self.count: Counter[str] = Counter()

    def hook(self, response: requests.Response, *args, **kwargs) -> None:
        request = response.request
        url = request.url or ""
        if (request.method == "POST" and url.endswith(":batchUpdate") and response.ok
                and b"DeveloperMetadata" not in (request.body or b"")):
            self.count[url.rsplit("/", 1)[-1].split(":")[0]] += 1

    def client(self, sheets: LocalSheets, **retry):
        client = local_client(sheets, **retry)
        client.http_client.session.hooks["response"].append(self.hook)
        return client


def students_tab(sheets: LocalSheets) -> list[list[str]]:
    return local_client(sheets).open_by_key(SCHOOL_ID).worksheet("Students").get_all_values()


@pytest.fixture()
def sheets() -> LocalSheets:
    return LocalSheets()


def _start(client, **kwargs):
    store = MetadataJobStore(client, SCHOOL_ID)
    ctx = StepContext(client=client, store=store, students_per_step=5)
    return new_job(ctx, owner_of("admin"), SCHOOL_ID, **kwargs)


def test_every_gradebook_is_one_step_and_the_school_tabs_are_written_once(tmp_path, sheets):
    ids = local_school(tmp_path, sheets, 6)
    writes = Writes()
    client = writes.client(sheets)
    job = _start(client)
    assert (job.kind, job.total, job.state) == (SCHOOL_RECOMPUTE.name, 6, JobState.QUEUED)
    steps = []
    while not job.state.finished:
        job = run_step(client, job.id, 5)
        steps.append(job.done)
    assert steps == [1, 2, 3, 4, 5, 6, 6]  # one step per gradebook, then the aggregation
    assert job.state is JobState.DONE
    assert job.result["recomputed"] == 6 and job.result["failed"] == []
    assert writes.count == Counter({**{sid: 1 for sid in ids}, SCHOOL_ID: 1})
    rows = students_tab(sheets)
    assert any(r[0] == "6 of 6 gradebooks read." for r in rows), rows[:3]


def test_the_job_keeps_no_student_names_or_scores(tmp_path, sheets):
    local_school(tmp_path, sheets, 3, missing=(1,))
    client = local_client(sheets)
    job = InProcessRunner(lambda _t: client, 5).run(_start(client).id)
    stored = json.dumps(MetadataJobStore(client, SCHOOL_ID).get(job.id).to_json())
    for name in ("Ana Rivera", "Omar Diallo", "Mei Chen", "S1", "Phone out"):
        assert name not in stored


def test_a_gradebook_that_keeps_failing_is_reported_and_the_others_complete(tmp_path, sheets):
    ids = local_school(tmp_path, sheets, 4, missing=(2,))
    writes = Writes()
    client = writes.client(sheets)
    job = InProcessRunner(lambda _t: client, 5).run(_start(client).id)
    assert job.state is JobState.DONE
    assert job.result["recomputed"] == 3
    assert [f["cell"] for f in job.result["failed"]] == ["Gradebooks!A4"]
    assert "1 gradebook could not be recomputed" in job.message
    assert writes.count == Counter({**{sid: 1 for i, sid in enumerate(ids) if i != 2},
                                    SCHOOL_ID: 1})
    line = next(r[0] for r in students_tab(sheets) if "gradebooks read" in r[0])
    assert line.startswith("3 of 4 gradebooks read. Not read: Gradebooks!A4 Course 02")


def test_transient_errors_are_retried_and_then_the_gradebook_is_given_up(tmp_path, sheets):
    """Delegation: each gradebook's step acts as its Teacher Email. One teacher's Google is busy
    (429s): her step fails (the queue retries it); after max_attempts her gradebook is recorded
    as failed and the job goes on; a single 429 elsewhere is retried and passes."""
    ids = local_school(tmp_path, sheets, 3)
    busy = LocalSheets()  # what teacher 01 and 02 reach: their gradebooks, with injected 429s
    for sid in ids[1:]:
        busy.open_workbook(tmp_path / f"{sid}.xlsx", autosave=False)
    writes = Writes()
    client = writes.client(sheets, max_attempts=1)
    busy_client = writes.client(busy, max_attempts=1)
    subjects: list[str] = []

    def client_for(email: str):
        subjects.append(email)
        return client if email.startswith("t00") else busy_client

    job = _start(client, max_attempts=2, identity="delegation")
    job = run_step(client, job.id, 5, client_for=client_for)  # gradebook 0
    busy.faults.fail_next(429, 2)
    with pytest.raises(SheetsUnavailable):
        run_step(client, job.id, 5, client_for=client_for)
    job = run_step(client, job.id, 5, client_for=client_for)  # its second try: given up
    assert job.done == 2 and job.counts["failed"] == 1
    busy.faults.fail_next(429, 1)
    with pytest.raises(SheetsUnavailable):
        run_step(client, job.id, 5, client_for=client_for)  # gradebook 2's first try ...
    job = run_step(client, job.id, 5, client_for=client_for)  # ... and its second passes
    job = run_step(client, job.id, 5, client_for=client_for)
    assert job.state is JobState.DONE
    assert [f["cell"] for f in job.result["failed"]] == ["Gradebooks!A3"]
    assert writes.count == Counter({ids[0]: 1, ids[2]: 1, SCHOOL_ID: 1})
    assert set(subjects) == {"t00@school.example.org", "t01@school.example.org",
                             "t02@school.example.org"}


def test_a_gradebook_busy_when_the_school_tabs_are_aggregated_is_retried_then_reported(
        tmp_path, sheets):
    ids = local_school(tmp_path, sheets, 2)
    busy = LocalSheets()
    busy.open_workbook(tmp_path / f"{ids[1]}.xlsx", autosave=False)
    client = local_client(sheets, max_attempts=1)
    busy_client = local_client(busy, max_attempts=1)

    def client_for(email: str):
        return client if email.startswith("t00") else busy_client

    job = _start(client, identity="delegation")
    for _ in range(2):
        job = run_step(client, job.id, 5, client_for=client_for)
    assert job.counts == {"recomputed": 2, "failed": 0}
    busy.faults.fail_next(503, 100)
    for _ in range(2):  # the aggregation fails: the queue retries it
        with pytest.raises(SheetsUnavailable):
            run_step(client, job.id, 5, client_for=client_for)
    job = run_step(client, job.id, 5, client_for=client_for)  # the third try gives it up
    assert job.state is JobState.DONE
    assert job.result["recomputed"] == 1
    assert [f["cell"] for f in job.result["failed"]] == ["Gradebooks!A3"]
    line = next(r[0] for r in students_tab(sheets) if "gradebooks read" in r[0])
    assert line.startswith("1 of 2 gradebooks read. Not read: Gradebooks!A3")
