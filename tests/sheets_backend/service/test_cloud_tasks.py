"""Jobs on a real Cloud Tasks implementation: the gcloud-tasks-emulator, the official client, and
the service on 127.0.0.1 receiving each step over HTTP, including an instance lost mid-job.

The emulator's address comes from CI_TASKS_EMULATOR (with CI_TASKS_TARGET_PORT, the
port it delivers tasks to), as `.ci/run` exports them; without it a fixture starts one.
"""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from sheets_backend.service.app import create_app
from sheets_backend.service.cloud_tasks import CloudTasksDispatcher
from sheets_backend.service.settings import AuthMode, Config, JobRunner
from sheets_backend.sheets.gateway import local_client
from sheets_backend.sheets.local import LocalSheets
from tests.sheets_backend.service.test_api_jobs import FAMILY, Drive, _gradebook

ROOT = Path(__file__).resolve().parents[3]
PROJECT, LOCATION = "hive-test", "local"  # .ci/run starts the emulator with the same pair


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


@pytest.fixture(scope="module")
def emulator() -> Iterator[tuple[str, int]]:
    """(emulator address, the port it delivers tasks to)."""
    given = os.environ.get("CI_TASKS_EMULATOR")
    if given:
        # One emulator for every pytest worker, delivering to one port: one test at a time.
        lock_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"hive-tasks-{given}.lock"
        with lock_path.open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield given, int(os.environ["CI_TASKS_TARGET_PORT"])
        return
    binary = Path(os.environ.get("TASKS_EMULATOR_BIN",
                                 ROOT / ".venv-tasks/bin/gcloud-tasks-emulator"))
    assert binary.exists(), f"{binary} is missing: run `make tasks-emulator`"
    port, target = _free_port(), _free_port()
    process = subprocess.Popen(
        [str(binary), "start", "-p", str(port), "-t", str(target), "-H", "127.0.0.1", "-q",
         "-Q", str(ROOT / "queue.yaml"), "-P", PROJECT, "-L", LOCATION],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port)
        yield f"127.0.0.1:{port}", target
    finally:
        process.terminate()
        process.wait(timeout=10)


class Instance:
    """One App Engine instance: the service over HTTP on the port the emulator delivers to."""

    def __init__(self, config: Config, port: int) -> None:
        self.app = create_app(config)
        self.server = make_server("127.0.0.1", port, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def google(tmp_path) -> LocalSheets:
    """What outlives every instance: the spreadsheets and Drive (here, one local service)."""
    sheets = LocalSheets()
    _gradebook(tmp_path, sheets)
    return sheets


def _config(google: LocalSheets, emulator: tuple[str, int]) -> Config:
    return Config(auth=AuthMode.OFF, client_factory=lambda _token: local_client(google),
                  job_runner=JobRunner.CLOUD_TASKS, tasks_emulator=emulator[0],
                  tasks_project=PROJECT, tasks_location=LOCATION, students_per_step=1,
                  rate_limit_per_minute=6000, rate_limit_burst=100)


def _follow(url: str, job_id: str, until, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            job = requests.get(f"{url}/v1/jobs/{job_id}", timeout=10).json()["job"]
        except requests.ConnectionError:
            job = None
        if job is not None and until(job):
            return job
        time.sleep(0.1)
    raise TimeoutError(f"job {job_id} did not get there: {job}")


def test_a_publish_runs_one_cloud_task_per_step(google, emulator):
    instance = Instance(_config(google, emulator), emulator[1])
    try:
        started = requests.post(f"{instance.url}/v1/publish",
                                json={"spreadsheet_id": "emails"}, timeout=10)
        assert started.status_code == 202, started.text
        job = _follow(instance.url, started.json()["job"]["id"],
                      lambda j: j["state"] in ("done", "failed"))
    finally:
        instance.stop()
    assert (job["state"], job["done"], job["total"]) == ("done", 4, 4), job
    assert {k: job["result"][k] for k in ("created", "updated", "shared")} == {
        "created": 4, "updated": 0, "shared": 4}
    drive = Drive(google)
    assert len(drive.folders()) == 1
    files = drive.files_in(job["result"]["folder_id"])
    assert sorted(r for f in files for r in drive.readers(f["id"])) == sorted(FAMILY.values())


def test_an_instance_lost_mid_job_leaves_no_duplicate(google, emulator):
    """The instance goes away after the first steps; Cloud Tasks retries the next step until a
    new instance answers, and the job ends as one clean run would."""
    config = _config(google, emulator)
    first = Instance(config, emulator[1])
    started = requests.post(f"{first.url}/v1/publish", json={"spreadsheet_id": "emails"},
                            timeout=10).json()["job"]
    _follow(first.url, started["id"], lambda j: j["done"] >= 1)
    first.stop()
    time.sleep(0.5)  # tasks delivered now find nobody and are retried
    second = Instance(config, emulator[1])
    try:
        job = _follow(second.url, started["id"], lambda j: j["state"] in ("done", "failed"))
        again = requests.post(f"{second.url}/v1/publish", json={
            "spreadsheet_id": "emails", "folder_id": job["result"]["folder_id"]},
            timeout=10).json()["job"]
        rerun = _follow(second.url, again["id"], lambda j: j["state"] in ("done", "failed"))
    finally:
        second.stop()
    assert {k: job["result"][k] for k in ("created", "updated", "shared", "students")} == {
        "created": 4, "updated": 0, "shared": 4, "students": 4}
    assert {k: rerun["result"][k] for k in ("created", "updated", "shared")} == {
        "created": 0, "updated": 4, "shared": 0}
    drive = Drive(google)
    assert len(drive.folders()) == 1
    assert len(drive.files_in(job["result"]["folder_id"])) == 4


def test_the_step_route_refuses_a_caller_without_the_queue_header(google, emulator):
    app = create_app(_config(google, emulator))
    client = app.test_client()
    refused = client.post("/v1/tasks/step", json={"job_id": "emails.1"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "task_forbidden"
    wrong = client.post("/v1/tasks/step", json={"job_id": "emails.1"},
                        headers={"X-AppEngine-QueueName": "some-other-queue"})
    assert wrong.status_code == 403


def test_the_dispatcher_is_the_official_client_on_the_queue_yaml_queue(google, emulator):
    from google.cloud import tasks_v2

    dispatcher = CloudTasksDispatcher(_config(google, emulator))
    assert isinstance(dispatcher.client, tasks_v2.CloudTasksClient)
    assert dispatcher.queue == f"projects/{PROJECT}/locations/{LOCATION}/queues/hive-jobs"


def test_a_step_failing_part_way_is_retried_by_cloud_tasks_with_no_duplicate(google, emulator):
    """Google keeps failing one call in the middle of a step (after some of its work): the step
    answers 503, Cloud Tasks delivers it again, and the job ends as one clean run would."""
    instance = Instance(_config(google, emulator), emulator[1])
    try:
        started = requests.post(f"{instance.url}/v1/publish", json={"spreadsheet_id": "emails"},
                                timeout=10).json()["job"]
        _follow(instance.url, started["id"], lambda j: j["done"] >= 1)
        google.faults.fail_next(503, count=4)  # one call's every retry: the step gives up
        deadline = time.monotonic() + 30
        while google.faults._pending and time.monotonic() < deadline:  # no polls meanwhile
            time.sleep(0.05)
        assert not google.faults._pending, "no step ran into the failures"
        job = _follow(instance.url, started["id"], lambda j: j["state"] in ("done", "failed"))
    finally:
        instance.stop()
    assert job["state"] == "done", job
    assert {k: job["result"][k] for k in ("created", "updated", "shared", "students")} == {
        "created": 4, "updated": 0, "shared": 4, "students": 4}
    drive = Drive(google)
    assert len(drive.folders()) == 1
    files = drive.files_in(job["result"]["folder_id"])
    assert sorted(f["appProperties"]["hiveReport"] for f in files) == sorted(
        {f["appProperties"]["hiveReport"] for f in files})
    assert sorted(r for f in files for r in drive.readers(f["id"])) == sorted(FAMILY.values())
