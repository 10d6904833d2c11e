"""A write plan: Hive's output tabs as the Sheets API v4 batchUpdate requests that change only what
differs, in ONE call (or, over 2 MB, staging calls and one final call that shows it all at once).

Only tabs Hive owns are written. A teacher's tab that happens to carry an output tab's name is left
alone and Hive writes beside it under another name. Text always goes in as `stringValue`, so a name
like `=HYPERLINK(...)` stays text and never runs as a formula.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson

from sheets_backend.problems import Problem, Reason, cell_ref, tab_ref
from sheets_backend.sheets.snapshot import STAGING_PREFIX, Snapshot, Tab, hive_mark, same_title
from sheets_backend.tabs.diff import tab_requests, typed_over, width_requests

CellData = dict[str, Any]
REQUEST_LIMIT = 1_900_000  # bytes of one batchUpdate body: Google recommends at most 2 MB


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
    """Everything a recompute writes. `requests` is the one call that changes what a teacher sees,
    applied whole or not at all; a write too big for one request first fills hidden staging tabs
    (`staged`, one call each), which the final call pastes in and deletes."""

    requests: tuple[dict[str, Any], ...]
    tabs: tuple[str, ...]
    problems: tuple[Problem, ...] = field(default=())
    staged: tuple[tuple[dict[str, Any], ...], ...] = field(default=())
    staging_ids: tuple[int, ...] = field(default=())
    write_id: str = ""  # stamped on the mark of every tab the final call writes; "" plain mark
    sheet_ids: tuple[int, ...] = ()  # the tabs written, by sheetId (in `tabs` order)

    def body(self) -> dict[str, Any]:
        return {"requests": list(self.requests)}

    def bodies(self) -> list[dict[str, Any]]:
        """Every batchUpdate body in order; none when nothing changed."""
        if not self.requests and not self.staged:
            return []
        return [*({"requests": list(call)} for call in self.staged), self.body()]

    def cleanup(self) -> dict[str, Any] | None:
        """Deletes the staging tabs, for when a call after the first fails."""
        if not self.staging_ids:
            return None
        return {"requests": [{"deleteSheet": {"sheetId": i}} for i in self.staging_ids]}

    @property
    def cell_count(self) -> int:
        return sum(
            sum(len(r.get("values", [])) for r in req["updateCells"]["rows"])
            for call in (*self.staged, self.requests)
            for req in call
            if "updateCells" in req
        )


@dataclass(frozen=True)
class _TabWrite:
    """One output tab's part of the plan, before it is cut into calls."""

    title: str
    sheet_id: int
    content: TabContent
    height: int
    existing: Tab | None
    grid: dict[str, Any]
    write_id: str = ""


def build_plan(
    snapshot: Snapshot,
    contents: Sequence[TabContent],
    write_id: str = "",
    *,
    request_limit: int = REQUEST_LIMIT,
) -> WritePlan:
    """Requests that make each output tab hold exactly `contents`, creating tabs Hive lacks and
    writing only what differs from what Hive's tabs hold now.

    A title is taken when any tab's title equals it ignoring case (Google's rule); a taken title
    is Hive's to write only when that tab carries Hive's mark. A plan that writes anything stamps
    every tab's mark with `write_id` in its final call, so a write whose answer was lost can be
    recognised; a plan with nothing to change writes nothing at all.
    """
    problems: list[Problem] = []
    used_ids = {tab.sheet_id for tab in snapshot.tabs}
    titles: list[str] = []
    writes: list[_TabWrite] = []
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
        else:
            sheet_id = existing.sheet_id
        writes.append(_TabWrite(title, sheet_id, content, rows, existing, grid, write_id))
        titles.append(title)
        if existing is not None:
            problems += _typed_over(title, content, rows, existing)
    leftovers = [t.sheet_id for t in snapshot.tabs if t.title.startswith(STAGING_PREFIX)]
    # Tabs written whole (new, or not read back) cost about their content (less the formats a
    # repeatCell shares): far over one call, go straight to staging without diffing anything.
    whole = sum(len(orjson.dumps(w.content.rows)) for w in writes
                if w.existing is None or w.existing.cells is None)
    if whole > 2 * request_limit:
        nothing = WritePlan((), tuple(titles), tuple(problems), write_id=write_id,
                            sheet_ids=tuple(w.sheet_id for w in writes))
        known = [_in_place(w, 0) if w.existing is not None and w.existing.cells is not None
                 else None for w in writes]  # tabs read back: their changes may be small
        return _staged(snapshot, writes, leftovers, used_ids, nothing, request_limit, known)
    requests = [{"deleteSheet": {"sheetId": i}} for i in leftovers]
    next_index = len(snapshot.tabs) - len(leftovers)
    per_tab: list[list[dict[str, Any]] | None] = []
    for write in writes:
        per_tab.append(_in_place(write, next_index))
        requests += per_tab[-1] or []
        next_index += write.existing is None
    if requests:
        requests += _stamps(writes)
    plan = WritePlan(tuple(requests), tuple(titles), tuple(problems), write_id=write_id,
                     sheet_ids=tuple(w.sheet_id for w in writes))
    if len(orjson.dumps(plan.body())) <= request_limit:
        return plan
    return _staged(snapshot, writes, leftovers, used_ids, plan, request_limit, per_tab)


def _typed_over(title: str, content: TabContent, height: int, tab: Tab) -> list[Problem]:
    cells = typed_over(content.rows, height, content.width, tab)
    if not cells:
        return []
    r, c = cells[0]
    more = f" and {len(cells) - 1} more" if len(cells) > 1 else ""
    return [Problem(
        cell_ref(title, r + 1, c + 1),
        Reason.HIVE_TAB_EDITED,
        f"someone typed into Hive's tab here{more}; Hive put back what it computed "
        "(edits in Hive's tabs are replaced on every recompute: change the Scores or Overrides "
        "tab instead)",
    )]


def _add_tab(write: _TabWrite, index: int) -> list[dict[str, Any]]:
    return [
        {"addSheet": {"properties": {"sheetId": write.sheet_id, "title": write.title,
                                     "index": index, "gridProperties": write.grid}}},
        {
            "addProtectedRange": {
                "protectedRange": {
                    "range": {"sheetId": write.sheet_id},
                    "description": hive_mark(write.write_id, write.sheet_id),
                    "warningOnly": True,
                }
            }
        },
    ]


def _grid_changes(write: _TabWrite) -> list[dict[str, Any]]:
    tab = write.existing
    if tab is not None and (tab.row_count, tab.column_count, tab.frozen_rows,
                            tab.frozen_columns) == tuple(write.grid.values()):
        return []
    return [{"updateSheetProperties": {
        "properties": {"sheetId": write.sheet_id, "gridProperties": write.grid},
        "fields": "gridProperties(rowCount,columnCount,frozenRowCount,frozenColumnCount)",
    }}]


def _in_place(write: _TabWrite, index: int) -> list[dict[str, Any]]:
    """One tab's requests when the write fits in one call: only what differs."""
    content, tab = write.content, write.existing
    moves, cells = tab_requests(write.sheet_id, content.rows, write.height, content.width,
                                body_from=content.frozen_rows, current=tab)
    head = _add_tab(write, index) if tab is None else moves + _grid_changes(write)
    widths = width_requests(write.sheet_id, content.column_widths,
                            tab.column_widths if tab is not None else ())
    return head + cells + widths


def _staged(
    snapshot: Snapshot,
    writes: list[_TabWrite],
    leftovers: list[int],
    used_ids: set[int],
    in_place: WritePlan,
    limit: int,
    per_tab: Sequence[list[dict[str, Any]] | None] = (),
) -> WritePlan:
    """Too big for one call: each tab's content goes into a hidden staging tab over as many calls
    as it takes; the final call pastes every staging tab over its Hive tab (keeping its sheetId)
    and deletes staging, so the visible tabs change all at once. A tab whose own changes are
    small (`per_tab`, when known) goes straight into the final call; one with none is left be."""
    first: list[dict[str, Any]] = [{"deleteSheet": {"sheetId": i}} for i in leftovers]
    fills: list[dict[str, Any]] = []
    final: list[dict[str, Any]] = []
    staging_ids: list[int] = []
    next_index = len(snapshot.tabs) - len(leftovers)
    room = limit // 2  # of the final call, for tabs written in place
    for i, write in enumerate(writes):
        content = write.content
        own = per_tab[i] if i < len(per_tab) else None
        if own is not None:
            size = len(orjson.dumps(own))
            if size <= room:
                final += own
                room -= size
                next_index += write.existing is None
                continue
        staging = _free_id(used_ids, STAGING_PREFIX + write.title)
        used_ids.add(staging)
        staging_ids.append(staging)
        first.append({"addSheet": {"properties": {
            "sheetId": staging, "title": f"{STAGING_PREFIX}{staging}", "hidden": True,
            "gridProperties": {"rowCount": write.height, "columnCount": content.width}}}})
        _, cells = tab_requests(staging, content.rows, write.height, content.width,
                                body_from=content.frozen_rows)
        for request in cells:
            fills += _split(request, limit // 2)
        if write.existing is None:
            final += _add_tab(write, next_index)
            next_index += 1
        else:
            final += _grid_changes(write)
        span = {"startRowIndex": 0, "endRowIndex": write.height, "startColumnIndex": 0,
                "endColumnIndex": content.width}
        final.append({"copyPaste": {
            "source": {"sheetId": staging, **span},
            "destination": {"sheetId": write.sheet_id, **span},
            "pasteType": "PASTE_NORMAL",
            "pasteOrientation": "NORMAL",
        }})
        final += width_requests(write.sheet_id, content.column_widths,
                                write.existing.column_widths if write.existing else ())
    if final:
        final += _stamps(writes)
    if not staging_ids:  # every tab fitted in place after all
        return dataclasses.replace(in_place, requests=tuple(first + final))
    final += [{"deleteSheet": {"sheetId": i}} for i in staging_ids]
    calls: list[list[dict[str, Any]]] = [first]
    size = len(orjson.dumps({"requests": first}))
    for request in fills:
        n = len(orjson.dumps(request)) + 1
        if size + n > limit:
            calls.append([])
            size = 20
        calls[-1].append(request)
        size += n
    return dataclasses.replace(in_place, requests=tuple(final),
                               staged=tuple(tuple(c) for c in calls),
                               staging_ids=tuple(staging_ids))


def _planned(title: str, planned: Sequence[str]) -> bool:
    return any(same_title(title, other) for other in planned)


def _stamps(writes: Sequence[_TabWrite]) -> list[dict[str, Any]]:
    """Each existing Hive tab's mark stamped with this write's id (in the final call, so the
    stamp lands exactly when the write does). New tabs get a stamped mark when they are added."""
    out: list[dict[str, Any]] = []
    for w in writes:
        if w.existing is not None and w.write_id:
            out += _restamp(w.sheet_id, w.existing.mark_ids, hive_mark(w.write_id, w.sheet_id))
    return out


def _restamp(sheet_id: int, mark_ids: Sequence[int], mark: str) -> list[dict[str, Any]]:
    """Stamp a Hive tab's mark: its description changes, its id stays, any second mark goes."""
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


def _split(request: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """An updateCells cut into row slices of at most `limit` bytes (a slice is at least a row)."""
    update = request.get("updateCells")
    if update is None or len(update["rows"]) < 2 or len(orjson.dumps(request)) <= limit:
        return [request]
    pieces: list[dict[str, Any]] = []
    start = update["start"]["rowIndex"]
    batch: list[dict[str, Any]] = []
    size = 0
    for row in update["rows"]:
        n = len(orjson.dumps(row)) + 1
        if batch and size + n > limit:
            pieces.append(_slice(update, start, batch))
            start += len(batch)
            batch, size = [], 0
        batch.append(row)
        size += n
    pieces.append(_slice(update, start, batch))
    return pieces


def _slice(update: dict[str, Any], start: int, rows: list[dict[str, Any]]) -> dict[str, Any]:
    at = {**update["start"], "rowIndex": start}
    return {"updateCells": {"start": at, "rows": rows, "fields": update["fields"]}}


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
