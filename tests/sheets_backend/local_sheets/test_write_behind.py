"""Write-behind saving (used by `serve`): answers first, the file follows, and flush() catches up."""

from __future__ import annotations

import threading

from openpyxl import load_workbook
from workbooks import BASE_TABS, write_workbook

from sheets_backend.gateway import SheetsGateway, local_client
from sheets_backend.local_sheets import LocalSheets
from sheets_backend.recompute import recompute


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
