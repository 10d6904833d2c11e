"""Real things for tests: workbooks on disk, snapshots shaped as the gateway builds them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from sheets_backend.sheets.snapshot import Snapshot, Tab

Rows = list[list[Any]]
EVIL_NAME = '=HYPERLINK("http://example.com","click")'

BASE_TABS: dict[str, Rows] = {
    "Roster": [
        ["Student ID", "Student Name", "Section", "Family Language"],
        ["S1", "Ana Rivera", "801", "Spanish"],
        ["S2", "Omar Diallo", "801", "English"],
        ["S3", EVIL_NAME, "802", ""],
        ["S4", "Mei Chen", "802", "Chinese"],
    ],
    "Outcomes": [
        ["Outcome ID", "Outcome", "Subject"],
        ["M1", "I can solve one-step equations.", "Math"],
        ["M2", "I can use ratios to compare quantities.", "Math"],
        ["L1", "I can cite evidence to support my claim.", "ELA"],
    ],
    "Scores": [
        ["Student ID", "Student Name", "Quiz 1", "Exit Ticket 1", "Essay 1", "Quiz 2", "Project"],
        ["Outcome", "", "M1", "M2", "L1", "M1", "M1"],
        [
            "Date",
            "",
            datetime(2026, 9, 14),
            datetime(2026, 9, 15),
            datetime(2026, 9, 20),
            datetime(2026, 9, 21),
            datetime(2026, 10, 5),
        ],
        ["Type", "", "summative", "formative", "summative", "summative", "summative"],
        ["S1", "Ana Rivera", 3, 4, 2, 3, 3],
        ["S2", "Omar Diallo", 3, 2, "EX", "MI", "NY"],
        ["S3", EVIL_NAME, 4, None, 3, 4, None],
        ["S4", "Mei Chen", None, None, None, None, None],
    ],
    "Behavior": [
        ["Date", "Student ID", "Note", "Resolved"],
        [datetime(2026, 9, 30), "S2", "Phone out during the quiz", ""],
        [datetime(2026, 10, 1), "S1", "Late three times", "Yes"],
    ],
}


def write_workbook(path: Path, tabs: dict[str, Rows]) -> Path:
    """A real .xlsx as a teacher would have it (dates as date cells)."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in tabs.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, datetime):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # a teacher's text, not a formula
    book.save(path)
    return path


def read_tab(path: Path, title: str) -> Rows:
    """A tab's values straight from the file, as any spreadsheet program would see them."""
    book = load_workbook(path)
    sheet = book[title]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def snapshot_of(tabs: dict[str, Rows]) -> Snapshot:
    """A snapshot as the gateway would build it, with dates as serial numbers like the API sends."""
    epoch = datetime(1899, 12, 30)

    def api_value(value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return (value - epoch).days
        return value

    built = []
    for index, (title, rows) in enumerate(tabs.items()):
        values = [[api_value(v) for v in row] for row in rows]
        for row in values:
            while row and row[-1] == "":
                row.pop()
        width = max((len(r) for r in values), default=0)
        built.append(
            Tab(
                title=title,
                sheet_id=index,
                index=index,
                row_count=max(len(rows), 1000),
                column_count=max(width, 26),
                rows=values,
            )
        )
    return Snapshot(spreadsheet_id="test", title="Gradebook", tabs=tuple(built))


def recompute_workbook(path: Path, **kwargs: Any) -> Any:
    """Recompute a workbook on disk through real gspread and the local Sheets service.

    Returns the `Summary`; the workbook is saved (unless `dry_run`), as a teacher's would be.
    """
    from sheets_backend.recompute import recompute
    from sheets_backend.sheets.gateway import SheetsGateway, local_client
    from sheets_backend.sheets.local import LocalSheets

    service = LocalSheets()
    sid = service.open_workbook(path, autosave=not kwargs.get("dry_run", False))
    gateway = SheetsGateway(local_client(service, base_delay=0.0, budget=1.0), sid)
    return recompute(gateway, **kwargs)


def read_notes(path: Path, title: str) -> dict[tuple[str, str], tuple[Any, str]]:
    """A Hive tab as {(row key in column A, header): (value, note)}: what a teacher sees."""
    sheet = load_workbook(path)[title]
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[0]]
    out: dict[tuple[str, str], tuple[Any, str]] = {}
    for cells in rows[1:]:
        key = str(cells[0].value)
        for name, cell in zip(header, cells, strict=False):
            out[(key, str(name))] = (cell.value, cell.comment.text if cell.comment else "")
    return out
