"""The words of explanations, built from small tables: each distinct number, day and piece once.

A gradebook has few distinct values (counts up to the number of assessments, a scale's levels,
the term's days, its assessments), so text is made once per distinct value and then looked up:
looking up an object array copies pointers, while building a string per cell allocates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

Objects = npt.NDArray[np.object_]
Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

MONTHS = np.array("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), dtype=object)
DAY_NS = 86_400 * 10**9


def table(words: list[str]) -> Objects:
    """A lookup table of words as an object array."""
    out = np.empty(len(words), dtype=object)
    out[:] = words
    return out


def filled(size: int, text: str) -> Objects:
    """`text` in each of `size` cells, one shared object (`np.full` writes a new copy in each)."""
    out = np.empty(size, dtype=object)
    out[:] = text
    return out


def int_words(values: Ints) -> Objects:
    """`0`, `1`, `12`: each distinct count written once (values are small and not negative)."""
    if not len(values):
        return np.zeros(0, dtype=object)
    low = int(values.min())
    if low < 0:
        unique, where = np.unique(values, return_inverse=True)
        return table([str(v) for v in unique.tolist()])[where.reshape(-1)]
    return table([str(v) for v in range(int(values.max()) + 1)])[values]


def number_words(values: Floats) -> Objects:
    """`3`, `2.5`, `3.42`: numbers as a teacher writes them ("" for NaN)."""
    codes, unique = pd.factorize(values, use_na_sentinel=True)
    words = table([f"{v:g}" for v in unique.tolist()] + [""])
    return np.asarray(words[codes], dtype=object)


def day_words(dates: Ints) -> Objects:
    """`Oct 3` for dates as ns since the epoch; each distinct day formatted once."""
    if not len(dates):
        return np.zeros(0, dtype=object)
    day = dates // DAY_NS
    codes, days = pd.factorize(day)
    when = pd.DatetimeIndex(days * DAY_NS)
    words = MONTHS[when.month.to_numpy() - 1] + " " + int_words(when.day.to_numpy(np.int64))
    return np.asarray(np.asarray(words, dtype=object)[codes], dtype=object)


def factorize(*keys: npt.NDArray[np.generic]) -> tuple[Ints, Ints]:
    """Codes of the distinct combinations of `keys` (equal-length arrays), and one row of each."""
    code = np.zeros(len(keys[0]), dtype=np.int64)
    for key in keys:
        part, uniques = pd.factorize(key)
        code = code * (len(uniques) + 1) + part
        code = pd.factorize(code)[0].astype(np.int64)
    # pandas numbers codes by first appearance, so the first occurrences come in code order.
    first = np.flatnonzero(~pd.Series(code).duplicated().to_numpy()).astype(np.int64)
    return code, first


def small_codes(key: Ints) -> tuple[Ints, Ints]:
    """Codes of the distinct values of a non-negative integer `key`, and one row of each.

    A key of small range (a gradebook's assessments x days x values) is coded through a dense
    table, without hashing; a wide one through `factorize`.
    """
    if not len(key):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    top = int(key.max()) + 1
    if top > 8 * len(key) + 1024:
        return factorize(key)
    present = np.zeros(top, dtype=bool)
    present[key] = True
    code = (np.cumsum(present) - 1)[key].astype(np.int64)
    # Any row of a code will do: every row of one code has the same words.
    rep = np.empty(int(present.sum()), dtype=np.int64)
    rep[code] = np.arange(len(key), dtype=np.int64)
    return code, rep


_END = "\x1f"  # ASCII unit separator: never typed in a gradebook, and checked for anyway


@dataclass(frozen=True)
class Trail:
    """The named evidence of every cell as parts ("Quiz 2, Oct 3: 3", "; Project, Nov 1: 4"),
    sorted by `cell`; `sentences` wraps each cell's parts in words, in one C join.

    Part i is `texts[code[i]]`: each distinct part is held once (without `code`, `texts` are the
    parts themselves).
    """

    texts: Objects
    cell: Ints
    size: int
    code: Ints | None = None

    def sentences(self, at: Ints, heads: Objects, tail: str | Objects) -> Objects:
        """`heads[i] + <the parts of cell at[i]> + tail` (or `tail[i]`) for each i: every cell's
        sentence.

        >>> trail = Trail(table(["a", "; b", "c"]), np.array([0, 0, 2]), 3)
        >>> trail.sentences(np.array([2, 0, 1]), table(["(", "[", "{"]), ".").tolist()
        ['(c.', '[a; b.', '{.']
        >>> trail.sentences(np.array([0, 2]), table(["(", "{"]), table([".", "!"])).tolist()
        ['(a; b.', '{c!']
        """
        if not len(at):
            return np.zeros(0, dtype=object)
        ascending = len(at) < 2 or bool(np.all(at[1:] > at[:-1]))
        order = np.arange(len(at)) if ascending else np.argsort(at, kind="stable")
        cells = at[order]
        if ascending and len(cells) == self.size:  # every cell, once: every part is kept
            keep = np.arange(len(self.cell))
        else:
            wanted = np.zeros(self.size, dtype=bool)
            wanted[cells] = True
            keep = np.flatnonzero(wanted[self.cell])
        every = len(keep) == len(self.cell)
        counts = np.bincount(self.cell if every else self.cell[keep], minlength=self.size)[cells]
        # Each sentence is its head, its parts, then the tail and a separator to split on (one
        # slot for both when the tail is one text, so no string is made per cell). Every slot is
        # a code into one table (the parts' texts, the heads, the tails): one take fills them.
        one_tail = isinstance(tail, str)
        gap = 2 if one_tail else 3
        ends = np.cumsum(counts + gap)
        starts = ends - counts - gap
        n_texts, n_cells = len(self.texts), len(cells)
        ordered = heads if ascending else heads[order]
        if one_tail:
            tails = table([tail + _END])
        else:
            tails = np.append(tail if ascending else tail[order], _END)
        slot = np.empty(int(ends[-1]) if len(ends) else 0, dtype=np.int64)
        slot[starts] = np.arange(n_texts, n_texts + n_cells)
        after = n_texts + n_cells  # the first tail's code
        if one_tail:
            slot[ends - 1] = after
        else:
            slot[ends - 2] = np.arange(after, after + n_cells)
            slot[ends - 1] = after + n_cells
        codes = np.arange(len(self.cell), dtype=np.int64) if self.code is None else self.code

        def positions() -> Ints:
            """Each kept part's place among its cell's parts (0 for the first)."""
            return np.asarray(np.arange(len(keep)) - np.concatenate(([0], np.cumsum(counts)[:-1]))[
                np.repeat(np.arange(len(cells)), counts)], dtype=np.int64)

        if ascending and every:
            # Every part, sorted by cell: part j comes after its own cell's head and the heads,
            # tails and separators of the sentences before it.
            if len(cells) == self.size:  # every cell: a cell is its own rank
                rank = self.cell
            else:
                ranks = np.zeros(self.size, dtype=np.int64)
                ranks[cells] = np.arange(len(cells), dtype=np.int64)
                rank = ranks[self.cell]
            slot[np.arange(len(keep)) + gap * rank + 1] = codes
        else:
            first = np.zeros(self.size, dtype=np.int64)
            first[cells] = starts + 1
            slot[first[self.cell[keep]] + positions()] = codes[keep]
        out = np.concatenate([self.texts, ordered, tails])[slot]
        pieces = "".join(out.tolist()).split(_END)
        if len(pieces) != len(cells) + 1:  # a part holds the separator: add it up instead
            position = positions()
            joined = filled(self.size, "")
            for c in range(int(counts.max(initial=0))):  # at most five parts a cell
                rows = keep[position == c]
                joined[self.cell[rows]] = joined[self.cell[rows]] + self.texts[codes[rows]]
            text = heads[order] + joined[cells] + (tail if one_tail else tail[order])
        else:
            pieces.pop()  # the empty text after the last separator
            text = table(pieces)
        if ascending:
            return np.asarray(text, dtype=object)
        result = np.empty(len(at), dtype=object)
        result[order] = text
        return result


def plural(counts: Ints, word: str) -> Objects:
    """`score` for 1, `scores` otherwise."""
    return np.where(counts == 1, word, word + "s").astype(object)
