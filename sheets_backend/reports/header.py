"""The sentences around a report's table: who it is from, when, the key, the grade and its rule.

Every report and Student Summary block opens with the same header so a printed page says which
school, course and teacher it came from and how old it is; the key says what the levels and the
statuses mean, in the family's language.
"""

from __future__ import annotations

import datetime as dt

from policy_engine import Policy, ReportBasis, ReportCard
from policy_engine.model import Condition, Quantifier
from sheets_backend.gradebook.about import About
from sheets_backend.i18n.words import SOURCE_LANGUAGE, Words

SEPARATOR = " · "


def from_line(words: Words, about: About) -> str:
    """`MS 442 · Grade 7 Math · Ms. Lopez · Fall 2026`: the parts the sheet gives, in order."""
    teacher = words.gettext("Teacher: {name}", name=about.teacher) if about.teacher else ""
    parts = [about.school, about.course, teacher, about.term]
    return SEPARATOR.join(p for p in parts if p)


def as_of_text(words: Words, as_of: dt.date) -> str:
    return words.gettext("Progress as of {date}", date=words.long_date(as_of))


def scale_text(words: Words, policy: Policy) -> str:
    """`Levels: 4 Exceeding · 3 Meeting · 2 Approaching · 1 Not Yet`, best first."""
    levels = SEPARATOR.join(
        f"{lv.value:g} {words.policy_word(lv.label)}".strip()
        for lv in reversed(policy.scale.levels)
    )
    return words.gettext("Levels: {levels}", levels=levels)


def policy_text(words: Words, policy: Policy) -> str:
    """The policy in one sentence a family can read.

    The school's own description is kept in the school's language; a family reading another
    language gets the sentence Hive composes from the policy (demonstrations methods), so it is
    never left with English it cannot read.
    """
    if words.language == SOURCE_LANGUAGE and policy.description:
        return policy.description
    level = words.policy_word(policy.threshold_label)
    if policy.method == "demonstrations":
        if policy.distinct_dates:
            return words.ngettext(
                "An outcome is Mastered after {count} result at {level} or better, on one day.",
                "An outcome is Mastered after {count} results at {level} or better, "
                "each on a different day.", policy.n, level=level)
        return words.ngettext(
            "An outcome is Mastered after {count} result at {level} or better.",
            "An outcome is Mastered after {count} results at {level} or better.",
            policy.n, level=level)
    if policy.description and words.language == SOURCE_LANGUAGE:
        return policy.description
    return words.gettext("An outcome is Mastered when the level reaches {level}.", level=level)


def grade_text(words: Words, grade: str) -> str:
    return words.gettext("Report card grade: {grade}", grade=grade)


def grade_rule(words: Words, card: ReportCard, grade: str) -> str:
    """`4: at least 90% of assessed outcomes met`: the rule that gave `grade`, in words."""
    if card.basis is ReportBasis.RULES:
        for rule in card.rules:
            if rule.grade == grade:
                if not rule.conditions:
                    return words.gettext("{grade}: when no grade above it applies", grade=grade)
                said = words.gettext(" and ").join(_condition(words, c) for c in rule.conditions)
                return f"{grade}: {said}"
        return ""
    steps = sorted(card.grades, key=lambda g: g.minimum, reverse=True)
    for i, step in enumerate(steps):
        if step.grade != grade:
            continue
        higher = steps[i - 1].minimum if i > 0 else None
        if card.basis is ReportBasis.PERCENT_MET:
            if step.minimum <= 0 and higher is not None:
                return words.gettext("{grade}: less than {percent}% of assessed outcomes met",
                                     grade=grade, percent=f"{higher:g}")
            return words.gettext("{grade}: at least {percent}% of assessed outcomes met",
                                 grade=grade, percent=f"{step.minimum:g}")
        return words.gettext("{grade}: an average level of at least {level}", grade=grade,
                             level=f"{step.minimum:g}")
    return ""


def _condition(words: Words, condition: Condition) -> str:
    level = f"{condition.minimum:g}"
    if condition.quantifier is Quantifier.EVERY:
        return words.gettext("every assessed outcome at {level} or better", level=level)
    if condition.quantifier is Quantifier.MAJORITY:
        return words.gettext("more than half of them at {level} or better", level=level)
    if condition.quantifier is Quantifier.HALF:
        return words.gettext("at least half of them at {level} or better", level=level)
    if condition.quantifier is Quantifier.ANY:
        return words.gettext("at least one at {level} or better", level=level)
    return words.gettext("at least {percent}% of them at {level} or better",
                         percent=f"{condition.percent:g}", level=level)
