"""Saves in a child process: the file is the workbook, a pause holds it, a failure names no cell."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from workbooks import BASE_TABS, write_workbook

from sheets_backend.sheets.local import LocalSheets
from sheets_backend.sheets.local.save_process import ChildSave, SaveFailed
from sheets_backend.sheets.local.write_behind import WriteBehind


def _book(tmp_path: Path):
    service = LocalSheets()
    sid = service.open_workbook(write_workbook(tmp_path / "class.xlsx", BASE_TABS), autosave=False)
    return service.workbook(sid)


def _state(pid: int) -> str:
    """The process state letter from /proc (T: stopped)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2]


def test_the_child_writes_the_workbook(tmp_path: Path) -> None:
    book = _book(tmp_path)
    book.sheets[0].set_value(5, 0, "written by the child")
    target = tmp_path / "out.xlsx"
    ChildSave(book, target).wait()
    assert load_workbook(target)["Roster"]["A6"].value == "written by the child"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process state from /proc")
def test_a_paused_save_makes_no_progress_until_resumed(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    job = ChildSave(_book(tmp_path), target)
    job.pause()
    done = threading.Thread(target=job.wait)
    done.start()
    deadline = time.monotonic() + 5
    while _state(job._process.pid) != "T" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _state(job._process.pid) == "T"
    time.sleep(0.3)
    assert not target.exists()
    job.resume()
    done.join(timeout=60)
    assert target.exists() and not done.is_alive()


def test_a_failed_save_names_the_error_type_only_and_keeps_nothing_half_written(
    tmp_path: Path,
) -> None:
    book = _book(tmp_path)
    book.sheets[0].set_value(5, 0, "Private Student Name")
    target = tmp_path / "taken"
    target.mkdir()  # a folder where the file should go: the rename fails
    with pytest.raises(SaveFailed) as caught:
        ChildSave(book, target).wait()
    assert "IsADirectoryError" in str(caught.value)
    assert "Private Student Name" not in str(caught.value)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


class FakeJob:
    """A save that runs until released, recording pause() and resume()."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.release = threading.Event()

    def pause(self) -> None:
        self.calls.append("pause")

    def resume(self) -> None:
        self.calls.append("resume")

    def wait(self) -> None:
        assert self.release.wait(10)


def test_a_running_save_is_paused_for_each_request_and_resumed_after(tmp_path: Path) -> None:
    book = _book(tmp_path)
    book.path = tmp_path / "class.xlsx"
    job = FakeJob()
    started = threading.Event()

    def start(_book, _path):
        started.set()
        return job

    now = [0.0]
    writer = WriteBehind(lambda _id: book, idle=0.0, max_pause=60.0, clock=lambda: now[0],
                         start_save=start)
    writer.schedule("class")
    assert started.wait(5)
    time.sleep(0.05)  # the writer has recorded the running job
    writer.begin()
    writer.begin()  # a second request at once: already paused
    writer.end()
    assert job.calls == ["pause"]  # still one request in flight
    writer.end()
    assert job.calls == ["pause", "resume"]
    now[0] += 61.0  # paused long enough: an old save now runs beside requests
    writer.begin()
    writer.end()
    assert job.calls == ["pause", "resume", "resume"]
    job.release.set()
    assert writer.flush(timeout=5)


def test_flush_saves_in_this_process_and_resumes_a_paused_save(tmp_path: Path) -> None:
    book = _book(tmp_path)
    book.path = tmp_path / "class.xlsx"
    job = FakeJob()
    writer = WriteBehind(lambda _id: book, idle=0.0, start_save=lambda _b, _p: job)
    writer.begin()  # a request is in flight: the save waits (or starts paused when overdue)
    writer.schedule("class")
    writer.end()
    time.sleep(0.1)
    book.sheets[0].set_value(5, 0, "after the first save")
    writer.schedule("class")
    flushed = threading.Thread(target=writer.flush, kwargs={"timeout": 10})
    flushed.start()
    time.sleep(0.1)
    job.release.set()
    flushed.join(timeout=10)
    assert not flushed.is_alive()
    assert load_workbook(book.path)["Roster"]["A6"].value == "after the first save"
