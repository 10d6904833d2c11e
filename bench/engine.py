"""Times policy_engine.evaluate beside a plain pandas groupby of the same rule (900k evidence rows).

1,000 students x 60 outcomes x 15 scores, for the MS 442 rule (n demonstrations on distinct days)
and decaying average: Hive writes every explanation, the reference (bench/pandas_reference.py)
writes no text. Prints both times, their ratio, whether they agree, and Hive's memory.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pandas_reference import RULES  # noqa: E402

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


def _rss_mib() -> float:
    """The process's resident memory now (Linux /proc), in MiB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def _best(run: Callable[[], object], repeat: int) -> tuple[float, list[float], float]:
    """Best wall time, every wall time, and the best CPU time (steadier on a shared machine)."""
    times, cpu = [], []
    for _ in range(repeat):
        start, cpu_start = time.perf_counter(), time.process_time()
        run()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
    return min(times), times, min(cpu)


def _agreement(hive: pd.DataFrame, reference: pd.DataFrame) -> tuple[int, int, int]:
    """Cells whose status differs, whose level differs, and the number of cells."""
    ref = reference.set_index(["student_id", "outcome_id"])
    ref = ref.reindex(pd.MultiIndex.from_frame(hive[["student_id", "outcome_id"]]))
    status = int((ref["status"].to_numpy(object) != hive["status"].to_numpy(object)).sum())
    a, b = ref["level"].to_numpy(np.float64), hive["level"].to_numpy(np.float64)
    level = int((~((a == b) | (np.isnan(a) & np.isnan(b)))).sum())
    return status, level, len(hive)


def run_rule(method: str, students: int, outcomes: int, scores: int, repeat: int) -> None:
    """Time one rule: Hive's evaluate (every explanation) beside the pandas reference."""
    evidence = make_evidence(students, outcomes, scores)
    student_ids = [f"S{i}" for i in range(students)]
    outcome_ids = [f"O{i}" for i in range(outcomes)]
    policy = Policy(method=method)
    policies = {"Default": policy}

    def hive() -> pd.DataFrame:
        return evaluate(evidence, policies, students=student_ids, outcomes=outcome_ids).outcomes

    def reference() -> pd.DataFrame:
        return RULES[method](evidence, policy, student_ids, outcome_ids)

    rss_before = _rss_mib()
    result = hive()
    rss_extra = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss_before
    differ, level_differ, cells = _agreement(result, reference())
    del result
    hive_s, hive_all, hive_cpu = _best(hive, repeat)
    ref_s, ref_all, ref_cpu = _best(reference, repeat)
    tracemalloc.start()
    hive()
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows = len(evidence)

    def spread(times: list[float]) -> str:
        return "/".join(f"{t:.2f}" for t in times)

    print(f"rule: {method}   evidence rows: {rows:,}  cells: {cells:,}")
    print(f"  hive evaluate (every explanation): best {hive_s:.2f} s of {spread(hive_all)} "
          f"({rows / hive_s:,.0f} rows/s); best CPU {hive_cpu:.2f} s")
    print(f"  pandas groupby reference (no text): best {ref_s:.2f} s of {spread(ref_all)}; "
          f"best CPU {ref_cpu:.2f} s")
    print(f"  ratio reference / hive: {ref_s / hive_s:.2f}x wall, {ref_cpu / hive_cpu:.2f}x CPU "
          "(target >= 2x)")
    print(f"  agreement: {cells - differ:,} of {cells:,} statuses equal, "
          f"{cells - level_differ:,} of {cells:,} levels equal")
    print(f"  memory: {rss_extra:,.0f} MiB extra RSS during the first evaluate; "
          f"{traced_peak / 2**20:,.0f} MiB allocated at peak (tracemalloc)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--outcomes", type=int, default=60)
    parser.add_argument("--scores", type=int, default=15)
    parser.add_argument("--method", choices=sorted(RULES), default=None,
                        help="one rule in this process (default: each rule in its own process)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.method is not None:
        run_rule(args.method, args.students, args.outcomes, args.scores, args.repeat)
        return
    # A fresh process per rule, so each rule's memory peak is its own.
    for method in RULES:
        subprocess.run([sys.executable, __file__, "--method", method, "--students",
                        str(args.students), "--outcomes", str(args.outcomes), "--scores",
                        str(args.scores), "--repeat", str(args.repeat)], check=True)


if __name__ == "__main__":
    main()
