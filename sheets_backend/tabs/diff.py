"""Only what changed: one output tab compared with what it holds now, as few Sheets requests as
sensible (rows moved rather than rewritten, shared column formats as one repeatCell, changed cells
as updateCells with only the fields that differ)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any

import orjson

from sheets_backend.sheets.snapshot import Tab

CellData = dict[str, Any]
Key = tuple[Any, Any, Any]  # (value, note, format), each canonical
EMPTY_FORMAT: tuple[Any, ...] = ()
EMPTY: Key = (None, "", EMPTY_FORMAT)
UNKNOWN = ("?",)  # a part of a cell whose content is not known: never equal to what Hive wants
VALUE, NOTE, FORMAT, BACKGROUND = 1, 2, 4, 8
FIELDS = ((VALUE, "userEnteredValue"), (NOTE, "note"), (FORMAT, "userEnteredFormat"),
          (BACKGROUND, "userEnteredFormat.backgroundColorStyle"))
MAX_EMPTY_ROWS = 38  # an empty RowData costs 3 bytes; a new updateCells about 115
MIN_REPEAT = 3  # a repeatCell pays for itself once it saves a format on a few cells
DEFAULT_COLUMN_PIXELS = 100  # a new tab's column width


def value_key(value: dict[str, Any] | None) -> Any:
    """An ExtendedValue as something to compare: ("s", text), ("n", 1.0), ("f", "=..."), ..."""
    if not value:
        return None
    if "stringValue" in value:
        return ("s", value["stringValue"]) if value["stringValue"] else None
    if "numberValue" in value:
        return ("n", float(value["numberValue"]))
    if "formulaValue" in value:
        return ("f", value["formulaValue"])
    if "boolValue" in value:
        return ("b", bool(value["boolValue"]))
    return None


_FORMATS: dict[bytes, tuple[Any, ...]] = {}


def format_key(fmt: dict[str, Any] | None) -> tuple[Any, ...]:
    """The parts of a CellFormat Hive writes, as Google stores them (colours to 8 bits a channel:
    Google keeps float32, Hive sends four decimals)."""
    if not fmt:
        return EMPTY_FORMAT
    text = orjson.dumps(fmt, option=orjson.OPT_SORT_KEYS)
    found = _FORMATS.get(text)
    if found is not None:
        return found
    background: tuple[int, ...] = ()
    if "backgroundColorStyle" in fmt or "backgroundColor" in fmt:
        rgb = (fmt.get("backgroundColorStyle") or {}).get("rgbColor")
        rgb = rgb if rgb is not None else fmt.get("backgroundColor") or {}
        background = tuple(round(float(rgb.get(k, 0)) * 255) for k in ("red", "green", "blue"))
    style = fmt.get("textFormat") or {}
    wrap = fmt.get("wrapStrategy") or ""
    number = fmt.get("numberFormat") or {}
    found = (
        background,
        bool(style.get("bold")),
        int(style.get("fontSize") or 0),
        "" if wrap == "OVERFLOW_CELL" else wrap,
        number.get("pattern", ""),
    )
    if found == ((), False, 0, "", ""):
        found = EMPTY_FORMAT
    if len(_FORMATS) < 65536:
        _FORMATS[text] = found
    return found


def cell_key(cell: CellData) -> Key:
    if not cell:
        return EMPTY
    return (
        value_key(cell.get("userEnteredValue")),
        cell.get("note") or "",
        format_key(cell.get("userEnteredFormat")),
    )


def _grid(rows: Sequence[Sequence[CellData]], height: int, width: int) -> list[list[Key]]:
    shared: dict[int, tuple[Any, tuple[Any, ...]]] = {}  # rendered cells share format objects

    def key(cell: CellData) -> Key:
        if not cell:
            return EMPTY
        fmt = cell.get("userEnteredFormat")
        hit = shared.get(id(fmt))
        if hit is None or hit[0] is not fmt:
            hit = shared[id(fmt)] = (fmt, format_key(fmt))
        return (value_key(cell.get("userEnteredValue")), cell.get("note") or "", hit[1])

    out = []
    for r in range(height):
        row = rows[r] if r < len(rows) else ()
        keys = [key(c) for c in row[:width]]
        keys.extend([EMPTY] * (width - len(keys)))
        out.append(keys)
    return out


def tab_requests(
    sheet_id: int,
    rows: Sequence[Sequence[CellData]],
    height: int,
    width: int,
    *,
    body_from: int = 0,
    current: Tab | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(row moves, cell writes) that make the grid `sheet_id` hold `rows` (height x width).

    `current` is the tab as read (None: a new, empty tab). Row moves come first and change the
    tab's row count to `height`; the caller sets the column count between the two lists."""
    wanted = _grid(rows, height, width)
    if current is None:
        have = [[EMPTY] * width for _ in range(height)]
        moves: list[dict[str, Any]] = []
    elif current.cells is None:
        have = [[(UNKNOWN, UNKNOWN, UNKNOWN)] * width for _ in range(height)]
        moves = []
    else:
        have = _grid(current.cells, current.row_count, width)
        have, moves = _align_rows(sheet_id, have, wanted, max(current.frozen_rows, 1))
    writes = _column_formats(sheet_id, rows, wanted, have, body_from)
    # Values and notes apart from formats: a run of changed words then never carries formats
    # that the column's repeatCell already gave its cells.
    writes += _changed_cells(sheet_id, rows, wanted, have, VALUE | NOTE)
    writes += _changed_cells(sheet_id, rows, wanted, have, FORMAT | BACKGROUND)
    return moves, writes


def typed_over(
    rows: Sequence[Sequence[CellData]], height: int, width: int, current: Tab
) -> list[tuple[int, int]]:
    """Cells (row, column, 0-based) someone typed over: the value is not Hive's while the note
    still is. Hive's own notes explain the value, so Hive never changes one without the other."""
    if current.cells is None:
        return []
    found = []
    for r, have_row in enumerate(current.cells[:height]):
        want_row = rows[r] if r < len(rows) else ()
        for c, cell in enumerate(have_row[:width]):
            note = cell.get("note")
            if not note or c >= len(want_row) or want_row[c].get("note") != note:
                continue
            if value_key(cell.get("userEnteredValue")) != value_key(
                    want_row[c].get("userEnteredValue")):
                found.append((r, c))
    return found


def _dimension(kind: str, sheet_id: int, start: int, end: int) -> dict[str, Any]:
    return {kind: {"range": {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": start,
                             "endIndex": end}}}


def _align_rows(
    sheet_id: int, have: list[list[Key]], wanted: list[list[Key]], keep: int
) -> tuple[list[list[Key]], list[dict[str, Any]]]:
    """Insert and delete rows so rows that only moved (a student added above them) are kept; rows
    inserted are written in full. Without enough rows in common, only the row count changes."""
    a = [tuple(r) for r in have]
    b = [tuple(r) for r in wanted]
    ops = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    same = sum(i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal" and any(
        k != EMPTY for row in a[i1:i2] for k in row))
    moves: list[dict[str, Any]] = []
    rows = list(have)
    count, lowest = len(rows), len(rows)
    plan: list[tuple[str, int, int]] = []
    for tag, i1, i2, j1, j2 in reversed(ops):
        if tag == "equal":
            continue
        drop, add = (i2 - i1) - (j2 - j1), 0
        if drop < 0:
            add, drop = -drop, 0
        if drop:
            plan.append(("delete", i1 + (j2 - j1), i2))
            count -= drop
            lowest = min(lowest, count)
        if add:
            plan.append(("insert", i2, i2 + add))
            count += add
    # Rows a longer grid gains are written in full, whatever Google gives a new row.
    unknown = [(UNKNOWN, UNKNOWN, UNKNOWN)] * len(wanted[0])
    if same * 2 < len(b) or lowest < keep + 1:
        rows = rows[: len(wanted)] + [list(unknown) for _ in range(len(wanted) - len(rows))]
        return rows, []  # the row count set with the grid's properties adds or cuts rows
    for kind, start, end in plan:
        if kind == "delete":
            del rows[start:end]
            moves.append(_dimension("deleteDimension", sheet_id, start, end))
        else:
            at_end = start >= len(rows)
            rows[start:start] = [list(unknown) for _ in range(end - start)]
            if at_end:  # rows past the end come with the grid's new row count
                continue
            request = _dimension("insertDimension", sheet_id, start, end)
            request["insertDimension"]["inheritFromBefore"] = start > 0
            moves.append(request)
    return rows, moves


def _column_formats(
    sheet_id: int,
    rows: Sequence[Sequence[CellData]],
    wanted: list[list[Key]],
    have: list[list[Key]],
    body_from: int,
) -> list[dict[str, Any]]:
    """One repeatCell per run of columns whose body shares a format most of its cells need and
    lack; `have` is updated to what the sheet holds after it."""
    height = len(wanted)
    width = len(wanted[0]) if wanted else 0
    if height <= body_from:
        return []
    chosen: list[tuple[int, tuple[Any, ...], CellData]] = []
    for c in range(width):
        counts = Counter(wanted[r][c][2] for r in range(body_from, height))
        mode, _ = counts.most_common(1)[0]
        if mode == EMPTY_FORMAT:
            continue
        # Cells it gives their format, less the cells it would spoil (right now, not the mode).
        gain = sum(
            (1 if want == mode and now != mode else -1 if want != mode and now == want else 0)
            for want, now in ((wanted[r][c][2], have[r][c][2]) for r in range(body_from, height))
        )
        if gain < MIN_REPEAT:
            continue
        fmt = next(
            rows[r][c]["userEnteredFormat"] for r in range(body_from, min(height, len(rows)))
            if c < len(rows[r]) and wanted[r][c][2] == mode
        )
        chosen.append((c, mode, fmt))
    requests: list[dict[str, Any]] = []
    for i, (c, mode, fmt) in enumerate(chosen):
        for r in range(body_from, height):
            v, n, _ = have[r][c]
            have[r][c] = (v, n, mode)
        if i and chosen[i - 1][0] == c - 1 and chosen[i - 1][1] == mode:
            requests[-1]["repeatCell"]["range"]["endColumnIndex"] = c + 1
            continue
        requests.append({"repeatCell": {
            "range": {"sheetId": sheet_id, "startRowIndex": body_from, "endRowIndex": height,
                      "startColumnIndex": c, "endColumnIndex": c + 1},
            "cell": {"userEnteredFormat": fmt},
            "fields": "userEnteredFormat",
        }})
    return requests


def _changed_cells(
    sheet_id: int,
    rows: Sequence[Sequence[CellData]],
    wanted: list[list[Key]],
    have: list[list[Key]],
    parts: int,
) -> list[dict[str, Any]]:
    """updateCells for the cells whose `parts` differ: a run per row (gaps of a cell bridged), the
    runs of nearby rows that start at one column and change the same fields in one request."""
    # A group: [first row, end row, start column, fields, {row: end column}]. Rows of one group
    # start at one column; a row between them that has nothing to write is an empty RowData.
    groups: list[list[Any]] = []
    open_groups: dict[tuple[int, int], list[Any]] = {}
    for r, (want_row, have_row) in enumerate(zip(wanted, have, strict=True)):
        if want_row == have_row:
            continue
        runs: list[list[int]] = []
        for c, (w, h) in enumerate(zip(want_row, have_row, strict=True)):
            if w == h:
                continue
            bits = (VALUE if w[0] != h[0] else 0) | (NOTE if w[1] != h[1] else 0)
            if w[2] != h[2]:  # a colour alone is written alone (a status changed)
                only_colour = w[2] and h[2] and h[2] != UNKNOWN and w[2][1:] == h[2][1:]
                bits |= BACKGROUND if only_colour else FORMAT
            bits &= parts
            if not bits:
                continue
            if runs and c - runs[-1][1] <= 1:
                runs[-1][1] = c + 1
                runs[-1][2] |= bits
            else:
                runs.append([c, c + 1, bits])
        for c0, c1, bits in runs:
            if bits & FORMAT:
                bits &= ~BACKGROUND
            group = open_groups.get((c0, bits))
            if group is not None and r - group[1] <= MAX_EMPTY_ROWS:
                group[1] = r + 1
            else:
                group = [r, r + 1, c0, bits, {}]
                groups.append(group)
                open_groups[(c0, bits)] = group
            group[4][r] = c1
    empty: CellData = {}
    requests = []
    for r0, r1, c0, bits, ends in groups:
        keys = [name for bit, name in FIELDS if bits & bit]
        out_rows: list[dict[str, Any]] = []
        for r in range(r0, r1):
            if r not in ends:
                out_rows.append({})
                continue
            row = rows[r] if r < len(rows) else ()
            values = []
            for c in range(c0, ends[r]):
                cell = row[c] if c < len(row) else empty
                values.append(_project(cell, keys))
            out_rows.append({"values": values})
        # `start`, not `range`: only the cells given are written, so rows may differ in length.
        requests.append({"updateCells": {
            "start": {"sheetId": sheet_id, "rowIndex": r0, "columnIndex": c0},
            "rows": out_rows,
            "fields": ",".join(keys),
        }})
    return requests


def _project(cell: CellData, keys: list[str]) -> CellData:
    out = {k: cell[k] for k in keys if k in cell}
    if FIELDS[3][1] in keys:
        colour = (cell.get("userEnteredFormat") or {}).get("backgroundColorStyle")
        if colour is not None:
            out["userEnteredFormat"] = {"backgroundColorStyle": colour}
    return out


def width_requests(
    sheet_id: int, wanted: Sequence[int], have: Sequence[int]
) -> list[dict[str, Any]]:
    """Column widths that differ from the tab's, consecutive equal widths in one request."""
    requests: list[dict[str, Any]] = []
    last_end = -1
    for col, pixels in enumerate(wanted):
        current = have[col] if col < len(have) else DEFAULT_COLUMN_PIXELS
        if current == pixels:
            continue
        if requests and last_end == col and requests[-1]["updateDimensionProperties"][
                "properties"]["pixelSize"] == pixels:
            requests[-1]["updateDimensionProperties"]["range"]["endIndex"] = col + 1
        else:
            requests.append({"updateDimensionProperties": {
                "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": col,
                          "endIndex": col + 1},
                "properties": {"pixelSize": pixels},
                "fields": "pixelSize",
            }})
        last_end = col + 1
    return requests
