"""Report-card grades from a student's outcomes: steps of percent met or mean level, or rules."""

from __future__ import annotations

import numpy as np

from policy_engine.model import Condition, Quantifier, ReportBasis, ReportCard
from policy_engine.rules import Bools, Objects
from policy_engine.vectorised import Floats, Ints


def report_grades(
    card: ReportCard,
    percent: Floats,
    mean_level: Floats,
    student: Ints,
    levels: Floats,
    assessed: Bools,
    n: int,
) -> Objects:
    """One grade per student ("" when nothing is assessed).

    `student`, `levels` and `assessed` are per student x outcome row; `percent` and `mean_level`
    per student. Rules are tried in order, the first whose conditions all hold wins.

    >>> import numpy as np
    >>> from policy_engine.model import GradeRule
    >>> card = ReportCard(ReportBasis.RULES, rules=(
    ...     GradeRule("A", (Condition(Quantifier.EVERY, 3), Condition(Quantifier.MAJORITY, 4))),
    ...     GradeRule("B", (Condition(Quantifier.EVERY, 2),)), GradeRule("C")))
    >>> levels = np.array([4, 4, 3, 4, 3, 3, 4, 1, 4.0])  # three students x three outcomes
    >>> report_grades(card, np.zeros(3), np.zeros(3), np.repeat(np.arange(3), 3), levels,
    ...               np.ones(9, dtype=bool), 3).tolist()
    ['A', 'B', 'C']
    """
    report = np.full(n, "", dtype=object)
    if card.basis is ReportBasis.RULES:
        has = assessed & ~np.isnan(levels)
        total = np.bincount(student[has], minlength=n)
        decided = total == 0
        for rule in card.rules:
            holds = ~decided
            for condition in rule.conditions:
                holds &= _holds(condition, student, levels, has, total, n)
            report[holds] = rule.grade
            decided |= holds
        return report
    basis = percent if card.basis is ReportBasis.PERCENT_MET else mean_level
    for grade in sorted(card.grades, key=lambda g: g.minimum):
        report[basis >= grade.minimum] = grade.grade
    lowest = min(card.grades, key=lambda g: g.minimum).grade
    report[~np.isnan(basis) & (report == "")] = lowest
    return report


def _holds(
    condition: Condition, student: Ints, levels: Floats, has: Bools, total: Ints, n: int
) -> Bools:
    at_or_above = np.bincount(student[has & (levels >= condition.minimum)], minlength=n)
    if condition.quantifier is Quantifier.EVERY:
        return np.asarray(at_or_above >= total)
    if condition.quantifier is Quantifier.MAJORITY:
        return np.asarray(2 * at_or_above > total)
    if condition.quantifier is Quantifier.HALF:
        return np.asarray(2 * at_or_above >= total)
    if condition.quantifier is Quantifier.ANY:
        return np.asarray(at_or_above >= 1)
    return np.asarray(100 * at_or_above >= condition.percent * total)
