"""Keeps the local Drive across restarts of `serve`: folders, reports, appProperties and sharing.

Every file's Drive side is written to `<folder>/.hive-drive/drive.json` after each Drive change
(atomically), and a spreadsheet made through Drive lives as `.hive-drive/<id>.xlsx`, autosaved
like the gradebooks. So a service killed mid-job finds, when started again, the folder and reports
it had made, as Google would still have them.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from sheets_backend.sheets.local import xlsx
from sheets_backend.sheets.local.drive import MIME, DriveFile, LocalDrive, new_workbook
from sheets_backend.sheets.local.permissions import Grant

FOLDER_NAME = ".hive-drive"
STATE_FILE = "drive.json"


def attach(drive: LocalDrive, folder: str | Path) -> None:
    """Keep `drive` in `folder/.hive-drive`, loading what an earlier run left there."""
    home = Path(folder) / FOLDER_NAME
    drive.kept_in = home
    drive.on_change = lambda: save(drive)
    drive.on_new_spreadsheet = lambda sid: adopt_new_spreadsheet(drive, sid)
    state_path = home / STATE_FILE
    if not state_path.exists():
        return
    state = json.loads(state_path.read_text(encoding="utf-8"))
    drive.root.id = state.get("root", drive.root.id)
    for data in state.get("files", []):
        item = DriveFile(data["id"], data["mimeType"], data.get("name", ""),
                         created_time=data.get("createdTime", ""),
                         modified_time=data.get("modifiedTime", ""))
        item.restore(data)
        item.grants = [Grant.from_dict(g) for g in data.get("grants", [])]
        if item.mime_type == MIME and item.id not in drive.sheets.books:
            path = home / f"{item.id}.xlsx"
            if path.exists():
                drive.sheets.open_workbook(path, item.id)
            else:  # made, then the service died before its first save: Drive still has it
                book = new_workbook(item.name)
                book.spreadsheet_id, book.path, book.autosave = item.id, path, True
                drive.sheets.books[item.id] = book
        drive._files[item.id] = item


def adopt_new_spreadsheet(drive: LocalDrive, spreadsheet_id: str) -> None:
    """A spreadsheet just made through Drive gets its own file under `.hive-drive`."""
    home = getattr(drive, "kept_in", None)
    if home is None:
        return
    book = drive.sheets.books[spreadsheet_id]
    book.path, book.autosave = home / f"{spreadsheet_id}.xlsx", True
    xlsx.save(book, book.path)


def save(drive: LocalDrive) -> None:
    """Write every file's Drive side (called after each Drive change)."""
    home = getattr(drive, "kept_in", None)
    if home is None:
        return
    files: list[dict[str, Any]] = []
    for item in drive._files.values():
        files.append({"id": item.id, "mimeType": item.mime_type, "name": item.name,
                      "createdTime": item.created_time, "modifiedTime": item.modified_time,
                      **item.state()})
    home.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".drive-", suffix=".json.tmp", dir=home)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump({"root": drive.root.id, "files": files}, out)
    os.replace(temp, home / STATE_FILE)
