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
