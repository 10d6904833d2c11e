"""Timings for the local Sheets service on a 600 x 900 grid: batchGet, updateCells, xlsx I/O."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import gspread

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sheets_backend.sheets.local import LocalSheets  # noqa: E402

ROWS, COLUMNS = 600, 900


def timed(label: str, action):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = action()
    print(f"{label:<44} {time.perf_counter() - start:7.2f} s")
    return result


def main() -> None:
    grid = [[float(r * COLUMNS + c) / 7 for c in range(COLUMNS)] for r in range(ROWS)]
    service = LocalSheets()
    sid = timed(
        f"build {ROWS}x{COLUMNS} grid ({ROWS * COLUMNS:,} cells)",
        lambda: service.create_workbook_from_rows({"Scores": grid}, spreadsheet_id="bench"),
    )
    http = gspread.Client(auth=None, session=service.session()).http_client
    params = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"}
    reply = timed(
        "values:batchGet UNFORMATTED_VALUE",
        lambda: http.values_batch_get(sid, ["Scores"], params=params),
    )
    assert len(reply["valueRanges"][0]["values"]) == ROWS
    timed("values:batchGet FORMATTED_VALUE", lambda: http.values_batch_get(sid, ["Scores"]))
    rows = [
        {"values": [{"userEnteredValue": {"numberValue": r + c}} for c in range(COLUMNS)]}
        for r in range(ROWS)
    ]
    body = {
        "requests": [
            {
                "updateCells": {
                    "range": {
                        "sheetId": 0,
                        "startRowIndex": 0,
                        "endRowIndex": ROWS,
                        "startColumnIndex": 0,
                        "endColumnIndex": COLUMNS,
                    },
                    "rows": rows,
                    "fields": "userEnteredValue",
                }
            }
        ]
    }
    timed("batchUpdate updateCells (540k values)", lambda: http.batch_update(sid, body))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.xlsx"
        timed("xlsx save", lambda: service.save(sid, path))
        print(f"{'xlsx size':<44} {path.stat().st_size / 1e6:7.2f} MB")
        timed("xlsx load", lambda: LocalSheets().open_workbook(path, autosave=False))


if __name__ == "__main__":
    main()
