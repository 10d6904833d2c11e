"""Times policy_engine.evaluate on 1,000 students x 60 outcomes x 15 scores (900k evidence rows)."""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from policy_engine import Policy, evaluate  # noqa: E402


def make_evidence(students: int, outcomes: int, scores: int, seed: int = 442) -> pd.DataFrame:
    """A synthetic school year: every student scored `scores` times on every outcome."""
    rng = np.random.default_rng(seed)
    rows = students * outcomes * scores
    student = np.repeat(np.arange(students), outcomes * scores)
    outcome = np.tile(np.repeat(np.arange(outcomes), scores), students)
    day = rng.integers(0, 200, rows)
    score = rng.integers(1, 5, rows).astype(float)
    codes = np.array(["", "NY", "MI", "EX"], dtype=object)
    marks = rng.choice(codes, rows, p=[0.94, 0.02, 0.02, 0.02])
    score[marks != ""] = np.nan
    kinds = rng.choice(np.array(["summative", "formative", "update"], dtype=object), rows,
                       p=[0.6, 0.3, 0.1])
    return pd.DataFrame({
        "student_id": pd.Series(np.char.add("S", student.astype(str)), dtype="str"),
        "outcome_id": pd.Series(np.char.add("O", outcome.astype(str)), dtype="str"),
        "date": pd.Timestamp("2024-09-01") + pd.to_timedelta(day, unit="D"),
        "score": score,
        "mark": pd.Series(marks, dtype="str"),
        "assessment": pd.Series(np.char.add("Quiz ", (day % 40).astype(str)), dtype="str"),
        "type": pd.Series(kinds, dtype="str"),
        "order": np.arange(rows, dtype=np.int64),
        "cell": pd.Series(np.full(rows, "Scores!A1"), dtype="str"),
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--outcomes", type=int, default=60)
    parser.add_argument("--scores", type=int, default=15)
    parser.add_argument("--method", default="demonstrations")
    args = parser.parse_args()
    evidence = make_evidence(args.students, args.outcomes, args.scores)
    students = [f"S{i}" for i in range(args.students)]
    outcomes = [f"O{i}" for i in range(args.outcomes)]
    policies = {"Default": Policy(method=args.method)}
    tracemalloc.start()
    start = time.perf_counter()
    result = evaluate(evidence, policies, students=students, outcomes=outcomes)
    seconds = time.perf_counter() - start
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # Timing again without tracemalloc, which slows allocation-heavy code.
    start, cpu_start = time.perf_counter(), time.process_time()
    evaluate(evidence, policies, students=students, outcomes=outcomes)
    untraced = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = len(evidence)
    print(f"method: {args.method}")
    print(f"evidence rows: {rows:,}  cells: {len(result.outcomes):,}")
    print(f"evaluate: {untraced:.2f} s ({rows / untraced:,.0f} evidence rows/s); "
          f"{cpu:.2f} s CPU; {seconds:.2f} s under tracemalloc")
    print(f"peak memory: {traced_peak / 2**20:,.0f} MiB allocated during evaluate (tracemalloc); "
          f"{rss_mb:,.0f} MiB process max RSS")


if __name__ == "__main__":
    main()
