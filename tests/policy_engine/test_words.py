"""The words module: text from small tables, and sentences joined per cell."""

from __future__ import annotations

import numpy as np

from policy_engine.words import Trail, day_words, int_words, number_words, table


def test_sentences_survive_a_part_holding_the_separator() -> None:
    trail = Trail(table(["Quiz \x1f1", "; b", "c"]), np.array([0, 0, 2]), 3)
    got = trail.sentences(np.array([0, 1, 2]), table(["(", "[", "{"]), ").")
    assert got.tolist() == ["(Quiz \x1f1; b).", "[).", "{c)."]


def test_counts_numbers_and_days_are_written_as_a_teacher_writes_them() -> None:
    assert int_words(np.array([0, 12, 3])).tolist() == ["0", "12", "3"]
    assert number_words(np.array([3.0, 2.5, np.nan, 3.42])).tolist() == ["3", "2.5", "", "3.42"]
    days = np.array(["2024-10-03", "2024-11-01T00:00"], dtype="datetime64[ns]").view(np.int64)
    assert day_words(days).tolist() == ["Oct 3", "Nov 1"]
