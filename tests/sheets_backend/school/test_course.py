"""One gradebook's result as a job step stores it: JSON out, the same result back."""

from __future__ import annotations

import json

from sheets_backend.school.aggregate import aggregate
from sheets_backend.school.course import CourseResult, recompute_course
from sheets_backend.school.run import LocalOpener, read_school_book
from sheets_backend.school.tabs import school_tabs
from sheets_backend.sheets.gateway import SheetsGateway, local_client
from sheets_backend.sheets.local import LocalSheets


def test_a_stored_result_aggregates_to_the_same_school_tabs(school):
    school.tabs["school.xlsx"]["Gradebooks"].append(["gone.xlsx", "Art", "", "", ""])
    school.write("school.xlsx")
    service = LocalSheets()
    gateway = SheetsGateway(local_client(service), service.open_workbook(school.path))
    _, book = read_school_book(gateway)
    opener = LocalOpener(school.path, autosave=False)
    results = [recompute_course(book, i, opener, dry_run=True) for i in range(3)]
    stored = [CourseResult.from_dict(json.loads(json.dumps(r.to_dict()))) for r in results]
    assert [r.ok for r in stored] == [True, True, False]
    assert stored[2].error == results[2].error
    assert stored[0].incidents == results[0].incidents and stored[1].roster == results[1].roster
    assert school_tabs(aggregate(book, stored)) == school_tabs(aggregate(book, results))
