"""The gateway against the real local Sheets service: Hive's tabs known by their mark (never by
title), and a write that is safe to retry and reports the truth when its answer was lost."""

from __future__ import annotations

from pathlib import Path

import gspread
import pytest
from workbooks import write_workbook

from sheets_backend.errors import SheetsUnavailable
from sheets_backend.recompute import OUTPUT_TABS, recompute
from sheets_backend.sheets.gateway import SheetsGateway, WriteRefused, local_client
from sheets_backend.sheets.local import LocalSheets
from sheets_backend.sheets.snapshot import HIVE_MARK, hive_mark, mark_write_id
from sheets_backend.tabs.plan import WritePlan, build_plan

HER_TAB = [["My own mastery notes"], ["do not touch"]]


class Sheet:
    """A gradebook served by the local service (in memory), and a teacher's hands on it."""

    def __init__(self, path: Path) -> None:
        self.service = LocalSheets()
        self.sid = self.service.open_workbook(path, autosave=False)
        self.client = gspread.Client(auth=None, session=self.service.session())  # type: ignore[arg-type]

    def gateway(self, **retry) -> SheetsGateway:
        options = {"base_delay": 0.0, "budget": 5.0, **retry}
        return SheetsGateway(local_client(self.service, **options), self.sid)

    def recompute(self, **retry):
        return recompute(self.gateway(**retry))

    @property
    def spreadsheet(self) -> gspread.Spreadsheet:
        return self.client.open_by_key(self.sid)

    def titles(self) -> list[str]:
        return [ws.title for ws in self.spreadsheet.worksheets()]

    def values(self, title: str) -> list[list[str]]:
        return self.spreadsheet.worksheet(title).get_all_values()

    def marks(self) -> dict[str, list[str]]:
        meta = self.spreadsheet.fetch_sheet_metadata()
        return {
            s["properties"]["title"]: [p.get("description", "") for p in s.get("protectedRanges", [])]
            for s in meta["sheets"]
        }

    def sheet_id(self, title: str) -> int:
        return self.spreadsheet.worksheet(title).id

    def batch(self, *requests) -> None:
        self.spreadsheet.batch_update({"requests": list(requests)})

    def teacher_adds_tab(self, title: str, rows=HER_TAB) -> None:
        ws = self.spreadsheet.add_worksheet(title, rows=10, cols=5)
        ws.update(rows, "A1")


@pytest.fixture
def sheet(tmp_path, base_tabs) -> Sheet:
    return Sheet(write_workbook(tmp_path / "gradebook.xlsx", base_tabs))


# --- tabs owned by their mark -----------------------------------------------------------------


def test_every_hive_tab_carries_the_mark_stamped_with_its_write_id(sheet):
    summary = sheet.recompute()
    marks = sheet.marks()
    ids = {mark_write_id(marks[t][0], sheet.sheet_id(t)) for t in OUTPUT_TABS}
    assert summary.written and all(len(marks[t]) == 1 for t in OUTPUT_TABS)
    assert len(ids) == 1 and ids != {""} and None not in ids  # one write, one id, on all three


def test_a_second_recompute_restamps_the_marks_and_adds_no_tab(sheet):
    sheet.recompute()
    first = sheet.marks()
    titles = sheet.titles()
    sheet.recompute()  # nothing changed: nothing written, the marks stay as they were
    assert sheet.marks() == first
    sheet.spreadsheet.worksheet("Scores").update([[1]], "C3", raw=True)
    sheet.recompute()
    assert sheet.titles() == titles
    again = sheet.marks()
    assert all(len(again[t]) == 1 and again[t] != first[t] for t in OUTPUT_TABS)


def test_a_tab_with_the_old_plain_mark_is_still_hives_and_gets_stamped(sheet):
    snapshot = sheet.gateway().read_snapshot()
    sheet.gateway().apply(build_plan(snapshot, _contents(sheet)))  # an older Hive: plain mark
    assert sheet.marks()["Mastery"] == [HIVE_MARK]
    titles = sheet.titles()
    sheet.spreadsheet.worksheet("Scores").update([[1]], "C3", raw=True)  # something to write
    sheet.recompute()
    assert sheet.titles() == titles  # written in place, not beside
    assert mark_write_id(sheet.marks()["Mastery"][0], sheet.sheet_id("Mastery")) not in (None, "")


def test_a_teacher_who_deletes_hives_tab_and_takes_its_name_keeps_her_tab(sheet):
    sheet.recompute()
    sheet.batch({"deleteSheet": {"sheetId": sheet.sheet_id("Mastery")}})
    sheet.teacher_adds_tab("Mastery")
    summary = sheet.recompute()
    assert sheet.values("Mastery") == HER_TAB
    assert sheet.marks()["Mastery"] == []
    assert "Mastery (Hive)" in sheet.titles()
    assert [(w.cell, w.reason) for w in summary.warnings] == [("Mastery!A1", "tab_name_taken")]
    again = sheet.recompute()  # and it stays that way: no third Mastery tab
    assert sheet.values("Mastery") == HER_TAB and again.tabs == summary.tabs
    assert sorted(sheet.titles()).count("Mastery (Hive)") == 1


def test_a_teacher_who_renames_hives_tab_and_gives_its_name_to_hers_keeps_her_tab(sheet):
    sheet.recompute()
    sheet.batch({"updateSheetProperties": {
        "properties": {"sheetId": sheet.sheet_id("Mastery"), "title": "Old Mastery"},
        "fields": "title"}})
    sheet.teacher_adds_tab("Notes")
    sheet.batch({"updateSheetProperties": {
        "properties": {"sheetId": sheet.sheet_id("Notes"), "title": "Mastery"},
        "fields": "title"}})
    summary = sheet.recompute()
    assert sheet.values("Mastery") == HER_TAB
    assert any(w.reason == "tab_name_taken" and w.cell == "Mastery!A1" for w in summary.warnings)
    assert "Mastery (Hive)" in summary.tabs


def test_a_teachers_tab_whose_name_differs_only_in_case_is_taken(sheet):
    sheet.teacher_adds_tab("mastery")
    summary = sheet.recompute()
    assert sheet.values("mastery") == HER_TAB
    assert [(w.cell, w.reason) for w in summary.warnings] == [("mastery!A1", "tab_name_taken")]
    assert summary.tabs == ("Mastery (Hive)", "Student Summary", "Groups")
    titles = sheet.titles()
    for _ in range(2):  # never one new tab per recompute
        assert sheet.recompute().tabs == summary.tabs
    assert sheet.titles() == titles


def test_hives_own_tab_renamed_only_in_case_is_still_written_in_place(sheet):
    sheet.recompute()
    sheet.batch({"updateSheetProperties": {
        "properties": {"sheetId": sheet.sheet_id("Mastery"), "title": "MASTERY"},
        "fields": "title"}})
    titles = sheet.titles()
    summary = sheet.recompute()
    assert sheet.titles() == titles and summary.tabs[0] == "MASTERY"
    assert summary.warnings == ()


# --- safe to retry ----------------------------------------------------------------------------


def test_a_lost_reply_on_a_new_gradebook_is_recognised_and_reported_written(sheet):
    sheet.service.faults.fail_after_apply(503)  # applied, then the answer is lost
    summary = sheet.recompute()
    assert summary.written
    assert sheet.titles().count("Mastery") == 1 and "Mastery (Hive)" not in sheet.titles()
    assert sheet.values("Mastery")[1][0] == "S1"
    # two reads, the write (whose retry's addSheet got 400), one read to check it landed
    assert {k: summary.api_calls[k] for k in ("read", "write")} == {"read": 3, "write": 1}


def test_a_lost_reply_on_existing_hive_tabs_is_recognised_and_reported_written(sheet):
    sheet.recompute()
    titles = sheet.titles()
    sheet.service.faults.fail_after_apply(503)
    assert sheet.recompute().written
    assert sheet.titles() == titles
    assert all(len(m) == 1 for t, m in sheet.marks().items() if t in OUTPUT_TABS)


def test_a_write_that_landed_although_every_retry_failed_is_reported_written(sheet):
    sheet.service.faults.fail_after_apply(503)
    sheet.service.faults.fail_next(503, count=3)  # the three retries, then the check succeeds
    summary = sheet.recompute(max_attempts=4)
    assert summary.written and sheet.titles().count("Mastery") == 1


def test_a_write_that_never_landed_is_still_reported_failed(sheet):
    before = sheet.titles()
    sheet.service.faults.fail_next(503, count=4)
    with pytest.raises(SheetsUnavailable):
        sheet.recompute(max_attempts=4)
    assert sheet.titles() == before


def test_a_real_refusal_stays_a_refusal(sheet):
    plan = WritePlan(requests=({"deleteSheet": {"sheetId": 123456}},), tabs=("Mastery",),
                     write_id="feedbeef", sheet_ids=(123456,))
    with pytest.raises(WriteRefused, match=r"\(400\)"):
        sheet.gateway().apply(plan)


def test_a_foreign_mark_or_suffix_is_not_hives():
    assert mark_write_id(hive_mark("0a1b", 7), 7) == "0a1b"
    assert mark_write_id(hive_mark("0a1b", 7), 8) is None  # copied onto another sheet
    assert mark_write_id(HIVE_MARK, 7) == ""
    assert mark_write_id(HIVE_MARK + " [write ../../x; sheet 7]", 7) is None
    assert mark_write_id("Locked by the teacher", 7) is None
    assert mark_write_id(None, 7) is None


def test_a_duplicated_hive_tab_is_the_teachers_and_is_never_written(sheet):
    # Duplicating a tab copies its protections: the copy carries Hive's mark naming Hive's sheet.
    sheet.recompute()
    copied = sheet.marks()["Mastery"][0]
    hive_id = sheet.sheet_id("Mastery")
    sheet.batch({"deleteSheet": {"sheetId": hive_id}})
    sheet.teacher_adds_tab("Mastery")
    sheet.batch({"addProtectedRange": {"protectedRange": {
        "range": {"sheetId": sheet.sheet_id("Mastery")}, "description": copied,
        "warningOnly": True}}})
    summary = sheet.recompute()
    assert sheet.values("Mastery") == HER_TAB
    assert "Mastery (Hive)" in summary.tabs


def _contents(sheet: Sheet):
    from sheets_backend.gradebook.template import read_gradebook
    from sheets_backend.recompute import evaluate_book, render_tabs

    book, evaluation = evaluate_book(read_gradebook(sheet.gateway().read_snapshot()))
    return render_tabs(book, evaluation)


class Interleaved(SheetsGateway):
    """A gateway whose first read is followed, before its write, by another whole recompute
    (two workers recomputing one spreadsheet at once)."""

    def __init__(self, sheet: Sheet) -> None:
        gateway = sheet.gateway()
        super().__init__(gateway.client, gateway.spreadsheet_id)
        self.sheet, self.reads = sheet, 0

    def read_snapshot(self, skip_titles=frozenset()):
        snapshot = super().read_snapshot(skip_titles)
        self.reads += 1
        if self.reads == 1:
            assert self.sheet.recompute().written  # the other worker writes first
        return snapshot


@pytest.mark.parametrize("hive_tabs_exist", [True, False], ids=["restamp", "new-gradebook"])
def test_two_recomputes_at_once_both_write_and_add_no_tab(sheet, hive_tabs_exist):
    if hive_tabs_exist:
        sheet.recompute()
    summary = recompute(Interleaved(sheet))
    assert summary.written
    assert sorted(sheet.titles()) == sorted(["Roster", "Outcomes", "Scores", "Behavior",
                                             *OUTPUT_TABS])
    assert all(len(sheet.marks()[t]) == 1 for t in OUTPUT_TABS)


# --- what goes over the wire ---------------------------------------------------------------------

def test_a_write_goes_gzip_compressed_and_its_bytes_are_counted_as_sent(sheet):
    """The request body is gzip with its Content-Encoding, as Google's own clients send it;
    `bytes_written` counts what went over the wire, `json_bytes` what Google unpacks."""
    import gzip

    import orjson
    from requests.adapters import BaseAdapter

    from sheets_backend.sheets.local.transport import PREFIXES, LocalSheetsAdapter

    sent: list[tuple[str | None, bytes]] = []

    class Recording(LocalSheetsAdapter):
        def send(self, request, **kwargs):  # type: ignore[no-untyped-def]
            if request.method == "POST":
                sent.append((request.headers.get("Content-Encoding"), request.body))
            return super().send(request, **kwargs)

    client = local_client(sheet.service, base_delay=0.0)
    adapter: BaseAdapter = Recording(sheet.service.drive)
    for prefix in PREFIXES:
        client.http_client.session.mount(prefix, adapter)
    gateway = SheetsGateway(client, sheet.sid)
    summary = recompute(gateway)
    assert summary.written and len(sent) == gateway.calls.write == 1
    encoding, body = sent[0]
    assert encoding == "gzip"
    unpacked = gzip.decompress(body)
    assert "requests" in orjson.loads(unpacked)
    assert gateway.calls.bytes_written == len(body) < len(unpacked) == gateway.calls.json_bytes
    assert sheet.values("Mastery")  # and Google (here: the local service) applied it


def test_a_google_client_asks_for_gzip_answers_as_googles_guide_says():
    from sheets_backend.sheets.gateway import google_client

    session = google_client("a-token").http_client.session
    assert session.headers["Accept-Encoding"] == "gzip"
    assert "(gzip)" in session.headers["User-Agent"]
