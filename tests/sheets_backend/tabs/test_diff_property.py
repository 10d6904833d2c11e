"""Incremental recomputes end where a full rewrite does: after any sequence of a teacher's edits,
each followed by a recompute that writes only what changed (in one call, or staged over several
when requests are kept small), Hive's tabs are identical (values, notes, formats, widths, frozen
rows, protections) to a single recompute on a fresh copy, and hold what rendering gives."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from workbooks import BASE_TABS

from sheets_backend.gradebook.policies import default_policies, policy_tab_rows
from sheets_backend.gradebook.template import read_gradebook
from sheets_backend.recompute import evaluate_book, recompute, render_tabs
from sheets_backend.sheets.local import LocalSheets
from sheets_backend.tabs.diff import EMPTY, cell_key
from sheets_backend.tabs.plan import build_plan

from .test_diff import HIVE_TABS, _hive, _teacher_rows, gateway, state

SCORES = st.sampled_from([1, 2, 3, 4, "MI", "EX", None])
EDITS = st.one_of(
    st.tuples(st.just("score"), st.integers(0, 9), st.integers(0, 9), SCORES),
    st.tuples(st.just("add_student"), SCORES, SCORES),
    st.tuples(st.just("remove_student"), st.integers(0, 9)),
    st.tuples(st.just("add_column"), st.sampled_from(["M1", "M2", "L1"]), SCORES),
    st.tuples(st.just("rename_outcome"), st.integers(0, 2), st.text("abc xyz", min_size=1,
                                                                     max_size=12)),
    st.tuples(st.just("teacher_edit"), st.sampled_from(HIVE_TABS), st.integers(0, 5),
              st.integers(0, 4)),
    st.tuples(st.just("delete_tab"), st.sampled_from(HIVE_TABS)),
    st.tuples(st.just("add_outcome"), st.sampled_from(["X1", "X2"])),
    st.tuples(st.just("policy"), st.sampled_from([
        ("Demonstrations needed (n)", "2"),
        ("Bands", "Mastered #b7e1cd; On track #fff566; Not Yet #f4c7c3"),
        ("Distinct dates", "no"),
    ])),
)


def apply_edit(service: LocalSheets, sid: str, edit: tuple) -> None:
    book = gateway(service, sid).client.open_by_key(sid)
    kind = edit[0]
    roster, scores = book.worksheet("Roster"), book.worksheet("Scores")
    students = len(roster.get_all_values()) - 1
    if kind == "score" and students:
        grid = scores.get_all_values()
        row, col = 5 + edit[1] % students, 3 + edit[2] % (max(len(r) for r in grid) - 2)
        scores.update_cell(row, col, "" if edit[3] is None else edit[3])
    elif kind == "add_student":
        n = f"N{students + 1}x"
        roster.append_row([n, f"New {n}", "802", ""], table_range="A1")
        scores.append_row([n, f"New {n}", edit[1] or "", edit[2] or ""], table_range="A1")
    elif kind == "remove_student" and students > 1:
        i = edit[1] % students
        sid_text = roster.cell(i + 2, 1).value
        roster.delete_rows(i + 2)
        column = scores.col_values(1)
        if sid_text in column:
            scores.delete_rows(column.index(sid_text) + 1)
    elif kind == "add_column":
        col = max(len(r) for r in scores.get_all_values()) + 1
        if col > scores.col_count:
            scores.add_cols(col - scores.col_count)
        values = [["Extra"], [edit[1]], ["2026-10-20"], ["summative"]]
        values += [["" if edit[2] is None else edit[2]] for _ in range(students)]
        scores.update(values, f"{chr(64 + col)}1", raw=False)
    elif kind == "rename_outcome":
        book.worksheet("Outcomes").update_cell(edit[1] + 2, 2, f"I can {edit[2]}.")
    elif kind == "teacher_edit":
        tab = book.worksheet(edit[1])
        tab.update_cell(1 + edit[2] % tab.row_count, 1 + edit[3] % tab.col_count, "typed")
    elif kind == "delete_tab":
        book.del_worksheet(book.worksheet(edit[1]))
    elif kind == "add_outcome":
        outcomes = book.worksheet("Outcomes")
        if edit[1] not in outcomes.col_values(1):
            outcomes.append_row([edit[1], f"I can do {edit[1]}.", "Math"], table_range="A1")
    elif kind == "policy":
        setting, value = edit[1]
        rows = [list(r) for r in policy_tab_rows(default_policies())]
        for row in rows:
            if row[0] == setting:
                row[1] = value
        titles = [w.title for w in book.worksheets()]
        policy = book.worksheet("Policy") if "Policy" in titles else book.add_worksheet(
            "Policy", rows=len(rows), cols=2)
        policy.update(rows, "A1", raw=True)


def write(service: LocalSheets, sid: str, limit: int) -> None:
    """A recompute whose requests are at most `limit` bytes (small: staged writes)."""
    g = gateway(service, sid)
    snapshot = g.read_snapshot()
    book, evaluation = evaluate_book(read_gradebook(snapshot))
    g.apply(build_plan(snapshot, render_tabs(book, evaluation), request_limit=limit))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EDITS, min_size=1, max_size=6), st.sampled_from([1_900_000, 5_000]))
def test_incremental_recomputes_equal_a_full_rewrite_on_a_fresh_copy(edits, limit):
    service = LocalSheets()
    sid = service.create_workbook_from_rows(copy.deepcopy(BASE_TABS), autosave=False)
    write(service, sid, limit)
    for edit in edits:
        apply_edit(service, sid, edit)
        write(service, sid, limit)
    fresh = LocalSheets()
    # Same id, so the same title (the course line of every block names it).
    other = fresh.create_workbook_from_rows(_teacher_rows(service, sid), spreadsheet_id=sid,
                                            autosave=False)
    recompute(gateway(fresh, other))
    assert _hive(state(service, sid)) == _hive(state(fresh, other))
    assert_holds_what_hive_renders(service, sid)


def assert_holds_what_hive_renders(service: LocalSheets, sid: str) -> None:
    """Each Hive tab, cell by cell, is what rendering the sheet gives: an oracle that does not
    go through the write plan."""
    snapshot = gateway(service, sid).read_snapshot()
    book, evaluation = evaluate_book(read_gradebook(snapshot))
    tabs = state(service, sid)
    for content in render_tabs(book, evaluation):
        tab = tabs[content.title]
        rows = [r.get("values", []) for r in tab["data"][0].get("rowData", [])]
        grid = tab["properties"]["gridProperties"]
        assert grid["rowCount"] == max(len(content.rows), content.frozen_rows + 1, 1)
        assert grid["columnCount"] == content.width
        assert grid.get("frozenRowCount", 0) == content.frozen_rows
        for r in range(grid["rowCount"]):
            for c in range(content.width):
                want = content.rows[r][c] if r < len(content.rows) and c < len(
                    content.rows[r]) else {}
                have = rows[r][c] if r < len(rows) and c < len(rows[r]) else {}
                assert cell_key(have) == cell_key(want), (content.title, r, c)
        widths = [m["pixelSize"] for m in tab["data"][0]["columnMetadata"]]
        assert widths[: len(content.column_widths)] == list(content.column_widths)
    assert EMPTY == cell_key({})
