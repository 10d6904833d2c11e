"""Local `serve` as a real process: a publish of the demo runs in many steps on a background
thread, survives the process being killed mid-job, and a second publish creates nothing new."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from sheets_backend.demo import write_demo_gradebook
from sheets_backend.sheets.gateway import local_client
from sheets_backend.sheets.local import LocalSheets
from tests.sheets_backend.service.test_api_jobs import Drive

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Serve:
    """`python -m sheets_backend serve` over a folder, with a little Google latency."""

    def __init__(self, folder: Path, port: int) -> None:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("HIVE_")},
               "HIVE_LOCAL_DELAY_SECONDS": "0.005", "HIVE_STUDENTS_PER_STEP": "8",
               "HIVE_RATE_LIMIT_PER_MINUTE": "600"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sheets_backend", "serve", "--folder", str(folder),
             "--port", str(port)], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise TimeoutError("serve did not start")

    def job(self, job_id: str) -> dict:
        reply = requests.get(f"{self.url}/v1/jobs/{job_id}", timeout=30)
        assert reply.status_code == 200, reply.text
        return reply.json()["job"]

    def follow(self, job_id: str, until, timeout: float = 240) -> list[dict]:
        seen = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen.append(self.job(job_id))
            if until(seen[-1]):
                return seen
            time.sleep(0.25)
        raise TimeoutError(f"job stuck at {seen[-1] if seen else None}")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)  # saves what is waiting to be saved, then exits
        self.process.wait(timeout=60)


def test_a_publish_killed_mid_job_finishes_after_a_restart_with_no_duplicates(tmp_path):
    write_demo_gradebook(tmp_path / "gradebook.xlsx")
    port = _free_port()
    first = Serve(tmp_path, port)
    try:
        started = requests.post(f"{first.url}/v1/publish", json={"spreadsheet_id": "gradebook"},
                                timeout=30)
        assert started.status_code == 202, started.text
        job = started.json()["job"]
        assert (job["state"], job["done"], job["total"]) == ("queued", 0, 96)
        first.follow(job["id"], lambda j: j["done"] >= 24)
    finally:
        first.kill()
    second = Serve(tmp_path, port)
    try:
        seen = second.follow(job["id"], lambda j: j["state"] in ("done", "failed"))
        done = seen[-1]
        assert (done["state"], done["done"], done["total"]) == ("done", 96, 96), done
        progress = [j["done"] for j in seen]
        assert progress == sorted(progress) and len(set(progress)) > 3  # it rose step by step
        folder_id = done["result"]["folder_id"]
        assert done["result"]["created"] + done["result"]["updated"] == 96
        again = requests.post(f"{second.url}/v1/publish", json={
            "spreadsheet_id": "gradebook", "folder_id": folder_id}, timeout=30).json()["job"]
        rerun = second.follow(again["id"], lambda j: j["state"] in ("done", "failed"))[-1]
        assert {k: rerun["result"][k] for k in ("created", "updated", "shared", "retired")} == {
            "created": 0, "updated": 96, "shared": 0, "retired": 0}
    finally:
        second.stop()
    google = LocalSheets.from_folder(tmp_path, keep_drive=True)
    drive = Drive(google)
    assert [f["name"] for f in drive.folders()] == ["Hive progress reports"]
    reports = drive.files_in(folder_id)
    keys = [f["appProperties"]["hiveReport"] for f in reports]
    assert len(keys) == len(set(keys)) == 96
    shares = [drive.readers(f["id"]) for f in reports]
    assert all(len(r) == len(set(r)) for r in shares)
    assert local_client(google) is not None
