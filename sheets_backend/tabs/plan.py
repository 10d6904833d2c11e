"""A write plan: Hive's output tabs rendered as Sheets API v4 batchUpdate requests for ONE call.

Only tabs Hive owns (by their mark, never by title) are written. A teacher's tab that happens to
carry an output tab's name, in any case, is left alone and Hive writes beside it under another
name. Every write stamps Hive's marks with its write id, so a retried write can tell it already
landed. Text always goes in as `stringValue`, so a name like `=HYPERLINK(...)` stays text and
never runs as a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sheets_backend.problems import Problem, Reason, tab_ref
from sheets_backend.sheets.snapshot import Snapshot, hive_mark, same_title

CellData = dict[str, Any]
WRITE_FIELDS = "userEnteredValue,userEnteredFormat,note"


@dataclass(frozen=True)
class TabContent:
    """One output tab as rows of Sheets `CellData`, plus how it should be framed."""

    title: str
    rows: list[list[CellData]]
    frozen_rows: int = 0
    frozen_columns: int = 0
    column_widths: Sequence[int] = ()

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=1) or 1


@dataclass(frozen=True)
class WritePlan:
    """Everything a recompute writes. Applied in one batchUpdate: all of it or none of it."""

    requests: tuple[dict[str, Any], ...]
    tabs: tuple[str, ...]
    problems: tuple[Problem, ...] = field(default=())
    write_id: str = ""  # stamped on every tab's mark; "" writes the plain mark
    sheet_ids: tuple[int, ...] = ()  # the tabs written, by sheetId (in `tabs` order)

    def body(self) -> dict[str, Any]:
        return {"requests": list(self.requests)}

    @property
    def cell_count(self) -> int:
        return sum(
            sum(len(r.get("values", [])) for r in req["updateCells"]["rows"])
            for req in self.requests
            if "updateCells" in req
        )


def build_plan(
    snapshot: Snapshot, contents: Sequence[TabContent], write_id: str = ""
) -> WritePlan:
    """Requests that make each output tab hold exactly `contents`, creating tabs Hive lacks.

    A title is taken when any tab's title equals it ignoring case (Google's rule); a taken title
    is Hive's to write only when that tab carries Hive's mark.
    """
    requests: list[dict[str, Any]] = []
    problems: list[Problem] = []
    used_ids = {tab.sheet_id for tab in snapshot.tabs}
    titles: list[str] = []
    sheet_ids: list[int] = []
    next_index = len(snapshot.tabs)
    for content in contents:
        title = content.title
        existing = snapshot.titled(title)
        suffix = 1
        while (existing is not None and not existing.hive_owned) or _planned(title, titles):
            instead = f"{content.title} (Hive{'' if suffix == 1 else f' {suffix}'})"
            if existing is not None and not existing.hive_owned:
                problems.append(
                    Problem(
                        tab_ref(existing.title),
                        Reason.TAB_NAME_TAKEN,
                        f'"{existing.title}" is not a Hive tab, so Hive left it alone and wrote '
                        f'"{instead}" instead',
                    )
                )
            title = instead
            existing = snapshot.titled(title)
            suffix += 1
        if existing is not None:
            title = existing.title  # Hive's own tab, under the title it has now
        rows = max(len(content.rows), content.frozen_rows + 1, 1)
        grid = {
            "rowCount": rows,
            "columnCount": content.width,
            "frozenRowCount": content.frozen_rows,
            "frozenColumnCount": content.frozen_columns,
        }
        if existing is None:
            sheet_id = _free_id(used_ids, title)
            used_ids.add(sheet_id)
            requests.append(
                {
                    "addSheet": {
                        "properties": {
                            "sheetId": sheet_id,
                            "title": title,
                            "index": next_index,
                            "gridProperties": grid,
                        }
                    }
                }
            )
            next_index += 1
            requests.append(
                {
                    "addProtectedRange": {
                        "protectedRange": {
                            "range": {"sheetId": sheet_id},
                            "description": hive_mark(write_id, sheet_id),
                            "warningOnly": True,
                        }
                    }
                }
            )
        else:
            sheet_id = existing.sheet_id
            requests.append(
                {
                    "updateSheetProperties": {
                        "properties": {"sheetId": sheet_id, "gridProperties": grid},
                        "fields": "gridProperties(rowCount,columnCount,frozenRowCount,frozenColumnCount)",
                    }
                }
            )
        requests.append(
            {
                "updateCells": {
                    "range": {
                        "sheetId": sheet_id,
                        "startRowIndex": 0,
                        "endRowIndex": rows,
                        "startColumnIndex": 0,
                        "endColumnIndex": content.width,
                    },
                    "rows": [{"values": r} for r in content.rows],
                    "fields": WRITE_FIELDS,
                }
            }
        )
        for col, pixels in enumerate(content.column_widths):
            requests.append(
                {
                    "updateDimensionProperties": {
                        "range": {
                            "sheetId": sheet_id,
                            "dimension": "COLUMNS",
                            "startIndex": col,
                            "endIndex": col + 1,
                        },
                        "properties": {"pixelSize": pixels},
                        "fields": "pixelSize",
                    }
                }
            )
        if existing is not None and write_id:
            requests.extend(_restamp(sheet_id, existing.mark_ids, hive_mark(write_id, sheet_id)))
        titles.append(title)
        sheet_ids.append(sheet_id)
    return WritePlan(
        requests=tuple(requests),
        tabs=tuple(titles),
        problems=tuple(problems),
        write_id=write_id,
        sheet_ids=tuple(sheet_ids),
    )


def _planned(title: str, planned: Sequence[str]) -> bool:
    return any(same_title(title, other) for other in planned)


def _restamp(sheet_id: int, mark_ids: Sequence[int], mark: str) -> list[dict[str, Any]]:
    """Stamp a Hive tab's mark with this write's id (in the same batch, so the stamp lands
    exactly when the write does): the mark's description changes, its id stays, and any second
    mark is removed."""
    if not mark_ids:
        return [{"addProtectedRange": {"protectedRange": {
            "range": {"sheetId": sheet_id}, "description": mark, "warningOnly": True}}}]
    first, *extra = mark_ids
    return [
        {"updateProtectedRange": {
            "protectedRange": {"protectedRangeId": first, "description": mark},
            "fields": "description",
        }},
        *({"deleteProtectedRange": {"protectedRangeId": pid}} for pid in extra),
    ]


def _free_id(used: set[int], title: str) -> int:
    """A stable sheetId for a new tab (stable ids keep links to Hive's tabs working)."""
    candidate = 700_000_000 + sum(ord(c) * 31**i for i, c in enumerate(title)) % 100_000_000
    while candidate in used:
        candidate += 1
    return candidate


# --- cells -------------------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def colour(hex_colour: str) -> dict[str, float]:
    """`#b7e1cd` -> the Sheets API's {red, green, blue} in 0..1 (shared: never change the result)."""
    value = hex_colour.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return {"red": round(red, 4), "green": round(green, 4), "blue": round(blue, 4)}


def text_cell(
    value: str,
    *,
    background: str = "",
    note: str = "",
    bold: bool = False,
    wrap: bool = False,
    size: int | None = None,
) -> CellData:
    """Text that can never run as a formula (a stringValue is stored as typed)."""
    cell: CellData = {"userEnteredValue": {"stringValue": value}} if value else {}
    fmt = _format(background, bold, wrap, size)
    if fmt:
        cell["userEnteredFormat"] = fmt
    if note:
        cell["note"] = note
    return cell


def number_cell(value: float | None, *, pattern: str = "", bold: bool = False) -> CellData:
    if value is None or value != value:  # NaN: nothing to show
        return {}
    cell: CellData = {"userEnteredValue": {"numberValue": float(value)}}
    fmt = dict(_format(bold=bold))
    if pattern:
        fmt["numberFormat"] = {
            "type": "PERCENT" if "%" in pattern else "NUMBER",
            "pattern": pattern,
        }
    if fmt:
        cell["userEnteredFormat"] = fmt
    return cell


def formula_cell(formula: str) -> CellData:
    """A formula Hive itself composed (SPARKLINE); never teacher or student text."""
    return {"userEnteredValue": {"formulaValue": formula}}


@lru_cache(maxsize=4096)
def _format(
    background: str = "", bold: bool = False, wrap: bool = False, size: int | None = None
) -> dict[str, Any]:
    """A cell format, shared by every cell that has it (a tab repeats a handful across thousands
    of cells): callers copy before changing one."""
    fmt: dict[str, Any] = {}
    if background:
        fmt["backgroundColorStyle"] = {"rgbColor": colour(background)}
    if bold or size:
        text_format: dict[str, Any] = {}
        if bold:
            text_format["bold"] = True
        if size:
            text_format["fontSize"] = size
        fmt["textFormat"] = text_format
    if wrap:
        fmt["wrapStrategy"] = "WRAP"
    return fmt
