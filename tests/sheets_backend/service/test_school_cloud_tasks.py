"""The school recompute on a real Cloud Tasks implementation (the gcloud-tasks-emulator, the
official client, the service on 127.0.0.1) over a local school of 20 small gradebooks: on demand
with injected 429 bursts, and nightly (cron's call, domain-wide delegation) with one gradebook
whose teacher's Google never answers."""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest
import requests

from sheets_backend.jobs.model import Job
from sheets_backend.service.settings import AuthMode, Config, JobRunner
from sheets_backend.sheets.local import LocalSheets
from tests.sheets_backend.jobs.test_school import SCHOOL_ID, Writes, local_school, students_tab
from tests.sheets_backend.service import test_cloud_tasks as cloud
from tests.sheets_backend.service.test_cloud_tasks import LOCATION, PROJECT, Instance, _follow

emulator = cloud.emulator  # the same fixture: an emulator for this module, or CI's

GRADEBOOKS = 20


class Answers:
    """Every answer the local Google gave, by status (the 429s the bursts injected)."""

    def __init__(self) -> None:
        self.status: Counter[int] = Counter()

    def hook(self, response: requests.Response, *args, **kwargs) -> None:
        self.status[response.status_code] += 1


def _config(client_factory, emulator, **extra) -> Config:
    return Config(auth=AuthMode.OFF, client_factory=client_factory,
                  job_runner=JobRunner.CLOUD_TASKS, tasks_emulator=emulator[0],
                  tasks_project=PROJECT, tasks_location=LOCATION,
                  rate_limit_per_minute=6000, rate_limit_burst=100, **extra)


@pytest.fixture()
def google() -> LocalSheets:
    return LocalSheets()


def _stored(google: LocalSheets, job_id: str, timeout: float = 120.0) -> Job:
    """The job as the school workbook's developer metadata holds it, once finished: read from
    the local service's own model, so the test's polling never meets an injected fault."""
    number = int(job_id.rsplit(".", 1)[1])
    deadline = time.monotonic() + timeout
    job = None
    while time.monotonic() < deadline:
        entry = next((m for m in google.workbook(SCHOOL_ID).developer_metadata
                      if m.get("metadataId") == number), None)
        job = Job.from_json(json.loads(entry["metadataValue"])) if entry else None
        if job is not None and job.state.finished:
            return job
        time.sleep(0.2)
    raise TimeoutError(f"job {job_id} did not finish: {job}")


def test_an_admins_school_recompute_retries_429_bursts_and_recomputes_each_gradebook_once(
        tmp_path, google, emulator):
    ids = local_school(tmp_path, google, GRADEBOOKS)
    writes, answers = Writes(), Answers()

    def client(_token):  # no retries inside a step: every 429 reaches Cloud Tasks
        made = writes.client(google, max_attempts=1)
        made.http_client.session.hooks["response"].append(answers.hook)
        return made

    instance = Instance(_config(client, emulator), emulator[1])
    try:
        started = requests.post(f"{instance.url}/v1/school/recompute",
                                json={"spreadsheet_id": SCHOOL_ID}, timeout=30)
        assert started.status_code == 202, started.text
        assert started.json()["job"]["total"] == GRADEBOOKS
        for after in (10, 40, 70):  # three bursts of two 429s, spread over the run
            google.faults.fail_next(429, 2, after=after)
        stored = _stored(google, started.json()["job"]["id"])
        job = _follow(instance.url, stored.id, lambda j: j["state"] in ("done", "failed"))
    finally:
        instance.stop()
    assert (job["state"], job["done"], job["total"]) == ("done", GRADEBOOKS, GRADEBOOKS), job
    assert job["result"]["recomputed"] == GRADEBOOKS and job["result"]["failed"] == []
    assert answers.status[429] == 6  # every injected 429 was met, and the job still finished
    assert writes.count == Counter({**{sid: 1 for sid in ids}, SCHOOL_ID: 1})
    line = next(r[0] for r in students_tab(google) if "gradebooks read" in r[0])
    assert line == f"{GRADEBOOKS} of {GRADEBOOKS} gradebooks read."


def test_the_nightly_run_reports_a_gradebook_that_keeps_failing_and_completes_the_rest(
        tmp_path, google, emulator):
    ids = local_school(tmp_path, google, GRADEBOOKS)
    broken = LocalSheets()  # where teacher 07's delegated calls go: Google answering 503, always
    broken.faults.fail_next(503, 10_000)
    writes = Writes()
    subjects: list[str | None] = []

    def nightly(subject):
        subjects.append(subject)
        if subject == "t07@school.example.org":
            return writes.client(broken, max_attempts=1)
        return writes.client(google, max_attempts=1)

    config = _config(lambda _token: writes.client(google), emulator, nightly_schools=SCHOOL_ID,
                     nightly_identity="delegation", nightly_client_factory=nightly)
    instance = Instance(config, emulator[1])
    try:
        outsider = requests.get(f"{instance.url}/v1/tasks/nightly", timeout=10)
        assert outsider.status_code == 403
        assert outsider.json()["error"]["code"] == "task_forbidden"
        cron = requests.get(f"{instance.url}/v1/tasks/nightly",
                            headers={"X-Appengine-Cron": "true"}, timeout=30)
        assert cron.status_code == 200, cron.text
        (started,) = cron.json()["jobs"]
        assert (started["kind"], started["total"]) == ("school_recompute", GRADEBOOKS)
        job = _stored(google, started["id"])
    finally:
        instance.stop()
    assert job.state.value == "done", job
    assert job.result["recomputed"] == GRADEBOOKS - 1
    assert [f["cell"] for f in job.result["failed"]] == ["Gradebooks!A9"]
    assert writes.count == Counter({**{sid: 1 for i, sid in enumerate(ids) if i != 7},
                                    SCHOOL_ID: 1})
    line = next(r[0] for r in students_tab(google) if "gradebooks read" in r[0])
    assert line.startswith(f"{GRADEBOOKS - 1} of {GRADEBOOKS} gradebooks read. "
                           "Not read: Gradebooks!A9 Course 07 (Teacher 07)")
    # the school workbook as Hive's own account; each gradebook as its teacher
    assert None in subjects
    assert {f"t{i:02d}@school.example.org" for i in range(GRADEBOOKS)} <= set(subjects)
    assert subjects.count("t07@school.example.org") == 3  # tried max_attempts times, then given up
