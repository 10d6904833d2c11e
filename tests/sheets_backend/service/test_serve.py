"""Stopping `serve` saves first: a real server process, real HTTP, real signals."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from openpyxl import load_workbook
from workbooks import BASE_TABS, write_workbook

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(folder: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "sheets_backend", "serve", "--folder", str(folder),
             "--port", str(port)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1).read()
            return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("serve did not start")


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_stopping_serve_right_after_a_recompute_keeps_the_recompute(
    tmp_path: Path, stop: signal.Signals
) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    path = write_workbook(folder / "class.xlsx", BASE_TABS)
    log = tmp_path / "serve.log"
    process, url = _serve(folder, log)
    try:
        request = urllib.request.Request(
            url + "/v1/recompute", data=json.dumps({"spreadsheet_id": "class"}).encode(),
            headers={"Content-Type": "application/json"}, method="POST",
        )
        reply = json.loads(urllib.request.urlopen(request, timeout=120).read())
        assert reply["written"] is True
        process.send_signal(stop)  # at once: the write-behind save has not started yet
        assert process.wait(timeout=120) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert {"Mastery", "Student Summary", "Groups"} <= set(load_workbook(path).sheetnames)
    assert sorted(p.name for p in folder.iterdir()) == ["class.xlsx"]  # no temp file left
    assert "background save failed" not in log.read_text()
