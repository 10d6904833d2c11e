"""Invariants of evaluate() that hold for any evidence, checked with hypothesis."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_engine import Policy, evaluate

RANK = {"not_assessed": 0, "not_yet": 1, "on_track": 2, "mastered": 3}
POLICIES = st.sampled_from([
    Policy(),
    Policy(distinct_dates=False, n=2),
    Policy(method="n_mastery"),
    Policy(method="average", minimum_evidence=2),
    Policy(method="decaying_average", weight=75),
    Policy(method="standard_decaying_average"),
    Policy(method="power_law"),
    Policy(method="mode", recent=3),
])
ENTRY = st.tuples(
    st.sampled_from(["s1", "s2"]),
    st.sampled_from(["o1", "o2"]),
    st.integers(1, 12),
    st.sampled_from([1, 2, 3, 4, 2.5, "NY", "MI", "EX"]),
    st.sampled_from(["summative", "summative", "update", "formative"]),
)
ENTRIES = st.lists(ENTRY, max_size=25)


def _book(new_book, entries):
    book = new_book(students=["s1", "s2"], outcomes=["o1", "o2"])
    for student, outcome, day, score, kind in entries:
        book.add(score, f"2024-10-{day:02d}", student=student, outcome=outcome, kind=kind)
    return book


def _evaluate(book, policy, frame=None):
    frame = book.frame() if frame is None else frame
    return evaluate(frame, {"Default": policy}, students=book.students, outcomes=book.outcomes)


@settings(max_examples=50, deadline=None)
@given(ENTRIES, POLICIES, st.randoms(use_true_random=False))
def test_row_order_never_matters(new_book, entries, policy, random) -> None:
    book = _book(new_book, entries)
    frame = book.frame()
    shuffled = frame.sample(frac=1.0, random_state=random.randint(0, 2**31)).reset_index(drop=True)
    pd.testing.assert_frame_equal(_evaluate(book, policy).outcomes,
                                  _evaluate(book, policy, shuffled).outcomes)


@settings(max_examples=50, deadline=None)
@given(ENTRIES, POLICIES)
def test_evaluate_is_deterministic_and_leaves_its_input_alone(new_book, entries, policy) -> None:
    book = _book(new_book, entries)
    frame = book.frame()
    before = frame.copy()
    first, second = _evaluate(book, policy, frame), _evaluate(book, policy, frame)
    pd.testing.assert_frame_equal(first.outcomes, second.outcomes)
    pd.testing.assert_frame_equal(first.students, second.students)
    pd.testing.assert_frame_equal(frame, before)


DEMONSTRATION_POLICIES = st.sampled_from(
    [Policy(), Policy(method="n_mastery"), Policy(distinct_dates=False)])


@settings(max_examples=50, deadline=None)
@given(ENTRIES, DEMONSTRATION_POLICIES,
       st.integers(1, 12), st.sampled_from([3, 3.5, 4]), st.sampled_from(["summative", "update"]))
def test_a_score_at_or_above_the_threshold_never_lowers_a_demonstration_status(
    new_book, entries, policy, day, score, kind
) -> None:
    book = _book(new_book, entries)
    before = _evaluate(book, policy).outcomes
    book.add(score, f"2024-10-{day:02d}", student="s1", outcome="o1", kind=kind)
    after = _evaluate(book, policy).outcomes
    assert RANK[after.status.iloc[0]] >= RANK[before.status.iloc[0]]
    assert after.demonstrations.iloc[0] >= before.demonstrations.iloc[0]


@settings(max_examples=50, deadline=None)
@given(ENTRIES, POLICIES, st.integers(1, 12),
       st.sampled_from([("EX", "summative"), ("EX", "update"), (4, "formative"),
                        (1, "formative"), ("NY", "formative"), ("EX", "formative")]))
def test_excused_and_formative_evidence_never_move_a_level(
    new_book, entries, policy, day, extra
) -> None:
    book = _book(new_book, entries)
    before = _evaluate(book, policy).outcomes
    score, kind = extra
    book.add(score, f"2024-10-{day:02d}", student="s2", outcome="o2", kind=kind)
    after = _evaluate(book, policy).outcomes
    same = ["level", "status", "label", "demonstrations", "counted", "missing_count"]
    pd.testing.assert_frame_equal(before[same], after[same])


@settings(max_examples=50, deadline=None)
@given(ENTRIES, POLICIES)
def test_every_row_has_an_explanation_and_a_next_step(new_book, entries, policy) -> None:
    out = _evaluate(_book(new_book, entries), policy).outcomes
    assert (out.explanation.str.len() > 0).all() and out.next_step.str.startswith("Next:").all()
    assert ((out.status == "not_assessed") == (out.label == "")).all()
