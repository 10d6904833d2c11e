"""apply_overrides(): an override wins, the calculation stays visible, expiry follows the policy."""

from __future__ import annotations

import dataclasses

import pandas as pd

from policy_engine import OVERRIDDEN_COLUMNS, Policy, apply_overrides, empty_overrides


def overrides(*rows: tuple[str, str, str, float, str]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [{"student_id": s, "outcome_id": o, "status": st, "level": lv, "reason": "Conference",
          "date": pd.Timestamp(d), "teacher": "Ms. Rivera", "cell": f"Overrides!C{i + 2}"}
         for i, (s, o, st, lv, d) in enumerate(rows)],
        columns=list(empty_overrides().columns),
    )
    frame["date"] = frame["date"].astype("datetime64[ns]")
    return frame


def test_no_overrides_change_nothing_but_add_the_override_columns(book) -> None:
    book.students = ["s1", "s2"]
    result = book.add(3).add(2, student="s2").evaluate()
    after, expired = apply_overrides(result, empty_overrides(), {"Default": Policy()})
    assert after.outcomes.drop(columns=list(OVERRIDDEN_COLUMNS)).equals(result.outcomes)
    assert after.students.equals(result.students)
    assert expired.empty and set(after.outcomes["override"]) == {""}


def test_an_override_recounts_the_students_totals(book) -> None:
    book.students = ["s1", "s2"]
    result = book.add(3).add(2, student="s2").evaluate()
    after, _ = apply_overrides(result, overrides(("s2", "o1", "mastered", float("nan"),
                                                  "2024-10-02")), {"Default": Policy()})
    assert list(after.students["met"]) == [0, 1]
    s2 = after.outcomes.iloc[1]
    assert (s2.status, s2.label, s2.band, s2.colour, s2.calculated) == (
        "mastered", "Mastered", "mastered", "#8fd1d0", "Not Yet")
    assert s2.next_step == "Next: nothing more is needed for this outcome."
    assert s2.level == 2  # a status alone keeps the calculated level


def test_an_override_of_an_unassessed_outcome_says_it_was_not_assessed(book) -> None:
    result = book.evaluate()
    after, _ = apply_overrides(result, overrides(("s1", "o1", "", 3.0, "2024-10-02")),
                               {"Default": Policy()})
    row = after.outcomes.iloc[0]
    assert (row.status, row.level, row.level_label) == ("mastered", 3.0, "Meeting")
    assert row.explanation.startswith("Calculated: not assessed. Overridden by Ms. Rivera on Oct 2")


def test_expiry_needs_newer_counted_evidence_and_the_policy(book) -> None:
    result = book.add(3, "2024-10-05").add(4, "2024-10-09", kind="formative").evaluate()
    early = overrides(("s1", "o1", "mastered", float("nan"), "2024-10-01"))
    late = overrides(("s1", "o1", "mastered", float("nan"), "2024-10-06"))
    expiring = {"Default": dataclasses.replace(Policy(), override_expires=True)}
    after, expired = apply_overrides(result, early, expiring)
    assert after.outcomes.iloc[0].status == "on_track"
    assert list(expired["cell"]) == ["Overrides!C2"]
    assert expired["last_date"].iloc[0] == pd.Timestamp("2024-10-05")
    # formative evidence on Oct 9 is not counted: it does not outdate an Oct 6 override
    assert apply_overrides(result, late, expiring)[0].outcomes.iloc[0].status == "mastered"
    assert apply_overrides(result, early, {"Default": Policy()})[0].outcomes.iloc[0].status == (
        "mastered")
