"""Publish-job benchmark: the demo (96 students) published through local `serve`'s HTTP API with
every local Google call held `--delay` seconds (0.3 s: about Google's own latency), killed once
mid-job and started again, then published a second time.

Prints: steps, the slowest HTTP request, the slowest step (time between two progress changes),
the progress seen, what the second publish created, and whether Drive holds one report per student.

    .venv/bin/python bench/publish_job.py [--delay 0.3] [--kill-at 40]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sheets_backend.demo import write_demo_gradebook  # noqa: E402
from sheets_backend.publish.google import FOLDER_MIME  # noqa: E402
from sheets_backend.sheets.local import LocalSheets  # noqa: E402


class Timed:
    def __init__(self) -> None:
        self.slowest = 0.0
        self.count = 0

    def __call__(self, method: str, url: str, **kwargs) -> requests.Response:
        start = time.perf_counter()
        reply = requests.request(method, url, timeout=60, **kwargs)
        self.slowest = max(self.slowest, time.perf_counter() - start)
        self.count += 1
        return reply


def serve(folder: Path, port: int, delay: float) -> subprocess.Popen:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("HIVE_")},
           "HIVE_LOCAL_DELAY_SECONDS": str(delay)}
    process = subprocess.Popen([sys.executable, "-m", "sheets_backend", "serve", "--folder",
                                str(folder), "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok:
                return process
        except requests.ConnectionError:
            time.sleep(0.1)
    raise TimeoutError("serve did not start")


def follow(http: Timed, url: str, job_id: str, until, changes: list[float],
           progress: list[int]) -> dict:
    while True:
        reply = http("get", f"{url}/v1/jobs/{job_id}")
        if reply.status_code == 429:
            time.sleep(float(reply.headers.get("Retry-After", "1")))
            continue
        job = reply.json()["job"]
        if not progress or job["done"] != progress[-1]:
            progress.append(job["done"])
            changes.append(time.perf_counter())
        if until(job):
            return job
        time.sleep(3)  # the sidebar's poll


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=0.3)
    parser.add_argument("--kill-at", type=int, default=40)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hive-publish-bench-"))
    write_demo_gradebook(folder / "gradebook.xlsx")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    http, changes, progress = Timed(), [], []
    process = serve(folder, port, args.delay)
    began = time.perf_counter()
    start = time.perf_counter()
    job = http("post", f"{url}/v1/publish", json={"spreadsheet_id": "gradebook"}).json()["job"]
    post_seconds = time.perf_counter() - start
    follow(http, url, job["id"], lambda j: j["done"] >= args.kill_at, changes, progress)
    process.send_signal(signal.SIGKILL)
    process.wait()
    process = serve(folder, port, args.delay)
    done = follow(http, url, job["id"], lambda j: j["state"] in ("done", "failed"), changes,
                  progress)
    total_seconds = time.perf_counter() - began
    again = http("post", f"{url}/v1/publish", json={
        "spreadsheet_id": "gradebook", "folder_id": done["result"]["folder_id"]}).json()["job"]
    rerun = follow(http, url, again["id"], lambda j: j["state"] in ("done", "failed"), [], [])
    process.send_signal(signal.SIGINT)
    process.wait()
    google = LocalSheets.from_folder(folder, keep_drive=True)
    files = [f for f in google.drive.files() if not f.trashed]
    folders = [f for f in files if f.mime_type == FOLDER_MIME]
    keys = [f.app_properties.get("hiveReport") for f in files if "hiveReport" in f.app_properties]
    gaps = [b - a for a, b in zip(changes, changes[1:], strict=False)]
    print(f"delay per Google call: {args.delay} s; killed at {args.kill_at} students")
    print(f"POST /v1/publish answered 202 in {post_seconds:.2f} s")
    print(f"job: {done['state']} {done['done']} of {done['total']}, {total_seconds:.0f} s in all")
    print(f"progress seen: {progress}")
    print(f"slowest step (between progress changes, 3 s poll): {max(gaps):.1f} s")
    print(f"HTTP requests: {http.count}, slowest {http.slowest:.2f} s")
    print(f"second publish: {rerun['state']}, result {rerun.get('result')}")
    print(f"Drive: {len(folders)} folder(s), {len(keys)} reports, {len(set(keys))} distinct "
          "students")


if __name__ == "__main__":
    main()
