"""Write-behind saving (used by `serve`): answers first, the file follows, and flush() catches up."""

from __future__ import annotations

import threading

from openpyxl import load_workbook
from workbooks import BASE_TABS, write_workbook

from sheets_backend.recompute import recompute
from sheets_backend.sheets.gateway import SheetsGateway, local_client
from sheets_backend.sheets.local import LocalSheets


def test_a_recompute_reaches_the_file_after_flush(tmp_path):
    path = write_workbook(tmp_path / "class.xlsx", BASE_TABS)
    service = LocalSheets(write_behind=True)
    sid = service.open_workbook(path)
    summary = recompute(SheetsGateway(local_client(service), sid))
    assert summary.written
    assert service.flush(timeout=30)
    assert {"Mastery", "Student Summary"} <= set(load_workbook(path).sheetnames)


def test_many_quick_writes_end_in_the_latest_state(tmp_path):
    path = write_workbook(tmp_path / "class.xlsx", BASE_TABS)
    service = LocalSheets(write_behind=True)
    sid = service.open_workbook(path)
    http = local_client(service).http_client

    def write(n: int) -> None:
        http.values_update(sid, "Roster!H1", params={"valueInputOption": "RAW"},
                           body={"values": [[f"note {n}"]]})

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    write(99)
    assert service.flush(timeout=30)
    assert load_workbook(path)["Roster"]["H1"].value == "note 99"


def test_without_write_behind_flush_has_nothing_to_wait_for(tmp_path):
    path = write_workbook(tmp_path / "class.xlsx", BASE_TABS)
    service = LocalSheets()
    service.open_workbook(path)
    assert service.flush(timeout=0) is True


def test_saves_wait_for_a_quiet_moment_but_never_longer_than_max_delay(tmp_path):
    from sheets_backend.sheets.local.write_behind import WriteBehind

    path = write_workbook(tmp_path / "class.xlsx", BASE_TABS)
    service = LocalSheets()
    sid = service.open_workbook(path, autosave=False)
    now = [100.0]
    saved: list[str] = []

    def snapshot(spreadsheet_id: str):
        saved.append(spreadsheet_id)
        return None  # nothing to write: the test watches when a save starts

    writer = WriteBehind(snapshot, idle=0.5, max_delay=10.0, clock=lambda: now[0])
    writer.touch()
    writer.schedule(sid)
    assert writer._due() == 0.5  # busy a moment ago: wait for quiet
    now[0] += 9.8
    writer.touch()  # still busy, but the first write is nearly 10 s old
    assert 0 < writer._due() <= 0.2 + 1e-9
    assert writer.flush(timeout=5) and saved == [sid]  # flush does not wait for quiet


def test_no_save_starts_while_a_request_is_in_flight_unless_overdue():
    from sheets_backend.sheets.local.write_behind import WriteBehind

    now = [0.0]
    writer = WriteBehind(lambda _id: None, idle=0.5, max_delay=10.0, clock=lambda: now[0])
    writer.begin()
    writer.schedule("book")
    now[0] += 5.0  # a long render: quiet for 5 s, but the request is still running
    assert writer._due() > 0
    writer.end()
    now[0] += 0.6
    assert writer._due() == 0
    writer.begin()
    writer.schedule("book")
    now[0] += 10.5  # overdue: saved even though a request is running
    assert writer._due() == 0
    writer.end()
    assert writer.flush(timeout=5)


def test_a_save_whose_child_was_killed_is_saved_again_at_flush(tmp_path, caplog):
    """Ctrl-C or the OOM killer can end a save's child: the save is not lost, flush() redoes it
    in process and the killed child's temp file goes."""
    import os
    import signal

    from sheets_backend.sheets.local.save_process import ChildSave
    from sheets_backend.sheets.local.write_behind import WriteBehind

    path = write_workbook(tmp_path / "class.xlsx", BASE_TABS)
    service = LocalSheets()
    sid = service.open_workbook(path, "1SecretSpreadsheetId", autosave=False)
    local_client(service).http_client.values_update(
        sid, "Roster!H1", params={"valueInputOption": "RAW"}, body={"values": [["kept"]]})
    killed = []

    def start_and_kill(book, target):
        job = ChildSave(book, target)
        os.kill(job._process.pid, signal.SIGKILL)  # a real signal to the real child
        killed.append(job)
        return job

    writer = WriteBehind(service._consistent_copy, idle=0.0, start_save=start_and_kill)
    (tmp_path / ".class-stale.xlsx.tmp").write_bytes(b"what a killed child leaves")
    writer.schedule(sid)
    deadline = threading.Event()
    while not killed and not deadline.wait(0.05):
        pass
    assert writer.flush(timeout=60)
    assert load_workbook(path)["Roster"]["H1"].value == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["class.xlsx"]
    # The failure was logged under the spreadsheet's short hash, never its id.
    import hashlib

    failed = [r for r in caplog.records if r.getMessage() == "background save failed"]
    assert failed and failed[0].sheet == hashlib.sha256(sid.encode()).hexdigest()[:12]
    import logging

    shown = [logging.Formatter().format(r) + str(vars(r)) for r in failed]
    assert all(sid not in text for text in shown)
