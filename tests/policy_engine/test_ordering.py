"""Evidence is ordered by assessment date, never by where it was typed; one date ties by column."""

from __future__ import annotations

import pytest

from policy_engine import Policy


def test_make_up_work_typed_later_but_dated_earlier_is_not_most_recent(book) -> None:
    # Quiz 1 sits in the first column (order 1); the make-up typed two columns later is dated
    # two weeks earlier, so Quiz 1 is still the newest evidence.
    book.add(2, "2024-10-15", assessment="Quiz 1")
    book.add(4, "2024-10-01", assessment="Make-up quiz")
    row = book.row(Policy(method="latest"))
    assert row.level == 2
    assert row.trend == "down"  # 4 on Oct 1, then 2 on Oct 15
    assert row.last_date == book.frame()["date"].max()
    assert row.explanation.index("Make-up quiz, Oct 1") < row.explanation.index("Quiz 1, Oct 15")


def test_the_demonstrations_level_before_mastery_is_the_latest_by_date(book) -> None:
    book.add(2, "2024-10-15", assessment="Quiz 1").add(3, "2024-10-01", assessment="Make-up")
    row = book.row()
    assert (row.label, row.level) == ("On track (1 of 3)", 2)


@pytest.mark.parametrize(("first", "second", "latest"), [(2, 4, 4), (4, 2, 2)])
def test_two_assessments_on_one_date_are_ordered_by_column(book, first, second, latest) -> None:
    book.add(first, "2024-10-01", assessment="Left column")
    book.add(second, "2024-10-01", assessment="Right column")
    assert book.row(Policy(method="latest")).level == latest


def test_row_order_of_the_evidence_frame_does_not_matter(book) -> None:
    book.add(2, "2024-10-15").add(4, "2024-10-01").add(3, "2024-10-20")
    forward = book.evaluate(Policy(method="standard_decaying_average")).outcomes
    book.rows.reverse()  # same rows (same dates and orders), listed backwards
    backward = book.evaluate(Policy(method="standard_decaying_average")).outcomes
    assert forward.level.iloc[0] == backward.level.iloc[0]
    assert forward.explanation.iloc[0] == backward.explanation.iloc[0]
