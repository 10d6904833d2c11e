"""Golden notes: every label, explanation and next step the engine writes for two real gradebooks.

The evidence of the demo gradebook (`sheets_backend/demo.py`) and of a larger generated one is
stored in tests/data/ as CSV, so the golden text depends on the engine alone. Each case evaluates
that evidence under one set of policies (every method, every library policy, a mix of policies on
one sheet, flags, retakes and an `as_of` date). `python tests/golden_notes.py --write` rebuilds the
stored files; tests/policy_engine/test_golden_notes.py compares the engine's words to them.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gzip
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from policy_engine import (  # noqa: E402
    METHODS,
    SCHOOL_MARKS,
    Evaluation,
    MissingWork,
    Policy,
    evaluate,
)  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
BOOKS = {"demo": DATA / "demo_evidence.csv.gz", "large": DATA / "large_evidence.csv.gz"}
GOLDEN = {"demo": DATA / "demo_notes.json.gz", "large": DATA / "large_notes.json.gz"}
TEXT_COLUMNS = ("label", "explanation", "next_step")
GOLDEN_LIBRARY = ("MS 442: 3 demonstrations", "Canvas decaying average 65", "Marzano power law",
                  "JumpRope rolling average 75", "Percent scale average",
                  "Letter grades, most frequent")
_STRINGS = ("student_id", "outcome_id", "mark", "assessment", "type", "cell", "retakes")


@dataclass(frozen=True)
class Case:
    """One evaluation of a stored gradebook: the evidence, its policies and the date."""

    name: str
    evidence: pd.DataFrame
    policies: dict[str, Policy]
    outcome_policy: dict[str, str]
    students: list[str]
    outcomes: list[str]
    as_of: dt.date | None = None

    def run(self) -> Evaluation:
        return evaluate(self.evidence, self.policies, students=self.students,
                        outcomes=self.outcomes, outcome_policy=self.outcome_policy,
                        as_of=self.as_of)


def read_evidence(path: Path) -> pd.DataFrame:
    """An evidence frame as the template reader builds it, from its stored CSV."""
    frame = pd.read_csv(path, dtype={c: str for c in _STRINGS}, keep_default_na=False,
                        na_values={"score": [""]}, parse_dates=["date"])
    frame["order"] = frame["order"].astype(np.int64)
    return frame


def _with_flags_and_retakes(ev: pd.DataFrame) -> pd.DataFrame:
    """The evidence with some Late flags (alone and beside a score), Absent marks and retakes."""
    ev = ev.copy()
    picks = np.arange(len(ev))
    scored = ev["score"].notna().to_numpy()
    late = scored & (picks % 23 == 0)
    ev.loc[late, "mark"] = "L"
    lone = ev["mark"].eq("").to_numpy() & scored & (picks % 41 == 7)
    ev.loc[lone, ["mark", "score"]] = ["L", np.nan]
    absent = ev["mark"].eq("").to_numpy() & scored & (picks % 53 == 11)
    ev.loc[absent, ["mark", "score"]] = ["AB", np.nan]
    updates = ev.index[ev["type"].eq("update").to_numpy()]
    # Each update retakes its student's oldest summative of the outcome, as a Type cell would say.
    first = (ev[ev["type"].eq("summative")].sort_values(["date", "order"])
             .groupby(["student_id", "outcome_id"])["assessment"].first())
    key = pd.MultiIndex.from_frame(ev.loc[updates, ["student_id", "outcome_id"]])
    ev.loc[updates, "retakes"] = first.reindex(key).fillna("").to_numpy(object)
    return ev


def _exact(policy: Policy) -> Policy:
    """The policy in exact rounding (an engine from before Rounding has only that)."""
    if "rounding" not in {f.name for f in dataclasses.fields(policy)}:
        return policy
    from policy_engine import Rounding

    return dataclasses.replace(policy, rounding=Rounding.EXACT)


def cases(book: str) -> Iterator[Case]:
    """Every case of one stored gradebook."""
    ev = read_evidence(BOOKS[book])
    students = list(dict.fromkeys(ev["student_id"]))
    outcomes = sorted(dict.fromkeys(ev["outcome_id"]))
    marks = SCHOOL_MARKS

    def case(name: str, policies: dict[str, Policy], mapping: dict[str, str] | None = None,
             evidence: pd.DataFrame = ev, as_of: dt.date | None = None) -> Case:
        return Case(name, evidence, policies, mapping or {}, students, outcomes, as_of)

    from sheets_backend.gradebook.policies import load_policy_library

    # The library as it was when the golden notes were written, in exact rounding: the notes
    # pin the words, not later changes of the library's settings.
    library = {name: _exact(policy)
               for name, policy in load_policy_library().items() if name in GOLDEN_LIBRARY}
    if book == "demo":
        for key in METHODS:
            yield case(f"method-{key}", {"Default": Policy(method=key, marks=marks)})
        yield case("demonstrations-same-day-n2-min3", {"Default": Policy(
            n=2, distinct_dates=False, minimum_evidence=3, marks=marks)})
        yield case("average-recent-2-missing-not-yet", {"Default": Policy(
            method="average", recent=2, missing_work=MissingWork.NOT_YET,
            marks=marks)})
        for name, policy in library.items():
            yield case(f"library-{name}", {"Default": dataclasses.replace(policy, name="Default")})
        yield case("as-of-oct-1", {"Default": Policy(marks=marks)}, as_of=dt.date(2026, 10, 1))
    mixed = {"Default": dataclasses.replace(next(iter(library.values())), name="Default"),
             **library}
    names = list(library)
    mapping = {o: names[i % len(names)] for i, o in enumerate(outcomes)}
    yield case("library-mixed", mixed, mapping)
    flagged = _with_flags_and_retakes(ev)
    capped = {name: dataclasses.replace(p, retakes_allowed=i % 2, marks=marks)
              for i, (name, p) in enumerate(mixed.items())}
    yield case("library-mixed-flags-retakes", capped, mapping, flagged)
    if book == "large":
        yield case("method-demonstrations", {"Default": Policy(marks=marks)}, evidence=flagged)
        yield case("method-decaying_average", {"Default": Policy(
            method="decaying_average", marks=marks)}, evidence=flagged)


def notes(evaluation: Evaluation) -> list[list[str]]:
    """Each cell's words: student, outcome, then TEXT_COLUMNS."""
    table = evaluation.outcomes
    columns = ["student_id", "outcome_id", *TEXT_COLUMNS]
    return [[str(v) for v in row] for row in table[columns].itertuples(index=False, name=None)]


def golden(book: str) -> dict[str, list[list[str]]]:
    return json.loads(gzip.decompress(GOLDEN[book].read_bytes()).decode("utf-8"))


def _write_evidence() -> None:
    import tempfile

    from sheets_backend.demo import write_demo_gradebook, write_gradebook
    from sheets_backend.gradebook.template import read_gradebook
    from sheets_backend.sheets.gateway import SheetsGateway, local_client
    from sheets_backend.sheets.local import LocalSheets

    DATA.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        books = {
            "demo": write_demo_gradebook(Path(tmp) / "demo.xlsx"),
            "large": write_gradebook(Path(tmp) / "large.xlsx", students=240, outcomes=16,
                                     scores_per_outcome=6, seed=19, evidence_rows=400),
        }
        for name, path in books.items():
            service = LocalSheets()
            sid = service.open_workbook(path, autosave=False)
            book = read_gradebook(SheetsGateway(local_client(service), sid).read_snapshot())
            columns = ["student_id", "outcome_id", "date", "score", "mark", "assessment", "type",
                       "order", "cell", "retakes"]
            book.evidence[columns].to_csv(BOOKS[name], index=False, compression={
                "method": "gzip", "mtime": 0})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="rebuild the stored files")
    parser.add_argument("--evidence", action="store_true", help="also re-read the gradebooks")
    args = parser.parse_args()
    if not args.write:
        parser.error("say --write to rebuild tests/data/*_notes.json.gz")
    if args.evidence or not all(p.exists() for p in BOOKS.values()):
        _write_evidence()
    for book in BOOKS:
        text = {c.name: notes(c.run()) for c in cases(book)}
        body = json.dumps(text, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        GOLDEN[book].write_bytes(gzip.compress(body, mtime=0))
        print(book, len(text), "cases", sum(map(len, text.values())), "cells",
              GOLDEN[book].stat().st_size, "bytes")


if __name__ == "__main__":
    main()
