"""Writing only what changed: a repeat writes nothing, an edit writes little, a teacher's edit in a
Hive tab is put right, and a write too big for one request is staged and still all or nothing
(failures injected with the local service's faults)."""

from __future__ import annotations

import re

import orjson
import pytest

from sheets_backend.errors import HiveError
from sheets_backend.gradebook.template import read_gradebook
from sheets_backend.recompute import evaluate_book, recompute, render_tabs
from sheets_backend.sheets.gateway import CELL_FIELDS, SheetsGateway, local_client
from sheets_backend.sheets.local import LocalSheets
from sheets_backend.sheets.snapshot import STAGING_PREFIX
from sheets_backend.tabs.plan import build_plan

HIVE_TABS = ("Mastery", "Student Summary", "Groups")


@pytest.fixture
def sheet(base_tabs):
    service = LocalSheets()
    sid = service.create_workbook_from_rows(base_tabs, autosave=False)
    return service, sid


def gateway(service: LocalSheets, sid: str) -> SheetsGateway:
    return SheetsGateway(local_client(service, base_delay=0.0, budget=1.0), sid)


_STAMP = re.compile(r" \[write [^\]]*\]")


def state(service: LocalSheets, sid: str) -> dict:
    """Every tab as the API shows it: properties, cells (values, notes, formats), widths."""
    reply = gateway(service, sid).client.http_client.fetch_sheet_metadata(sid, params={
        "fields": f"sheets(properties(title,hidden,gridProperties),protectedRanges.description,"
                  f"data(rowData.values({CELL_FIELDS}),columnMetadata.pixelSize))",
        "includeGridData": "true"})
    for s in reply["sheets"]:  # each write stamps Hive's marks with its own id (safe retries)
        for protected in s.get("protectedRanges", []):
            protected["description"] = _STAMP.sub("", protected["description"])
    return {s["properties"]["title"]: s for s in reply["sheets"]}


def test_a_repeat_recompute_writes_nothing(sheet):
    service, sid = sheet
    recompute(gateway(service, sid))
    before = state(service, sid)
    again = gateway(service, sid)
    summary = recompute(again).to_dict()
    assert summary["api_calls"] == {"read": 3, "write": 0, "bytes_written": 0, "json_bytes": 0}
    assert state(service, sid) == before


def test_one_changed_score_writes_a_few_cells(sheet):
    service, sid = sheet
    recompute(gateway(service, sid))
    scores = gateway(service, sid).client.open_by_key(sid).worksheet("Scores")
    scores.update([[1]], "C5", raw=True)
    g = gateway(service, sid)
    recompute(g)
    assert g.calls.write == 1 and 0 < g.calls.bytes_written < 10_000


def test_a_teacher_typing_into_a_hive_tab_is_put_right(sheet):
    service, sid = sheet
    recompute(gateway(service, sid))
    before = state(service, sid)
    mastery = gateway(service, sid).client.open_by_key(sid).worksheet("Mastery")
    mastery.update([["my own words"]], "D2", raw=True)
    g = gateway(service, sid)
    summary = recompute(g).to_dict()
    assert state(service, sid) == before
    assert g.calls.write == 1 and g.calls.bytes_written < 2_000
    assert [(w["cell"], w["reason"]) for w in summary["warnings"]] == [
        ("Mastery!D2", "hive_tab_edited")]
    assert recompute(gateway(service, sid)).to_dict()["warnings"] == []  # put right: said once


def test_hives_own_changes_are_not_taken_for_a_teachers(sheet):
    service, sid = sheet
    recompute(gateway(service, sid))
    scores = gateway(service, sid).client.open_by_key(sid).worksheet("Scores")
    scores.update([[1, 1, 1]], "C5:E5", raw=True)
    assert recompute(gateway(service, sid)).to_dict()["warnings"] == []


def plan_of(service: LocalSheets, sid: str, limit: int):
    g = gateway(service, sid)
    snapshot = g.read_snapshot()
    book, evaluation = evaluate_book(read_gradebook(snapshot))
    return g, build_plan(snapshot, render_tabs(book, evaluation), request_limit=limit)


def test_a_big_write_is_staged_in_hidden_tabs_and_shown_at_once(sheet):
    service, sid = sheet
    g, plan = plan_of(service, sid, 6_000)
    bodies = plan.bodies()
    assert len(bodies) > 3
    assert all(len(orjson.dumps(b)) <= 6_000 for b in bodies[:-1])
    assert not any("copyPaste" in r for b in bodies[:-1] for r in b["requests"])
    g.apply(plan)
    staged = state(service, sid)
    assert not any(t.startswith(STAGING_PREFIX) for t in staged)
    # The same tabs as one unstaged write on a fresh copy.
    fresh = LocalSheets()
    # Same id, so the same title (the course line of every block names it).
    other = fresh.create_workbook_from_rows(_teacher_rows(service, sid), spreadsheet_id=sid,
                                            autosave=False)
    recompute(gateway(fresh, other))
    assert _hive(state(fresh, other)) == _hive(staged)


@pytest.mark.parametrize("step", [1, 2, 3, "last"])
def test_a_failure_at_any_step_leaves_tabs_as_they_were_and_no_staging(sheet, step):
    service, sid = sheet
    recompute(gateway(service, sid))
    book = gateway(service, sid).client.open_by_key(sid)
    book.worksheet("Scores").update([[1, 1]], "C5:D5", raw=True)
    book.del_worksheet(book.worksheet("Student Summary"))  # a teacher deletes a Hive tab
    before = state(service, sid)
    g, plan = plan_of(service, sid, 6_000)
    calls = len(plan.bodies())
    assert calls > 3
    service.faults.fail_next(403, after=(calls - 1 if step == "last" else step - 1))
    with pytest.raises(HiveError):
        g.apply(plan)
    assert state(service, sid) == before
    g.apply(plan)  # and once it succeeds, the tab is back, complete
    assert "Student Summary" in state(service, sid)


def _teacher_rows(service: LocalSheets, sid: str) -> dict:
    book = service.workbook(sid)
    return {s.title: [list(r) for r in s.rows] for s in book.sheets if s.title not in HIVE_TABS}


def _hive(tabs: dict) -> dict:
    out = {}
    for title in HIVE_TABS:
        tab = dict(tabs[title])
        tab["properties"] = {k: v for k, v in tab["properties"].items() if k != "sheetId"}
        out[title] = tab
    return out


def test_only_tabs_with_big_changes_are_staged(sheet):
    service, sid = sheet
    recompute(gateway(service, sid))
    book = gateway(service, sid).client.open_by_key(sid)
    book.del_worksheet(book.worksheet("Student Summary"))
    book.worksheet("Scores").update([[1]], "C5", raw=True)
    g, plan = plan_of(service, sid, 6_000)
    staged = [r["addSheet"]["properties"] for call in plan.staged for r in call if "addSheet" in r]
    assert [p["hidden"] for p in staged] == [True]  # Student Summary's staging tab only
    assert any("updateCells" in r for r in plan.requests)  # the small changes, in place
    pasted = [r["copyPaste"]["destination"]["sheetId"] for r in plan.requests if "copyPaste" in r]
    assert len(pasted) == 1
    g.apply(plan)
    after = state(service, sid)
    assert after["Student Summary"]["properties"].get("hidden") is None
    assert not any(t.startswith(STAGING_PREFIX) for t in after)
