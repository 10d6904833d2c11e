"""The engine's words for two real gradebooks equal the stored golden notes, cell by cell.

tests/golden_notes.py built tests/data/*_notes.json.gz from the engine before its explanations
were rebuilt for speed; any change of wording shows up here as the first cell that differs.
"""

from __future__ import annotations

import pytest
from golden_notes import BOOKS, cases, golden, notes

CASES = [(book, case) for book in BOOKS for case in cases(book)]


@pytest.fixture(scope="module")
def stored() -> dict[str, dict[str, list[list[str]]]]:
    return {book: golden(book) for book in BOOKS}


def test_every_stored_case_is_still_run(stored) -> None:
    for book in BOOKS:
        assert sorted(stored[book]) == sorted(c.name for b, c in CASES if b == book)


@pytest.mark.parametrize(("book", "case"), CASES, ids=[f"{b}-{c.name}" for b, c in CASES])
def test_notes_equal_the_golden_file(stored, book, case) -> None:
    expected = stored[book][case.name]
    got = notes(case.run())
    assert len(got) == len(expected)
    for row, want in zip(got, expected, strict=True):
        assert row == want
