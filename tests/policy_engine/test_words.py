"""The words module: text from small tables, and sentences joined per cell."""

from __future__ import annotations

import numpy as np

from policy_engine.words import Trail, day_words, int_words, number_words, table


def test_sentences_survive_a_part_holding_the_separator() -> None:
    trail = Trail(table(["Quiz \x1f1", "; b", "c"]), np.array([0, 0, 2]), 3)
    got = trail.sentences(np.array([0, 1, 2]), table(["(", "[", "{"]), ").")
    assert got.tolist() == ["(Quiz \x1f1; b).", "[).", "{c)."]


def test_sentences_are_the_same_for_every_cell_in_order_shuffled_or_a_few() -> None:
    # Every cell in order takes the direct path; shuffled or some cells, the general one.
    trail = Trail(table(["a", "; b", "c", "d", "; e", "; f"]), np.array([0, 0, 2, 3, 3, 3]), 5)
    heads = table(["0:", "1:", "2:", "3:", "4:"])
    every = trail.sentences(np.arange(5), heads, ".").tolist()
    assert every == ["0:a; b.", "1:.", "2:c.", "3:d; e; f.", "4:."]
    shuffled = np.array([3, 0, 4, 2, 1])
    assert trail.sentences(shuffled, heads[shuffled], ".").tolist() == [every[i] for i in shuffled]
    few = np.array([0, 3])
    assert trail.sentences(few, heads[few], ".").tolist() == [every[0], every[3]]


def test_counts_numbers_and_days_are_written_as_a_teacher_writes_them() -> None:
    assert int_words(np.array([0, 12, 3])).tolist() == ["0", "12", "3"]
    assert number_words(np.array([3.0, 2.5, np.nan, 3.42])).tolist() == ["3", "2.5", "", "3.42"]
    days = np.array(["2024-10-03", "2024-11-01T00:00"], dtype="datetime64[ns]").view(np.int64)
    assert day_words(days).tolist() == ["Oct 3", "Nov 1"]


def test_sentences_of_parts_given_as_codes_into_distinct_texts() -> None:
    # Parts held once each and named by code read as the same parts written out.
    texts = table(["a", "; b", "Quiz \x1f1"])
    coded = Trail(texts, np.array([0, 0, 2, 3]), 4, np.array([0, 1, 0, 1]))
    plain = Trail(table(["a", "; b", "a", "; b"]), np.array([0, 0, 2, 3]), 4)
    heads = table(["0:", "1:", "2:", "3:"])
    for at in (np.arange(4), np.array([3, 1, 0])):
        assert coded.sentences(at, heads[at], ".").tolist() == plain.sentences(at, heads[at], ".").tolist()
    odd = Trail(texts, np.array([1, 1]), 2, np.array([2, 1]))
    assert odd.sentences(np.array([1, 0]), table(["(", "["]), table([")", "]"])).tolist() == [
        "(Quiz \x1f1; b)", "[]"]
