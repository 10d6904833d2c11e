"""evaluate(): MS 442's default policy end to end, the output contract, and the level methods."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from policy_engine import (
    OUTCOME_COLUMNS,
    STUDENT_COLUMNS,
    EvidenceType,
    Grade,
    Level,
    MissingWork,
    Policy,
    PolicyError,
    ReportBasis,
    ReportCard,
    Scale,
    evaluate,
)

ARCHITECTURE_OUTCOME_COLUMNS = (
    "student_id, outcome_id, policy, level, status, label, band, colour, evidence_count, "
    "demonstrations, needed, last_date, trend, explanation, next_step, missing_count"
).split(", ")
ARCHITECTURE_STUDENT_COLUMNS = ["student_id", "met", "assessed", "percent_met", "on_track",
                                "missing_count"]


def test_columns_follow_the_architecture_contract(book) -> None:
    result = book.add(3).evaluate()
    assert list(result.outcomes.columns[:16]) == ARCHITECTURE_OUTCOME_COLUMNS
    assert list(result.outcomes.columns) == list(OUTCOME_COLUMNS)
    assert list(result.students.columns[:6]) == ARCHITECTURE_STUDENT_COLUMNS
    assert list(result.students.columns) == list(STUDENT_COLUMNS)


def test_one_row_per_student_and_outcome_in_roster_order(book) -> None:
    book.students, book.outcomes = ["s2", "s1"], ["b", "a", "c"]
    book.add(3, student="s1", outcome="a")
    out = book.evaluate().outcomes
    assert list(zip(out.student_id, out.outcome_id, strict=True)) == [
        ("s2", "b"), ("s2", "a"), ("s2", "c"), ("s1", "b"), ("s1", "a"), ("s1", "c")]
    assert list(out.status) == ["not_assessed"] * 4 + ["on_track", "not_assessed"]


def test_three_demonstrations_on_distinct_dates_is_mastered(book) -> None:
    book.add(3, "2024-10-01", assessment="Quiz 1").add(4, "2024-10-08", assessment="Quiz 2")
    book.add(3, "2024-11-01", assessment="Project")
    row = book.row()
    assert (row.status, row.label, row.band, row.colour) == (
        "mastered", "Mastered", "mastered", "#8fd1d0")
    assert row.level == pytest.approx(3.33)
    assert row.demonstrations == 3 and row.needed == 3
    assert "Quiz 1, Oct 1: 3; Quiz 2, Oct 8: 4; Project, Nov 1: 3" in row.explanation
    assert row.next_step == "Next: nothing more is needed for this outcome."


def test_two_demonstrations_is_on_track_with_a_count(book) -> None:
    book.add(3, "2024-10-03", assessment="Quiz 2").add(4, "2024-11-01", assessment="Project")
    row = book.row()
    assert (row.status, row.label, row.colour) == ("on_track", "On track (2 of 3)", "#fff566")
    assert row.explanation == (
        "On track: 2 of 3 demonstrations at Meeting or above "
        "(Quiz 2, Oct 3: 3; Project, Nov 1: 4).")
    assert row.next_step == (
        "Next: one more demonstration at Meeting or above on another day.")
    assert row.level == 4  # the latest counted score until mastered


def test_two_or_more_demonstrations_to_go_are_each_on_a_different_day(book) -> None:
    row = book.add(3, "2024-10-03", assessment="Quiz 2").row()
    assert row.next_step == (
        "Next: two more demonstrations at Meeting or above, each on a different day.")
    assert book.row(Policy(distinct_dates=False)).next_step == (
        "Next: two more demonstrations at Meeting or above.")


def test_a_first_demonstration_names_how_many_are_needed(book) -> None:
    book.add(2, "2024-10-01")
    assert book.row().next_step == (
        "Next: a first demonstration at Meeting or above; 3 are needed, each on a different day.")
    assert book.row(Policy(n=1)).next_step == (
        "Next: a first demonstration at Meeting or above; 1 is needed.")


def test_demonstrations_on_one_date_count_once(book) -> None:
    book.add(4, "2024-10-01").add(4, "2024-10-01").add(3, "2024-10-01")
    row = book.row()
    assert (row.status, row.demonstrations) == ("on_track", 1)


def test_distinct_dates_can_be_switched_off(book) -> None:
    book.add(4, "2024-10-01").add(4, "2024-10-01").add(3, "2024-10-01")
    assert book.row(Policy(distinct_dates=False)).status == "mastered"


def test_evidence_below_meeting_is_not_yet(book) -> None:
    book.add(2, "2024-10-01", assessment="Quiz 1").add(1, "2024-10-02", assessment="Quiz 2")
    row = book.row()
    assert (row.status, row.label, row.colour) == ("not_yet", "Not Yet", "#ec9393")
    assert row.explanation == (
        "Not Yet: 2 scores, none at Meeting or above yet (latest: Quiz 2, Oct 2: 1).")
    assert row.next_step.startswith("Next: a first demonstration at Meeting or above")


def test_no_evidence_is_blank_not_assessed(book) -> None:
    row = book.row()
    assert (row.status, row.label, row.band, row.colour) == ("not_assessed", "", "", "")
    assert math.isnan(row.level) and row.evidence_count == 0 and pd.isna(row.last_date)
    assert row.explanation == "Not assessed yet: no scores so far."


def test_formative_is_tracked_but_never_moves_the_level(book) -> None:
    book.add(4, "2024-10-01", kind="formative").add(4, "2024-10-02", kind="formative")
    row = book.row()
    assert (row.status, row.evidence_count, row.counted) == ("not_assessed", 2, 0)
    assert row.explanation == (
        "Not assessed yet: 2 practice scores so far; practice scores do not change the level.")
    book.add(2, "2024-10-03", kind="update")
    row = book.row()
    assert (row.status, row.level, row.evidence_count) == ("not_yet", 2, 3)


def test_not_assessed_says_which_scores_do_not_change_the_level(book) -> None:
    book.add(4, "2024-10-01", kind="formative").add(3, "2024-10-02", kind="update")
    only_summative = Policy(counted_types=frozenset({EvidenceType.SUMMATIVE}))
    assert book.row(only_summative).explanation == (
        "Not assessed yet: 2 practice or update scores so far; "
        "practice and update scores do not change the level.")
    # With a retake cap, a score that does not count may be a retake beyond it.
    capped = Policy(counted_types=frozenset({EvidenceType.SUMMATIVE}), retakes_allowed=1)
    assert book.row(capped).explanation == (
        "Not assessed yet: 2 scores so far; practice scores, update scores and extra retakes "
        "do not change the level.")


def test_not_yet_mark_is_a_real_attempt_at_level_one(book) -> None:
    row = book.add("NY", "2024-10-01", assessment="Quiz 1").row()
    assert (row.status, row.level, row.evidence_count) == ("not_yet", 1, 1)
    assert "Quiz 1, Oct 1: Not Yet (counts as 1)" in row.explanation


def test_missing_is_tracked_not_counted_never_zero(book) -> None:
    book.add("MI", "2024-10-01").add(3, "2024-10-02")
    row = book.row()
    assert (row.status, row.label, row.missing_count, row.evidence_count) == (
        "on_track", "On track (1 of 3)", 1, 1)
    assert row.explanation.endswith(" 1 piece of work missing; it is not counted as a score.")
    two = type(book)().add("MI").add("MI", "2024-10-03").add(3, "2024-10-02").row()
    assert two.explanation.endswith(" 2 pieces of work missing; they are not counted as scores.")
    only_missing = type(book)().add("MI").row()
    assert (only_missing.status, only_missing.missing_count) == ("not_assessed", 1)
    assert only_missing.next_step == "Next: hand in the missing work."


def test_missing_can_count_as_not_yet(book) -> None:
    row = book.add("MI").row(Policy(missing_work=MissingWork.NOT_YET))
    assert (row.status, row.level, row.missing_count) == ("not_yet", 1, 1)
    assert row.explanation.endswith(
        " 1 piece of work missing; it counts as the lowest score, 1 (Not Yet).")


def test_excused_is_ignored_entirely(book) -> None:
    row = book.add("EX").add("ex").row()
    assert (row.status, row.evidence_count, row.missing_count) == ("not_assessed", 0, 0)


def test_evidence_after_as_of_is_ignored(book) -> None:
    book.add(3, "2024-10-01").add(3, "2024-10-02").add(3, "2024-12-01")
    assert book.row().status == "mastered"
    row = book.row(as_of=pd.Timestamp("2024-11-01"))
    assert (row.status, row.demonstrations) == ("on_track", 2)
    assert book.row(as_of=pd.Timestamp("2024-12-01").date()).status == "mastered"


def test_unknown_students_and_outcomes_are_skipped(book) -> None:
    book.add(3, student="ghost").add(3, outcome="retired")
    assert book.row().status == "not_assessed"


def test_trend_and_last_date_follow_counted_scores(book) -> None:
    book.add(2, "2024-10-01").add(3, "2024-10-05").add(4, "2024-10-09", kind="formative")
    row = book.row()
    assert row.trend == "up" and row.last_date == pd.Timestamp("2024-10-05")


def test_long_histories_name_only_the_newest_five(book) -> None:
    for day in range(1, 9):
        book.add(4, f"2024-10-{day:02d}", assessment=f"Q{day}")
    row = book.row()
    assert row.explanation.startswith(
        "Mastered: 8 demonstrations at Meeting or above, 3 needed (3 earlier; Q4, Oct 4: 4;")


def test_students_summary_counts_never_ranks(book) -> None:
    book.students, book.outcomes = ["s1", "s2"], ["o1", "o2", "o3"]
    for day in ("2024-10-01", "2024-10-02", "2024-10-03"):
        book.add(4, day, outcome="o1")
    book.add(3, outcome="o2").add("MI", outcome="o3").add("MI", outcome="o2")
    students = book.evaluate().students
    first = students.iloc[0]
    assert (first.met, first.assessed, first.on_track, first.missing_count) == (1, 2, 1, 2)
    assert first.percent_met == 50.0
    second = students.iloc[1]
    assert (second.met, second.assessed) == (0, 0) and math.isnan(second.percent_met)
    assert list(students.student_id) == ["s1", "s2"]
    assert not {"rank", "position", "percentile"} & set(students.columns)


def test_outcome_policy_chooses_a_department_policy(book) -> None:
    book.outcomes = ["o1", "o2"]
    for outcome in ("o1", "o2"):
        book.add(2, "2024-10-01", outcome=outcome).add(4, "2024-10-02", outcome=outcome)
    policies = {"Default": Policy(), "Science": Policy(name="Science", method="average")}
    out = book.evaluate(policies=policies, outcome_policy={"o2": "Science"}).outcomes
    assert list(out.policy) == ["Default", "Science"]
    assert list(out.status) == ["on_track", "mastered"]
    assert pd.isna(out.needed.iloc[1])
    assert out.explanation.iloc[1].startswith("Mastered: average 3 (Meeting) from 2 scores")


@pytest.mark.parametrize(
    ("method", "level", "status"),
    [("average", 2.5, "on_track"), ("highest", 4, "mastered"), ("latest", 1, "not_yet"),
     ("decaying_average", 1.7, "not_yet"), ("median", 2.5, "on_track")],
)
def test_level_methods_band_their_level(book, method, level, status) -> None:
    book.add(3, "2024-10-01").add(4, "2024-10-02").add(2, "2024-10-03").add(1, "2024-10-04")
    row = book.row(Policy(method=method))
    assert (row.level, row.status) == (pytest.approx(level), status)


def test_minimum_evidence_keeps_a_high_level_on_track(book) -> None:
    row = book.add(4).row(Policy(method="average", minimum_evidence=2))
    assert (row.status, row.level) == ("on_track", 4)
    assert row.next_step == "Next: one more score; at least 2 are needed."


def test_report_card_from_percent_met(book) -> None:
    card = ReportCard(ReportBasis.PERCENT_MET, (Grade(90, "A"), Grade(50, "C"), Grade(0, "F")))
    book.outcomes = ["o1", "o2"]
    for day in ("2024-10-01", "2024-10-02", "2024-10-03"):
        book.add(4, day, outcome="o1")
    book.add(1, outcome="o2")
    assert book.evaluate(Policy(report_card=card)).students.report_card.iloc[0] == "C"


def test_policies_need_a_default(book) -> None:
    with pytest.raises(PolicyError) as caught:
        book.evaluate(policies={"Science": Policy()})
    assert caught.value.setting == "policy"


def test_an_unknown_policy_name_is_an_error(book) -> None:
    with pytest.raises(PolicyError, match="Maths"):
        book.evaluate(outcome_policy={"o1": "Maths"})


def test_an_invalid_policy_reports_every_problem(book) -> None:
    with pytest.raises(PolicyError) as caught:
        book.evaluate(Policy(n=0, weight=120, method="guess"))
    message = str(caught.value)
    assert "n must be 1..10" in message and "weight must be 1..99" in message
    assert "method must be" in message


def test_empty_evidence_evaluates_to_blank_rows(book) -> None:
    book.students, book.outcomes = ["a", "b"], ["x"]
    result = book.evaluate()
    assert list(result.outcomes.status) == ["not_assessed"] * 2
    assert list(result.students.assessed) == [0, 0]


def test_microsecond_dates_and_object_columns_are_accepted(book) -> None:
    for day in ("2024-10-01", "2024-10-02", "2024-10-03"):
        book.add(3, day)
    frame = book.frame()
    frame["date"] = frame["date"].astype("datetime64[us]")
    frame["mark"] = frame["mark"].astype(object)
    result = evaluate(frame, {"Default": Policy()}, students=["s1"], outcomes=["o1"],
                      as_of=pd.Timestamp("2024-10-02"))
    assert result.outcomes.label.iloc[0] == "On track (2 of 3)"


def test_report_card_from_mean_level(book) -> None:
    card = ReportCard(ReportBasis.MEAN_LEVEL, (Grade(3.5, "4"), Grade(2.5, "3"), Grade(0, "1")))
    book.outcomes = ["o1", "o2", "o3"]
    book.add(4, outcome="o1").add(2, outcome="o2")
    students = book.evaluate(Policy(method="average", report_card=card)).students
    assert students.report_card.iloc[0] == "3"  # mean of 4 and 2; o3 is not assessed


def test_a_percent_scale_names_its_levels(book) -> None:
    policy = Policy(method="average", scale=Scale((Level(0, "Not Yet"), Level(60, "Approaching"),
                                                   Level(70, "Meeting"), Level(90, "Exceeding")),
                                                  0, 100),
                    mastery_threshold=70)
    row = book.add(65).add(85, "2024-10-02").row(policy)
    assert (row.level, row.level_label, row.status) == (75, "Meeting", "mastered")
    assert "Mastered is 70 (Meeting)" in row.explanation


def test_power_law_rewards_growth_over_the_average(book) -> None:
    book.add(1, "2024-10-01").add(2, "2024-10-02").add(3, "2024-10-03").add(3, "2024-10-04")
    row = book.row(Policy(method="power_law"))
    assert row.level > 2.25 and row.status == "mastered"
    assert row.explanation.startswith("Mastered: power law trend 3.39 (Meeting) from 4 scores")


def test_a_level_never_leaves_the_scale(book) -> None:
    book.add(1, "2024-10-01").add(2, "2024-10-02").add(4, "2024-10-03").add(4, "2024-10-04")
    assert book.row(Policy(method="power_law")).level == 4


def test_an_undated_evidence_row_is_a_value_error_naming_the_column(book) -> None:
    book.add(3, "2024-10-01").add(4, "2024-10-02")
    frame = book.frame()
    frame.loc[1, "date"] = pd.NaT
    with pytest.raises(ValueError, match=r"evidence column 'date': 1 rows have no date "
                                         r"\(first: Scores!C3\)"):
        evaluate(frame, {"Default": Policy()}, students=["s1"], outcomes=["o1"])
