"""Retakes: numbered by date per student and assessment; beyond the policy's cap, tracked only."""

from __future__ import annotations

import dataclasses

import pandas as pd

from policy_engine import Policy, evaluate


def frame(book, retakes):
    ev = book.frame()
    ev["retakes"] = retakes
    return ev


def run(book, retakes, policy):
    return evaluate(frame(book, retakes), {"Default": policy}, students=book.students,
                    outcomes=book.outcomes).outcomes.iloc[0]


def quiz_and_retakes(book):
    book.add(2, "2024-10-01", assessment="Quiz 3")
    book.add(3, "2024-10-20", assessment="Quiz 3 retake B")  # typed first, dated later
    book.add(3, "2024-10-10", assessment="Quiz 3 retake A")
    book.add(4, "2024-10-30", assessment="Quiz 3 retake C")
    return ["", "Quiz 3", "Quiz 3", "Quiz 3"]


def test_the_explanation_names_each_retakes_attempt_by_date(book) -> None:
    retakes = quiz_and_retakes(book)
    row = run(book, retakes, Policy())
    assert row.status == "mastered" and row.counted == 4
    assert "Quiz 3 retake A (retake 1 of Quiz 3), Oct 10: 3" in row.explanation
    assert "Quiz 3 retake B (retake 2 of Quiz 3), Oct 20: 3" in row.explanation
    assert "Not counted" not in row.explanation


def test_retakes_beyond_the_cap_are_tracked_but_not_counted(book) -> None:
    retakes = quiz_and_retakes(book)
    row = run(book, retakes, dataclasses.replace(Policy(), retakes_allowed=1))
    assert (row.label, row.counted, row.evidence_count) == ("On track (1 of 3)", 2, 4)
    assert row.explanation.endswith(
        " Not counted (1 retake allowed): Quiz 3 retake B (retake 2 of Quiz 3), Oct 20; "
        "Quiz 3 retake C (retake 3 of Quiz 3), Oct 30.")


def test_no_retakes_allowed_counts_only_the_original(book) -> None:
    retakes = quiz_and_retakes(book)
    row = run(book, retakes, dataclasses.replace(Policy(), retakes_allowed=0))
    assert (row.status, row.counted) == ("not_yet", 1)
    assert "Not counted (0 retakes allowed)" in row.explanation


def test_each_student_and_outcome_numbers_its_own_retakes(book) -> None:
    book.students, book.outcomes = ["s1", "s2"], ["o1", "o2"]
    for student in ("s1", "s2"):
        for outcome in ("o1", "o2"):
            book.add(3, "2024-10-10", student=student, outcome=outcome, assessment="R1")
    ev = frame(book, ["Quiz 3"] * 4)
    out = evaluate(ev, {"Default": dataclasses.replace(Policy(), retakes_allowed=1)},
                   students=book.students, outcomes=book.outcomes).outcomes
    assert list(out["counted"]) == [1, 1, 1, 1]
    assert all("retake 1 of Quiz 3" in e for e in out["explanation"])
    assert isinstance(ev, pd.DataFrame)
