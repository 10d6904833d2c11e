"""The evidence an explanation names: each piece's words ("Quiz 2, Oct 3: 3"), written once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from policy_engine import rules, words
from policy_engine.model import Policy
from policy_engine.rules import Bools
from policy_engine.vectorised import Floats, Groups, Ints
from policy_engine.words import day_words, number_words

NAMED_LIMIT = 5  # an explanation names at most this many pieces of evidence


@dataclass(frozen=True)
class Text:
    """The evidence's text columns, whole: marks ("" for none), assessments, retakes, types."""

    mark: rules.Objects
    assessment: rules.Objects
    retakes: rules.Objects
    is_marked: Bools  # rows with a mark


@dataclass(frozen=True)
class Rows:
    """The evidence of one policy's outcomes, as plain arrays, before any sorting.

    Text columns stay whole: `source` (ascending) says where each row is in them, so only the
    few rows an explanation names are ever read.
    """

    cell: Ints
    date: Ints
    order: Ints
    score: Floats
    kind: rules.Objects  # the evidence type as written
    attempt: Ints  # 1, 2, ... for retakes of one assessment; 0 for everything else
    source: Ints
    text: Text

    def take(self, at: Ints) -> Rows:
        return Rows(self.cell[at], self.date[at], self.order[at], self.score[at], self.kind[at],
                     self.attempt[at], self.source[at], self.text)

    def mark(self, at: Ints) -> rules.Objects:
        return np.asarray(self.text.mark[self.sheet(at)], dtype=object)

    @property
    def whole(self) -> bool:
        """Every row of the text columns, in sheet order: a row is where it is in them."""
        return len(self.source) == len(self.text.is_marked)

    def sheet(self, at: Ints) -> Ints:
        """Where rows `at` are in the text columns."""
        return at if self.whole else self.source[at]

    def marked(self) -> Ints:
        """The rows with a mark."""
        return np.flatnonzero(self.text.is_marked if self.whole else self.text.is_marked[self.source])

    def assessment(self, at: Ints) -> tuple[Ints, rules.Objects]:
        """Codes and names of the assessments of rows `at` (a blank name is "")."""
        source = self.source[at]
        # Read the names in sheet order, each row once: far quicker than scattered in memory.
        wanted = np.zeros(len(self.text.assessment), dtype=bool)
        wanted[source] = True
        read = np.flatnonzero(wanted)
        code, names = pd.factorize(self.text.assessment[read], use_na_sentinel=True)
        shown = np.asarray(names, dtype=object)
        by_row = np.empty(len(wanted), dtype=np.int64)
        by_row[read] = code
        return by_row[source], np.append(np.where(pd.isna(shown), "", shown), "")


def pieces(g: Groups, named: Bools, rows: Rows, idx: Ints, policy: Policy) -> words.Trail:
    """`Quiz 2, Oct 3: 3; Project, Nov 1: 4`: each cell's newest named evidence, oldest first.

    A piece's words depend on its assessment, day, value and mark only: each distinct piece is
    written once; the explanation joins each cell's pieces into its sentence.
    """
    # Where every row is named (level methods without Recent scores) g itself ranks them.
    per = g if bool(named.all()) else Groups(np.zeros(int(named.sum())), g.group[named], g.size)
    keep = np.flatnonzero(per.reverse < NAMED_LIMIT)
    extra = np.maximum(per.counts - NAMED_LIMIT, 0)
    cell = per.group[keep]
    column = np.minimum(per.counts, NAMED_LIMIT)[cell] - 1 - per.reverse[keep]  # 0 for the first named
    pick = keep if per is g else np.flatnonzero(named)[keep]
    source = idx[pick]
    sheet = rows.sheet(source)
    day = (rows.date[source] if g.dates is None else g.dates[pick]) // words.DAY_NS
    value_code, _ = pd.factorize(g.values[pick])
    mark_code = np.zeros(len(source), dtype=np.int64)
    marked = np.flatnonzero(rows.text.is_marked[sheet])
    if len(marked):
        # 1, 2, ... a mark's code; the sign says whether it stands beside a score.
        mark_code[marked] = pd.factorize(rows.mark(source[marked]))[0] + 1
        mark_code[marked] *= np.where(np.isnan(rows.score[source[marked]]), 1, -1)
    # (day, value, mark) as one small integer, coded through a dense table; then the assessment.
    n_marks = int(np.abs(mark_code).max(initial=0)) * 2 + 1
    small = ((day - (int(day.min()) if len(day) else 0)) * (int(value_code.max(initial=0)) + 1)
             + value_code) * n_marks + mark_code + n_marks // 2
    code, first, names = _by_assessment(rows, source, sheet, *words.small_codes(small))
    rep = source[first]
    shown = number_words(g.values[pick[first]])
    marked_rep = np.flatnonzero(mark_code[first] != 0)
    if len(marked_rep):
        # A family reads words, never codes: "Missing (counts as 1)", "3 (Late)".
        label = mark_labels(rows.mark(rep[marked_rep]), policy)
        shown[marked_rep] = np.where(
            mark_code[first][marked_rep] < 0,
            shown[marked_rep] + " (" + label + ")",
            label + " (counts as " + shown[marked_rep] + ")",
        )
    text = names + ", " + words.day_words(rows.date[rep]) + ": " + shown
    # Each part is a code into the texts: a piece, a piece after "; ", a piece led by a count.
    part = code + len(text)
    start = np.flatnonzero(column == 0)
    part[start] = code[start]
    texts = [text, "; " + text]
    # "3 earlier; Quiz 2, Oct 3: 3": each distinct (count, first piece) written once.
    older = start[extra[cell[start]] > 0]
    if len(older):
        both, one = words.small_codes(extra[cell[older]] * len(text) + code[older])
        texts.append(words.int_words(extra[cell[older[one]]]) + " earlier; " + text[code[older[one]]])
        part[older] = 2 * len(text) + both
    return words.Trail(np.concatenate(texts), cell, g.size, part)


def _by_assessment(rows: Rows, source: Ints, sheet: Ints, code: Ints, first: Ints
                   ) -> tuple[Ints, Ints, rules.Objects]:
    """Codes of (`code`, assessment name) for rows `source`, one row of each, and each one's name.

    The pieces of one day, value and mark nearly always share an assessment: each row's
    assessment is compared with its code's first row's (no hashing, each string read once), and
    only rows that differ, and retakes (whose names say which attempt they are), are coded by name.
    """
    theirs = rows.text.assessment[sheet]
    try:
        differ = theirs != theirs[first][code]
    except TypeError:  # pd.NA equals nothing, not even itself: every row is coded by name
        differ = np.ones(len(source), dtype=bool)
    odd = np.flatnonzero(differ | (rows.attempt[source] > 0) if len(rows.text.retakes) else differ)
    part = np.zeros(len(source), dtype=np.int64)  # 0: named as its code's first row
    odd_names = np.zeros(0, dtype=object)
    if len(odd):
        odd_code, odd_names = assessment_names(rows, source[odd])
        part[odd] = odd_code + 2  # from 1, for a blank name (code -1)
        code, first = words.small_codes(part * len(first) + code)
    names = np.asarray(theirs[first], dtype=object)
    names[pd.isna(names)] = ""  # None equals None: a blank reads "", as `Rows.assessment` has it
    by_name = np.flatnonzero(part[first] > 0)
    names[by_name] = odd_names[part[first][by_name] - 2]
    return code, first, names


def mark_labels(codes: rules.Objects, policy: Policy) -> rules.Objects:
    labels = {m.code.upper(): m.label for m in policy.marks}
    which, distinct = pd.factorize(codes, use_na_sentinel=True)
    return np.asarray(words.table([labels.get(c, "") for c in distinct] + [""])[which], dtype=object)


def assessment_names(rows: Rows, at: Ints) -> tuple[Ints, rules.Objects]:
    """Codes and assessment names of rows `at`; a retake says which attempt it is:
    `Quiz 3 retake (retake 2 of Quiz 3)`."""
    code, names = rows.assessment(at)
    retake = np.flatnonzero(rows.attempt[at] > 0)
    if len(retake):
        which = at[retake]
        target = rows.text.retakes[rows.source[which]]
        spelled = (
            names[code[retake]] + " (retake " + words.int_words(rows.attempt[which]) + " of "
            + np.where(pd.isna(target), "", target).astype(object) + ")"
        )
        extra, spelled_names = pd.factorize(spelled)
        code = code.copy()
        code[retake] = len(names) + extra
        # The last name stays "" for the code -1 of a blank assessment.
        names = np.concatenate([names, np.asarray(spelled_names, dtype=object), [""]])
    return code, names


def listed(prefix: str, at: Ints, before: rules.Objects, after: str, rows: Rows,
            local: Ints) -> tuple[Ints, rules.Objects]:
    """` Noted: Late (Quiz 2, Oct 3); Absent (Quiz 4, Nov 1).`: a few rows per cell, oldest first.

    `at` are the rows to list (flags, tracked-only marks, retakes beyond the policy's cap) and
    `before` their words ahead of the date; they are few, so this costs nothing on a big sheet.
    Returns the cells and their words.
    """
    order = np.lexsort((rows.order[at], rows.date[at], local[at]))
    at, before = at[order], before[order]
    text = pd.Series(before + day_words(rows.date[at]) + after, dtype=object)
    joined = text.groupby(local[at], sort=True).agg("; ".join)
    return joined.index.to_numpy(np.int64), prefix + joined.to_numpy(object) + "."
