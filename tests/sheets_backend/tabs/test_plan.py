"""The write plan: one batchUpdate that Google's own discovery document accepts, touching only
Hive's tabs, with every teacher or student string written as text."""

from __future__ import annotations

import pytest
from workbooks import EVIL_NAME, snapshot_of

from sheets_backend.gradebook.template import read_gradebook
from sheets_backend.recompute import evaluate_book, render_tabs
from sheets_backend.sheets.local.discovery import check
from sheets_backend.sheets.local.errors import ApiError
from sheets_backend.sheets.snapshot import HIVE_MARK, Snapshot, Tab
from sheets_backend.tabs.plan import build_plan


def plan_for(snapshot: Snapshot):
    book, evaluation = evaluate_book(read_gradebook(snapshot))
    return build_plan(snapshot, render_tabs(book, evaluation))


def kinds(plan) -> list[str]:
    return [next(iter(request)) for request in plan.requests]


def cells(plan):
    for request in plan.requests:
        for row in request.get("updateCells", {}).get("rows", []):
            yield from row.get("values", [])


def test_plan_body_is_valid_against_the_sheets_v4_discovery_document(base_tabs):
    plan = plan_for(snapshot_of(base_tabs))
    check(plan.body(), "BatchUpdateSpreadsheetRequest")  # raises ApiError on any unknown field


def test_the_discovery_check_catches_a_misspelt_field(base_tabs):
    body = plan_for(snapshot_of(base_tabs)).body()
    update = next(r["updateCells"] for r in body["requests"] if "updateCells" in r)
    update["feilds"] = "*"
    with pytest.raises(ApiError):
        check(body, "BatchUpdateSpreadsheetRequest")


def test_new_output_tabs_are_added_and_marked_as_hives(base_tabs):
    plan = plan_for(snapshot_of(base_tabs))
    assert plan.tabs == ("Mastery", "Student Summary", "Groups")
    assert kinds(plan)[:3] == ["addSheet", "addProtectedRange", "updateCells"]
    protection = plan.requests[1]["addProtectedRange"]["protectedRange"]
    assert protection["description"] == HIVE_MARK and protection["warningOnly"] is True


def test_existing_hive_tabs_are_resized_and_rewritten_not_added(base_tabs):
    snapshot = snapshot_of(base_tabs)
    owned = Tab(title="Mastery", sheet_id=42, index=9, row_count=3, column_count=3, hive_owned=True)
    snapshot = Snapshot(snapshot.spreadsheet_id, snapshot.title, (*snapshot.tabs, owned))
    plan = plan_for(snapshot)
    first = plan.requests[0]["updateSheetProperties"]
    assert first["properties"]["sheetId"] == 42
    assert first["properties"]["gridProperties"]["rowCount"] == 5  # header + 4 students
    assert "addSheet" not in kinds(plan)[:1]
    # Cells not read back (unknown) are all written, values, notes and formats.
    updates = [r["updateCells"] for r in plan.requests
               if "updateCells" in r and r["updateCells"]["start"]["sheetId"] == 42]
    fields = {f for u in updates for f in u["fields"].split(",")}
    assert fields == {"userEnteredValue", "note", "userEnteredFormat"}
    covered = {(u["start"]["rowIndex"] + i, u["start"]["columnIndex"] + j)
               for u in updates if "userEnteredValue" in u["fields"]
               for i, row in enumerate(u["rows"]) for j, _ in enumerate(row["values"])}
    width = first["properties"]["gridProperties"]["columnCount"]
    assert covered == {(r, c) for r in range(5) for c in range(width)}


def test_teacher_and_student_text_is_never_a_formula(base_tabs):
    plan = plan_for(snapshot_of(base_tabs))
    values = [c["userEnteredValue"] for c in cells(plan) if "userEnteredValue" in c]
    assert {"stringValue": EVIL_NAME} in values
    formulas = [v["formulaValue"] for v in values if "formulaValue" in v]
    assert formulas and all(f.startswith("=SPARKLINE({") for f in formulas)


def test_a_plan_is_identical_for_the_same_sheet(base_tabs):
    assert plan_for(snapshot_of(base_tabs)).body() == plan_for(snapshot_of(base_tabs)).body()


def _with(snapshot: Snapshot, *tabs: Tab) -> Snapshot:
    return Snapshot(snapshot.spreadsheet_id, snapshot.title, (*snapshot.tabs, *tabs))


def added_titles(plan) -> list[str]:
    return [r["addSheet"]["properties"]["title"] for r in plan.requests if "addSheet" in r]


@pytest.mark.parametrize("title", ["mastery", "MASTERY", "Mastery", "mAsTeRy"])
def test_a_teachers_tab_named_like_mastery_in_any_case_is_never_sent_again(base_tabs, title):
    hers = Tab(title=title, sheet_id=77, index=9, row_count=5, column_count=5)
    plan = plan_for(_with(snapshot_of(base_tabs), hers))
    assert added_titles(plan) == ["Mastery (Hive)", "Student Summary", "Groups"]
    assert all(r.get("updateCells", {}).get("range", {}).get("sheetId") != 77 for r in plan.requests)
    assert [(p.cell, p.reason) for p in plan.problems] == [(f"{title}!A1", "tab_name_taken")]


def test_the_fallback_name_is_checked_in_any_case_too(base_tabs):
    mine = [Tab(title=t, sheet_id=70 + i, index=9 + i, row_count=5, column_count=5)
            for i, t in enumerate(["mastery", "MASTERY (HIVE)"])]
    plan = plan_for(_with(snapshot_of(base_tabs), *mine))
    assert added_titles(plan)[0] == "Mastery (Hive 2)"
    assert len(plan.problems) == 2


def test_a_write_id_stamps_new_tabs_and_restamps_hives_tabs(base_tabs):
    owned = Tab(title="Mastery", sheet_id=42, index=9, row_count=3, column_count=3,
                hive_owned=True, mark_ids=(5, 6))
    book, evaluation = evaluate_book(read_gradebook(snapshot_of(base_tabs)))
    plan = build_plan(_with(snapshot_of(base_tabs), owned), render_tabs(book, evaluation),
                      write_id="c0ffee")
    assert plan.write_id == "c0ffee" and plan.sheet_ids[0] == 42
    deleted = [r["deleteProtectedRange"]["protectedRangeId"] for r in plan.requests
               if "deleteProtectedRange" in r]
    updated = [r["updateProtectedRange"] for r in plan.requests if "updateProtectedRange" in r]
    marks = [r["addProtectedRange"]["protectedRange"] for r in plan.requests
             if "addProtectedRange" in r]
    # Hive's own tab keeps its first mark (same id, new stamp); a second mark goes.
    assert [(u["protectedRange"]["protectedRangeId"], u["fields"]) for u in updated] == [
        (5, "description")]
    assert updated[0]["protectedRange"]["description"] == f"{HIVE_MARK} [write c0ffee; sheet 42]"
    assert deleted == [6]
    # The tabs Hive adds get a stamped mark of their own.
    assert [m["range"]["sheetId"] for m in marks] == list(plan.sheet_ids[1:])
    assert [m["description"] for m in marks] == [
        f"{HIVE_MARK} [write c0ffee; sheet {i}]" for i in plan.sheet_ids[1:]]
    check(plan.body(), "BatchUpdateSpreadsheetRequest")
