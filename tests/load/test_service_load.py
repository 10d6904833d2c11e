"""50 teachers recompute 50 gradebooks at once through a real gunicorn on loopback, in bounded time.

One gunicorn worker with gthread threads, so the in-memory local Sheets service is shared; each
gradebook's result must equal a single-threaded recompute of a copy made beforehand.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from workbooks import read_tab

from sheets_backend.demo import write_gradebook
from tests.sheets_backend.service.google_standin import CLIENT_ID, running_standin

ROOT = Path(__file__).resolve().parents[2]
BOOKS = 50
AS_OF = "2026-10-30"
DEADLINE_S = 60.0  # the whole burst, server start to last answer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Gunicorn:
    """`gunicorn sheets_backend.service.wsgi:app` on 127.0.0.1, configured only through HIVE_* settings."""

    def __init__(self, env: dict[str, str], log: Path, threads: int = 16) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{self.port}", "-w", "1",
             "-k", "gthread", "--threads", str(threads), "--timeout", "60",
             "sheets_backend.service.wsgi:app"],
            cwd=ROOT, env={**os.environ, **env}, stdout=self.log, stderr=subprocess.STDOUT,
        )

    def wait_until_up(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited {self.process.returncode}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise TimeoutError("gunicorn did not come up")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()


@pytest.fixture(scope="module")
def gradebooks(tmp_path_factory) -> tuple[Path, Path]:
    """50 different gradebooks in `served/`, and an untouched copy of each in `baseline/`."""
    base = tmp_path_factory.mktemp("load")
    served, baseline = base / "served", base / "baseline"
    served.mkdir()
    for i in range(BOOKS):
        # Small classes of different shapes: the point is concurrency, not size (bench/ does size).
        write_gradebook(served / f"class-{i:02d}.xlsx", students=8 + i % 5, outcomes=3 + i % 3,
                        scores_per_outcome=2, seed=1000 + i, behaviour_incidents=2)
    shutil.copytree(served, baseline)
    return served, baseline


# One recompute at a time over the copies, in its own process so it runs beside the burst.
ALONE = """
import json, sys
from datetime import date
from sheets_backend.sheets.gateway import SheetsGateway, local_client
from sheets_backend.sheets.local import LocalSheets
from sheets_backend.recompute import recompute
service = LocalSheets.from_folder(sys.argv[1])
summaries = {}
for sheet in sorted(service.spreadsheet_ids):
    gateway = SheetsGateway(local_client(service), sheet)
    summaries[sheet] = recompute(gateway, as_of=date.fromisoformat(sys.argv[2])).to_dict()
print(json.dumps(summaries))
"""


def without_timing(summary: dict) -> dict:
    """The answer less what varies between equal runs: the time, and the gzip size (which
    varies by a few bytes with each write's random id; the JSON's size does not)."""
    calls = {k: v for k, v in summary["api_calls"].items() if k != "bytes_written"}
    return {k: v for k, v in summary.items() if k != "duration_ms"} | {"api_calls": calls}


@pytest.mark.slow
def test_fifty_concurrent_recomputes_match_single_threaded_ones(gradebooks):
    served, baseline = gradebooks
    started = time.monotonic()
    alone = subprocess.Popen([sys.executable, "-c", ALONE, str(baseline), AS_OF], cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with running_standin() as google:
        server = Gunicorn({
            "HIVE_CLIENT_ID": CLIENT_ID,
            "HIVE_TOKENINFO_URL": google.tokeninfo_url,
            "HIVE_CERTS_URL": google.certs_url,
            "HIVE_LOCAL_FOLDER": str(served),
            "HIVE_LOG_LEVEL": "WARNING",
        }, log=served.parent / "gunicorn.log")
        try:
            server.wait_until_up()
            tokens = [google.access_token(sub=f"teacher-{i}") for i in range(BOOKS)]

            def call(i: int) -> requests.Response:
                return requests.post(
                    server.url + "/v1/recompute",
                    json={"spreadsheet_id": f"class-{i:02d}", "as_of": AS_OF},
                    headers={"Authorization": f"Bearer {tokens[i]}"},
                    timeout=DEADLINE_S,
                )

            burst = time.monotonic()
            with ThreadPoolExecutor(max_workers=BOOKS) as pool:
                responses = list(pool.map(call, range(BOOKS)))
            burst = time.monotonic() - burst
        finally:
            server.stop()
    elapsed = time.monotonic() - started
    print(f"{BOOKS} concurrent recomputes through gunicorn: {burst:.1f} s ({elapsed:.1f} s with "
          "start-up)")
    errors = [(i, r.status_code, r.text[:200]) for i, r in enumerate(responses)
              if r.status_code != 200]
    assert not errors
    assert elapsed < DEADLINE_S

    # The same work, one at a time, on the copies: same summaries, same cells.
    out, err = alone.communicate(timeout=DEADLINE_S)
    assert alone.returncode == 0, err[-2000:]
    expected = json.loads(out)
    assert len(expected) == BOOKS
    for i, response in enumerate(responses):
        sheet = f"class-{i:02d}"
        assert without_timing(response.json()) == without_timing(expected[sheet]), sheet
        for tab in expected[sheet]["tabs"]:
            assert read_tab(served / f"{sheet}.xlsx", tab) == read_tab(
                baseline / f"{sheet}.xlsx", tab), (sheet, tab)
