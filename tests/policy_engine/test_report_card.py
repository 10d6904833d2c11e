"""Report-card rules: conjunctive conditions over a student's assessed outcomes, first match wins."""

from __future__ import annotations

import pytest

from policy_engine import (
    Condition,
    GradeRule,
    Policy,
    Quantifier,
    ReportBasis,
    ReportCard,
)

A_B_C = ReportCard(ReportBasis.RULES, rules=(
    GradeRule("A", (Condition(Quantifier.EVERY, 3), Condition(Quantifier.MAJORITY, 4))),
    GradeRule("B", (Condition(Quantifier.EVERY, 2), Condition(Quantifier.HALF, 3))),
    GradeRule("C", (Condition(Quantifier.PERCENT, 2, percent=75),)),
    GradeRule("D", (Condition(Quantifier.ANY, 3),)),
    GradeRule("F"),
))


def grade(book, levels: list[float | None]) -> str:
    book.students, book.outcomes = ["s1"], [f"o{i}" for i in range(len(levels))]
    for i, level in enumerate(levels):
        if level is not None:
            book.add(level, outcome=f"o{i}")
    card = book.evaluate(Policy(method="latest", report_card=A_B_C)).students.report_card
    return str(card.iloc[0])


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        pytest.param([4, 4, 3], "A", id="every-3-and-majority-4"),
        pytest.param([4, 3, 3], "B", id="a-4-short-of-a-majority"),
        pytest.param([4, 4, 2], "B", id="one-below-3-misses-A"),
        pytest.param([3, 3, 2, 2], "B", id="exactly-half-at-3"),
        pytest.param([3, 2, 2, 1], "C", id="75-percent-at-2"),
        pytest.param([3, 1, 1, 1], "D", id="any-3"),
        pytest.param([2, 1, 1, 1], "F", id="everyone-else"),
        pytest.param([4, 4, None], "A", id="not-assessed-outcomes-are-left-out"),
        pytest.param([None, None], "", id="nothing-assessed-no-grade"),
    ],
)
def test_the_first_rule_whose_conditions_all_hold_gives_the_grade(book, levels, expected):
    assert grade(book, levels) == expected


def test_a_rules_card_describes_itself_as_a_policy_tab_writes_it():
    assert A_B_C.describe() == (
        "rules: A every 3 and majority 4; B every 2 and half 3; C 75% 2; D any 3; F")
