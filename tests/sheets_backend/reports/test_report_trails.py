"""The evidence trails behind every report equal a plain row-by-row reading of the evidence.

`_trails` groups and shares entries for speed; this keeps it honest against the obvious loop, on
the demo gradebook (marks, practice work, retakes, missing work) at several dates.
"""

from __future__ import annotations

import datetime as dt

import pytest

from sheets_backend.demo import write_demo_gradebook
from sheets_backend.gradebook.template import read_gradebook
from sheets_backend.reports.content import EvidenceEntry, WorkItem, _evidence, _trails
from sheets_backend.sheets.gateway import SheetsGateway, local_client
from sheets_backend.sheets.local import LocalSheets


def _plain_trails(ev):
    """The reference: one row at a time, in date order."""
    entries, levels, work = {}, {}, {}
    for row in ev.itertuples(index=False):
        scored = row.score == row.score
        day = row.date.date()
        key = (row.student_id, row.outcome_id)
        entries.setdefault(key, []).append(EvidenceEntry(
            day, row.assessment, float(row.score) if scored else None,
            row.mark_label if row.mark else "", row.level_label if scored else "",
            not row.counted))
        if row.counted and row.value == row.value:
            levels.setdefault(key, []).append(float(row.value))
        if row.missing:
            work.setdefault(row.student_id, []).append(
                WorkItem(str(row.assessment), str(row.outcome_id), day))
    trails = {k: (tuple(v), tuple(levels.get(k, ()))) for k, v in entries.items()}
    return trails, work


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory):
    path = write_demo_gradebook(tmp_path_factory.mktemp("demo") / "gradebook.xlsx")
    service = LocalSheets()
    sid = service.open_workbook(path, autosave=False)
    return read_gradebook(SheetsGateway(local_client(service), sid).read_snapshot())


@pytest.mark.parametrize("as_of", [None, dt.date(2026, 10, 1), dt.date(2000, 1, 1)])
def test_trails_match_a_row_by_row_reading(demo_book, as_of) -> None:
    ev = _evidence(demo_book, as_of)
    trails, work = _trails(ev)
    expected_trails, expected_work = _plain_trails(ev)
    assert trails == expected_trails
    assert work == expected_work
    if as_of is None:  # the demo has each kind of row the trail shows
        shown = [e for trail, _ in trails.values() for e in trail]
        assert any(e.score is None and e.mark_label for e in shown)
        assert any(e.practice for e in shown) and work
