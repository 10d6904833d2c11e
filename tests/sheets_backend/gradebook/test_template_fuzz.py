"""A template that survives real use: real workbooks mutated the way teachers change them.

Each workbook gets one to three mutations (columns inserted or reordered, extra header spaces,
tabs renamed with the same headers, an outcome renamed or deleted, hundreds of empty rows, merged
header cells, a bad cell or date). For every one: no traceback, every problem names a cell, the
write plan touches no teacher tab, and students the mutations did not touch keep their results.
`HIVE_FUZZ_RUNS=1000` is the nightly size; `make test` runs a fast subset.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from workbooks import BASE_TABS, Rows, read_tab, recompute_workbook, snapshot_of, write_workbook

import policy_engine
from sheets_backend.gradebook.template import read_gradebook
from sheets_backend.problems import Reason
from sheets_backend.recompute import evaluate_book
from sheets_backend.tabs.plan import build_plan

RUNS = int(os.environ.get("HIVE_FUZZ_RUNS", "40"))
FULL_RECOMPUTES = max(3, RUNS // 50)
CELL = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*|'(?:[^']|'')+')!\$?[A-Z]{1,3}\$?[0-9]+$")
STUDENTS = ("S1", "S2", "S3", "S4")


@dataclass
class Touched:
    """What the mutations may legitimately change: these students' and outcomes' results."""

    students: set[str] = field(default_factory=set)
    outcomes: set[str] = field(default_factory=set)
    renamed: set[str] = field(default_factory=set)  # template tabs now under another title


Mutation = Callable[[dict[str, Rows], random.Random, Touched], None]


def _insert_column(tabs, rng, touched):
    title = rng.choice([t for t in ("Roster", "Outcomes", "Scores") if t in tabs])
    at = rng.randrange(0, len(tabs[title][0]) + 1)
    for row in tabs[title]:
        row.insert(min(at, len(row)), None)


def _reorder_scores_columns(tabs, rng, touched):
    # Assessment columns in another order; every date differs, so no tie depends on the order.
    scores = tabs["Scores"]
    width = len(scores[0])
    keep = [c for c in range(width) if scores[0][c] in ("Student ID", "Student Name")]
    rest = [c for c in range(width) if c not in keep]
    rng.shuffle(rest)
    order = keep + rest
    rng.shuffle(order)
    tabs["Scores"] = [[row[c] if c < len(row) else None for c in order] for row in scores]


def _move_roster_columns(tabs, rng, touched):
    order = list(range(len(tabs["Roster"][0])))
    rng.shuffle(order)
    tabs["Roster"] = [[row[c] if c < len(row) else None for c in order] for row in tabs["Roster"]]


def _header_spaces(tabs, rng, touched):
    for title in ("Roster", "Outcomes", "Scores"):
        tabs[title][0] = [f"  {v}  ".replace(" ", "  ") if isinstance(v, str) else v
                          for v in tabs[title][0]]


def _rename_tab(tabs, rng, touched):
    old, new = rng.choice([("Scores", "Gradebook T1"), ("Roster", "Class list"),
                           ("Outcomes", "Learning targets")])
    tabs[new] = tabs.pop(old)
    touched.renamed.add(old)


def _rename_outcome_text(tabs, rng, touched):
    col = [str(v).split() for v in tabs["Outcomes"][0]].index(["Outcome"])  # wherever it moved
    row = rng.choice(tabs["Outcomes"][1:])
    row[col] = f"{row[col]} (reworded)"


def _delete_outcome(tabs, rng, touched):
    row = rng.choice(tabs["Outcomes"][1:])
    tabs["Outcomes"].remove(row)
    touched.outcomes.add(row[0])


def _trailing_rows(tabs, rng, touched):
    for title in ("Roster", "Scores", "Outcomes"):
        tabs[title] += [[None, ""] for _ in range(rng.randrange(100, 600))]


def _merged_header(tabs, rng, touched):
    # A second outcome under "Project": the merged header's value sits in its top-left cell only.
    scores = tabs["Scores"]
    col = next(c for c, v in enumerate(scores[0]) if str(v).strip() == "Project")
    values = [None, "M2", None, None, *[rng.choice([None, 2, 3, 4]) for _ in scores[4:]]]
    for row, value in zip(scores, values, strict=True):
        row.insert(col + 1, value)
    touched.students.update(STUDENTS)  # everyone may now have M2 evidence on Oct 5
    touched.outcomes.add("M2")


def _bad_cell(tabs, rng, touched):
    row = rng.randrange(4, len(BASE_TABS["Scores"]))
    col = rng.randrange(2, len(BASE_TABS["Scores"][0]))
    tabs["Scores"][row][col] = rng.choice(["3+", "x", 9, "-1", "3 Q", "  "])
    touched.students.add(tabs["Scores"][row][0])


def _bad_date(tabs, rng, touched):
    col = rng.randrange(2, len(BASE_TABS["Scores"][0]))
    tabs["Scores"][2][col] = rng.choice(["Sept 31", "someday", "", 0])
    touched.students.update(STUDENTS)


def _overrides(tabs, rng, touched):
    sid, oid = rng.choice(STUDENTS), rng.choice(["M1", "M2", "L1", "Z9"])
    tabs["Overrides"] = [["Student ID", "Outcome ID", "Status", "Reason", "Date"],
                         [sid, oid, rng.choice(["Mastered", "Masterd", 3, 9]),
                          rng.choice(["Conference", ""]), rng.choice([datetime(2026, 10, 9),
                                                                     "Sept 31"])]]
    touched.students.add(sid)


MUTATIONS: tuple[Mutation, ...] = (
    _insert_column, _reorder_scores_columns, _move_roster_columns, _header_spaces, _rename_tab,
    _rename_outcome_text, _delete_outcome, _trailing_rows, _merged_header, _bad_cell, _bad_date,
    _overrides,
)


def mutated(seed: int) -> tuple[dict[str, Rows], Touched, list[str]]:
    rng = random.Random(seed)
    tabs = copy.deepcopy(BASE_TABS)
    touched = Touched()
    chosen = rng.sample(MUTATIONS, rng.randint(1, 3))
    # Edits that address cells of the base layout first, renamed tabs last.
    def stage(m: Mutation) -> int:
        return 0 if m in (_bad_cell, _bad_date) else 2 if m is _rename_tab else 1

    for mutation in sorted(chosen, key=stage):
        mutation(tabs, rng, touched)
    return tabs, touched, [m.__name__ for m in chosen]


def results(tabs):
    snapshot = snapshot_of(tabs)
    book, evaluation = evaluate_book(read_gradebook(snapshot))
    table = evaluation.outcomes.set_index(["student_id", "outcome_id"])
    return book, evaluation, snapshot, table[["status", "label", "level"]]


BASELINE = results(copy.deepcopy(BASE_TABS))[3]


def test_the_base_workbook_is_clean():
    assert read_gradebook(snapshot_of(copy.deepcopy(BASE_TABS))).problems == ()


@pytest.mark.parametrize("seed", range(RUNS))
def test_a_mutated_workbook_is_read_reported_and_planned_safely(seed):
    tabs, touched, names = mutated(seed)
    book, evaluation, snapshot, table = results(tabs)
    for problem in book.problems:
        assert CELL.match(problem.cell), (names, problem)
        assert not problem.fatal, (names, problem)
    reasons = {p.reason for p in book.problems}
    if touched.renamed:
        assert Reason.TAB_RENAMED in reasons, names
    from sheets_backend.tabs.groups import groups_tab
    from sheets_backend.tabs.mastery import mastery_tab
    from sheets_backend.tabs.summary import summary_tab

    plan = build_plan(snapshot, [
        mastery_tab(book, evaluation.outcomes, evaluation.students),
        summary_tab(book, evaluation.outcomes, evaluation.students),
        groups_tab(book, evaluation),
    ])
    teacher_ids = {tab.sheet_id for tab in snapshot.tabs}
    for request in plan.requests:
        for kind in ("updateCells", "updateSheetProperties", "updateDimensionProperties"):
            if kind in request:
                body = request[kind]
                sheet = (body.get("range") or body.get("properties") or {}).get("sheetId")
                assert sheet not in teacher_ids, (names, kind)
    for (sid, oid), before in BASELINE.iterrows():
        if sid in touched.students or oid in touched.outcomes:
            continue
        after = table.loc[(sid, oid)]
        assert after["label"].replace(" ✎", "") == before["label"], (names, sid, oid)
        assert after["status"] == before["status"] or (sid, oid) in _overridden(book), names
    assert isinstance(evaluation, policy_engine.Evaluation)


def _overridden(book):
    return set(zip(book.overrides["student_id"], book.overrides["outcome_id"], strict=True))


@pytest.mark.parametrize("seed", range(FULL_RECOMPUTES))
def test_a_full_recompute_of_a_mutated_workbook_writes_no_teacher_tab(tmp_path, seed):
    tabs, _, names = mutated(10_000 + seed)
    path = write_workbook(tmp_path / "fuzz.xlsx", tabs)
    before = {title: _trimmed(read_tab(path, title)) for title in tabs}
    summary = recompute_workbook(path)
    assert summary.written, names
    assert all(CELL.match(w.cell) for w in summary.warnings), names
    assert {title: _trimmed(read_tab(path, title)) for title in tabs} == before, names


def _trimmed(rows: Rows) -> Rows:
    """A tab's values without trailing empty rows (saving a workbook drops those, nothing else)."""
    while rows and all(v is None for v in rows[-1]):
        rows = rows[:-1]
    return rows


# === Issue 16 (input): dates out of range and with zones, tab-name case collisions, ownership ===
# swaps. Kinds of their own, added to MUTATIONS, plus the invariants they need: the plan never
# sends a title that collides (in any case) with a tab, and never writes into a teacher's tab,
# whoever took whose name. (Save-related kinds and the save invariants live in their own section.)

_TAKEN_NAMES = ("mastery", "MASTERY", "Student summary", "GROUPS", "Mastery (hive)")


def _scores_title(tabs) -> str:
    return next(t for t in ("Scores", "Gradebook T1") if t in tabs)


def _dated_column(tabs, rng) -> int | None:
    row = tabs[_scores_title(tabs)][2]
    dated = [c for c, v in enumerate(row) if isinstance(v, datetime)]
    return rng.choice(dated) if dated else None


def _date_out_of_range(tabs, rng, touched):
    value = rng.choice(["1500-01-01", "2300-05-01", "9999-12-31", "1677-09-20", 150_000,
                        2_958_465, 3_000_000, float("inf")])
    col = _dated_column(tabs, rng)
    if col is not None:
        tabs[_scores_title(tabs)][2][col] = value
    tabs["Evidence"] = [["Student ID", "Outcome ID", "Date", "Score"], ["S1", "M1", value, 3],
                        ["S2", "L1", rng.choice([value, datetime(2026, 9, 30)]), 2]]
    if rng.random() < 0.5:
        tabs["Overrides"] = [["Student ID", "Outcome ID", "Status", "Reason", "Date"],
                             ["S3", "M2", "Mastered", "portfolio", value]]
    touched.students.update(STUDENTS)


def _date_with_zone(tabs, rng, touched):
    value = rng.choice(["2026-10-03T10:00:00Z", "2026-10-03T23:30:00-05:00",
                        "2026-10-03 10:00 EST", "2026-10-03T10:00:00+14:00"])
    col = _dated_column(tabs, rng)
    if col is not None:
        tabs[_scores_title(tabs)][2][col] = value
    tabs["Evidence"] = [["Student ID", "Outcome ID", "Date", "Score"], ["S4", "M1", value, 4]]
    touched.students.update(STUDENTS)


def _date_without_year(tabs, rng, touched):
    col = _dated_column(tabs, rng)
    if col is not None:
        tabs[_scores_title(tabs)][2][col] = rng.choice(["Sept 9", "10/6", "Feb 29", "Oct 3"])
    touched.students.update(STUDENTS)


def _tab_name_case_collision(tabs, rng, touched):
    for name in rng.sample(_TAKEN_NAMES, rng.randint(1, 3)):
        tabs[name] = [["My notes"], [rng.choice(["keep", 3, "=1+1"])]]


INPUT_MUTATIONS: tuple[Mutation, ...] = (
    _date_out_of_range, _date_with_zone, _date_without_year, _tab_name_case_collision,
)
MUTATIONS = (*MUTATIONS, *INPUT_MUTATIONS)


def _swapped(snapshot, rng: random.Random):
    """Hive's three tabs as a teacher may have left them: kept, deleted, or renamed, and their
    names (in any case) taken by tabs of her own."""
    from sheets_backend.recompute import OUTPUT_TABS
    from sheets_backend.sheets.snapshot import Snapshot, Tab

    tabs = list(snapshot.tabs)
    taken = {t.title.casefold() for t in tabs}
    for i, name in enumerate(OUTPUT_TABS):
        fate = rng.choice(["kept", "deleted", "renamed", "kept"])
        title = {"kept": name, "renamed": f"Old {name}"}.get(fate)
        if title is not None and title.casefold() not in taken:
            tabs.append(Tab(title, 900 + i, len(tabs), 10, 5, hive_owned=True,
                            mark_ids=(50 + i,)))
            taken.add(title.casefold())
        if fate != "kept" and rng.random() < 0.7:
            hers = rng.choice([name, name.lower(), name.upper()])
            if hers.casefold() not in taken:
                tabs.append(Tab(hers, 800 + i, len(tabs), 10, 5, rows=[["hers"]]))
                taken.add(hers.casefold())
    return Snapshot(snapshot.spreadsheet_id, snapshot.title, tuple(tabs))


@pytest.mark.parametrize("seed", range(RUNS))
def test_a_mutated_plan_never_sends_a_taken_name_or_writes_a_teachers_tab(seed):
    from sheets_backend.recompute import render_tabs
    from sheets_backend.sheets.local.discovery import check

    tabs, _, names = mutated(seed)
    snapshot = _swapped(snapshot_of(tabs), random.Random(seed))
    book, evaluation = evaluate_book(read_gradebook(snapshot))
    plan = build_plan(snapshot, render_tabs(book, evaluation), write_id=f"{seed:x}")
    teacher = {t.sheet_id for t in snapshot.tabs if not t.hive_owned}
    marks = {pid for t in snapshot.tabs if t.hive_owned for pid in t.mark_ids}
    titles = [t.title.casefold() for t in snapshot.tabs]
    for request in plan.requests:
        (kind, body), = request.items()
        if kind == "addSheet":
            title = body["properties"]["title"]
            assert title.casefold() not in titles, (names, title)
            titles.append(title.casefold())
        elif kind == "deleteProtectedRange":
            assert body["protectedRangeId"] in marks, names
        else:
            where = body.get("range") or body.get("properties") or body.get("protectedRange", {})
            sheet = where.get("sheetId", where.get("range", {}).get("sheetId"))
            assert sheet not in teacher, (names, kind)
    assert len(set(plan.sheet_ids)) == 3 and not teacher & set(plan.sheet_ids), names
    for problem in plan.problems:
        assert problem.reason is Reason.TAB_NAME_TAKEN, names
        title = problem.cell.rsplit("!", 1)[0].strip("'").replace("''", "'")
        assert any(t.title == title and not t.hive_owned for t in snapshot.tabs), (names, title)
    check(plan.body(), "BatchUpdateSpreadsheetRequest")


@pytest.mark.parametrize("seed", range(FULL_RECOMPUTES))
def test_a_teacher_taking_hives_tab_names_through_real_recomputes_keeps_her_tabs(tmp_path, seed):
    import gspread

    from sheets_backend.recompute import OUTPUT_TABS, recompute
    from sheets_backend.sheets.gateway import SheetsGateway, local_client
    from sheets_backend.sheets.local import LocalSheets

    rng = random.Random(20_000 + seed)
    tabs, _, names = mutated(20_000 + seed)
    service = LocalSheets()
    sid = service.open_workbook(write_workbook(tmp_path / "swap.xlsx", tabs), autosave=False)
    book = gspread.Client(auth=None, session=service.session()).open_by_key(sid)  # type: ignore[arg-type]

    def run():
        gateway = SheetsGateway(local_client(service, base_delay=0.0, budget=1.0), sid)
        return recompute(gateway)

    assert run().written, names
    hers: dict[str, list[list[str]]] = {}
    for name in rng.sample(OUTPUT_TABS, rng.randint(1, 3)):
        if rng.random() < 0.5:
            book.del_worksheet(book.worksheet(name))
        else:
            book.worksheet(name).update_title(f"Old {name}")
        title = rng.choice([name, name.lower(), name.upper()])
        book.add_worksheet(title, rows=5, cols=3).update([["hers", name]], "A1")
        hers[title] = [["hers", name]]
    first = run()
    assert first.written and {w.cell for w in first.warnings if w.reason == "tab_name_taken"} \
        >= {f"'{t}'!A1" if " " in t else f"{t}!A1" for t in hers}, (names, first.warnings)
    after_first = [ws.title for ws in book.worksheets()]
    second = run()
    assert second.tabs == first.tabs and [ws.title for ws in book.worksheets()] == after_first
    for title, rows in hers.items():
        assert book.worksheet(title).get_all_values() == rows, (names, title)
# === end of issue 16 (input) section ===
# ==== Issue 16, saves: what an .xlsx written as Excel writes it must keep ===========================
# Mutations only a file written part by part can carry (openpyxl cannot write cached formula
# values, text "#N/A" or infinity), and the invariant checker: after a recompute and save, and
# after a second one, every teacher tab reads back identical cell by cell (value, type, formula,
# cached value, style, visibility), the second recompute is identical to the first, and the only
# tabs added are Hive's three (and its hidden `_hive_meta`).

from xlsx_craft import X, cells_of, craft_xlsx  # noqa: E402

SAVE_RUNS = RUNS if RUNS >= 1000 else max(8, RUNS // 5)
HIVE_TABS = {"Mastery", "Student Summary", "Groups", "_hive_meta"}
_EPOCH = datetime(1899, 12, 30)


def _score_cells(tabs):
    scores = tabs["Scores"]
    return [(r, c) for r in range(4, len(scores)) for c in range(2, len(scores[r]))
            if isinstance(scores[r][c], int) and not isinstance(scores[r][c], bool)]


def _formula_scores_with_cached_values(tabs, rng, states):
    for r, c in rng.sample(_score_cells(tabs), 2):
        score = tabs["Scores"][r][c]
        formula = rng.choice([f"VLOOKUP({score},Keys!A:A,1,FALSE)", f"MAX({score},0)",
                              f"INDEX(Keys!A:A,{score})"])
        tabs["Scores"][r][c] = X(score, formula=formula, style=rng.choice(["", "bold"]))
    tabs.setdefault("Keys", [[n] for n in range(1, 5)])


def _date_formatted_scores(tabs, rng, states):
    for r, c in rng.sample(_score_cells(tabs), 2):
        tabs["Scores"][r][c] = X(tabs["Scores"][r][c], style="date")


def _very_hidden_tab(tabs, rng, states):
    title = rng.choice(["Private notes", "IEP", "old"])
    tabs[title] = [["Student ID", "Note"], ["S1", "extra time"], ["S3", X(2, formula="1+1")]]
    states[title] = rng.choice(["veryHidden", "hidden"])


def _na_text_and_errors(tabs, rng, states):
    tabs["Behavior"][1][2] = "#N/A"  # typed text, not an error
    tabs["Behavior"][2][3] = X("#N/A", error=True)
    tabs["Behavior"].append([X(46330, style="date"), "S4", "#DIV/0!", X("#REF!", error=True)])


def _huge_and_infinite_numbers(tabs, rng, states):
    tabs["Calc"] = [["huge", 1e308, -1e308, 2**62], ["infinite", float("inf"), float("-inf"),
                    X(float("inf"), formula="1E+308*10")], ["tiny", 5e-324, -0.0, 1e-300]]


SAVE_MUTATIONS = [_formula_scores_with_cached_values, _date_formatted_scores, _very_hidden_tab,
                  _na_text_and_errors, _huge_and_infinite_numbers]


def _as_cells(tabs):
    """Dates as Excel stores them: a serial in a date-formatted cell."""
    return {t: [[X((v - _EPOCH).days, style="date") if isinstance(v, datetime) else v
                 for v in row] for row in rows] for t, rows in tabs.items()}


def save_mutated(seed):
    rng = random.Random(seed)
    tabs = copy.deepcopy(BASE_TABS)
    states: dict[str, str] = {}
    chosen = rng.sample(SAVE_MUTATIONS, rng.randint(1, 3))
    for mutation in chosen:
        mutation(tabs, rng, states)
    return _as_cells(tabs), states, [m.__name__ for m in chosen]


_WRITE_ID = re.compile(r"\[write [^;\]]+;")


def _without_write_ids(cells):
    """`cells_of` with the write id in Hive's marks (kept in `_hive_meta`) blanked."""
    state, grid = cells["_hive_meta"]
    plain = {at: dataclasses.replace(seen, value=_WRITE_ID.sub("[write *;", seen.value),
                                     cached=_WRITE_ID.sub("[write *;", str(seen.cached)))
             if isinstance(seen.value, str) else seen for at, seen in grid.items()}
    return {**cells, "_hive_meta": (state, plain)}


def check_saves_keep_teacher_tabs(path):
    """The invariants; returns what the two recomputes said (for the caller's own checks)."""
    before = cells_of(path)
    first = recompute_workbook(path)
    after_first = cells_of(path)
    second = recompute_workbook(path)
    after_second = cells_of(path)
    for after in (after_first, after_second):
        assert {t: after[t] for t in before if t in after} == before
        assert set(after) - set(before) == HIVE_TABS - set(before)
    # Each write stamps Hive's marks with its own write id (safe retries): all else is the same.
    assert _without_write_ids(after_second) == _without_write_ids(after_first)
    # What each recompute computed and said; not its calls (the second writes only what differs).
    timeless = [{k: v for k, v in s.to_dict().items() if k not in ("duration_ms", "api_calls")}
                for s in (first, second)]
    assert timeless[0] == timeless[1]
    return first, second


@pytest.mark.parametrize("seed", range(SAVE_RUNS))
def test_saves_keep_every_teacher_tab_cell_by_cell(tmp_path, seed):
    tabs, states, names = save_mutated(20_000 + seed)
    path = craft_xlsx(tmp_path / "fuzz.xlsx", tabs, states)
    try:
        first, _ = check_saves_keep_teacher_tabs(path)
    except AssertionError as error:
        raise AssertionError(f"{names}: {error}") from error
    assert first.written, names
    assert all(CELL.match(w.cell) for w in first.warnings), names


def test_the_save_checker_catches_a_save_that_changes_a_teacher_tab(tmp_path, monkeypatch):
    """The checker can fail: with every teacher tab rewritten instead of copied (as saves did
    before issue 16), it sees the difference (here: cells of empty text come back blank)."""
    from sheets_backend.sheets.local import xlsx_package

    path = craft_xlsx(tmp_path / "fuzz.xlsx", _as_cells(copy.deepcopy(BASE_TABS)))
    check_saves_keep_teacher_tabs(path)  # as saved: copied, identical
    path = craft_xlsx(tmp_path / "fuzz.xlsx", _as_cells(copy.deepcopy(BASE_TABS)))
    monkeypatch.setattr(xlsx_package, "unchanged", lambda sheet, src: False)
    with pytest.raises(AssertionError, match="Roster"):
        check_saves_keep_teacher_tabs(path)
