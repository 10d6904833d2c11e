"""District scale: how long a nightly run over thousands of gradebooks takes inside Google's quotas.

Two steps, both printed:
1. Measure: real recomputes of a sample of generated gradebooks, through real gspread and the local
   Sheets service, each with the injected latency per Google call (`faults.delay`), give what one
   gradebook costs: its Sheets calls (reads, writes, in order), Hive's CPU time and its wall time.
2. Simulate: a discrete-event run of N such gradebooks as Cloud Tasks tasks (one per gradebook) on a
   queue (max concurrent dispatches, max dispatch rate) onto App Engine instances (threads each, one
   CPU each), every Google call taking the measured latency and waiting for quota like Hive's
   bounded retry after a 429 (a GCRA token bucket per user and per project, reads and writes apart).

Whose quota binds depends on whose credentials run the night (docs/deploy.md): with one service
account every call is one user's (60 reads a minute); with domain-wide delegation each teacher is
her own user and the project's 300 a minute binds.

    python bench/district.py                 # 2,000 gradebooks, the default table
    python bench/district.py --gradebooks 500 --latency 0.4 --sample 10
"""

from __future__ import annotations

import argparse
import heapq
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sheets_backend.demo import write_gradebook  # noqa: E402
from sheets_backend.recompute import recompute  # noqa: E402
from sheets_backend.runtime import tune_garbage_collector  # noqa: E402
from sheets_backend.sheets.gateway import SheetsGateway, local_client  # noqa: E402
from sheets_backend.sheets.local import LocalSheets  # noqa: E402

# Google's defaults (Sheets API quotas page): requests per minute.
READS_PER_USER, WRITES_PER_USER = 60, 60
READS_PER_PROJECT, WRITES_PER_PROJECT = 300, 300
THREADS_PER_INSTANCE = 8  # app.yaml: 2 workers x 8 threads; one CPU per F2 instance


@dataclass(frozen=True)
class GradebookCost:
    """What one gradebook's recompute asks of Google and of the instance."""

    calls: tuple[str, ...]  # "read" / "write", in the order the recompute makes them
    cpu_seconds: float
    wall_seconds: float


def measure(sample: int, latency: float, students: int, outcomes: int) -> list[GradebookCost]:
    """Real recomputes of `sample` generated gradebooks, each call delayed by `latency` seconds."""
    costs = []
    with tempfile.TemporaryDirectory() as folder:
        service = LocalSheets()
        service.faults.delay = latency
        for i in range(sample):
            path = Path(folder) / f"gradebook-{i}.xlsx"
            write_gradebook(path, students=students, outcomes=outcomes, scores_per_outcome=4,
                            seed=100 + i, sections=1)
            sid = service.open_workbook(path, autosave=False)
            gateway = SheetsGateway(local_client(service), sid)
            wall, cpu = time.perf_counter(), time.process_time()
            recompute(gateway)
            cpu = time.process_time() - cpu
            wall = time.perf_counter() - wall
            calls = ("read",) * gateway.calls.read + ("write",) * gateway.calls.write
            costs.append(GradebookCost(calls, cpu, wall))
    return costs


class Bucket:
    """GCRA: `per_minute` calls a minute, `burst` at once at most (a quota's minute window allows
    a minute's worth; a queue's burst is its `bucket_size`). `reserve(t)` is the earliest time from
    t a call conforms; `commit(t)` spends one call at that time."""

    def __init__(self, per_minute: float, burst: float | None = None) -> None:
        self.interval = 60.0 / per_minute
        self.tolerance = ((per_minute if burst is None else burst) - 1) * self.interval
        self.tat = 0.0  # theoretical arrival time

    def reserve(self, t: float) -> float:
        return max(t, self.tat - self.tolerance)

    def commit(self, t: float) -> None:
        self.tat = max(self.tat, t) + self.interval


@dataclass(frozen=True)
class Scenario:
    credentials: str  # "service account" or "delegation"
    project_quota: int  # reads (and writes) per minute per project
    instances: int
    queue_rate: float  # max dispatches per second (queue.yaml `rate`)


@dataclass(frozen=True)
class Outcome:
    wall_seconds: float
    task_p95_seconds: float
    quota_wait_share: float


def simulate(n: int, cost: GradebookCost, latency: float, scenario: Scenario,
             gradebooks_per_teacher: int = 2) -> Outcome:
    """N tasks through the queue onto the instances, events taken in time order: a task is
    dispatched when a slot is free and the queue's rate allows, then makes its calls one after
    another, each waiting for its quotas, with Hive's CPU work after each on its instance's CPU."""
    slots = scenario.instances * THREADS_PER_INSTANCE
    user_quota = {"read": READS_PER_USER, "write": WRITES_PER_USER}
    project = {kind: Bucket(scenario.project_quota) for kind in ("read", "write")}
    users: dict[tuple[int, str], Bucket] = {}
    dispatch = Bucket(scenario.queue_rate * 60, burst=max(1.0, scenario.queue_rate))
    cpu_free = [0.0] * scenario.instances  # when each instance's one CPU is next free
    cpu_each = cost.cpu_seconds / max(1, len(cost.calls))
    started: dict[int, float] = {}
    durations: list[float] = []
    waited = 0.0
    # (time, task, step): step i < len(calls) is "make call i"; each call is followed by its CPU.
    events: list[tuple[float, int, int]] = []
    next_task = 0

    def dispatch_one(t: float) -> None:
        nonlocal next_task
        if next_task < n:
            when = dispatch.reserve(t)
            dispatch.commit(when)
            started[next_task] = when
            heapq.heappush(events, (when, next_task, 0))
            next_task += 1

    for _ in range(min(slots, n)):
        dispatch_one(0.0)
    while events:
        t, task, step = heapq.heappop(events)
        if step == len(cost.calls):
            durations.append(t - started[task])
            dispatch_one(t)  # the slot is free for the next task
            continue
        kind = cost.calls[step]
        user = 0 if scenario.credentials == "service account" else task // gradebooks_per_teacher
        bucket = users.setdefault((user, kind), Bucket(user_quota[kind]))
        ready = max(bucket.reserve(t), project[kind].reserve(t))
        waited += ready - t
        bucket.commit(ready)
        project[kind].commit(ready)
        instance = task % scenario.instances
        cpu_start = max(ready + latency, cpu_free[instance])
        cpu_free[instance] = cpu_start + cpu_each
        heapq.heappush(events, (cpu_start + cpu_each, task, step + 1))
    durations.sort()
    end = max(started[i] + d for i, d in enumerate(durations)) if durations else 0.0
    end = max(end, max(cpu_free))
    return Outcome(end, durations[int(0.95 * (len(durations) - 1))], waited / sum(durations))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gradebooks", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.4, help="seconds per Google call")
    parser.add_argument("--sample", type=int, default=6, help="gradebooks recomputed for real")
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--outcomes", type=int, default=10)
    args = parser.parse_args()
    tune_garbage_collector()

    costs = measure(args.sample, args.latency, args.students, args.outcomes)
    calls = costs[0].calls
    cpu = statistics.median(c.cpu_seconds for c in costs)
    wall = statistics.median(c.wall_seconds for c in costs)
    print(f"measured: {args.sample} real recomputes of {args.students} students x "
          f"{args.outcomes} outcomes x 4 scores, {args.latency:.1f} s per Google call")
    print(f"  per gradebook: {calls.count('read')} reads + {calls.count('write')} write, "
          f"Hive CPU {cpu * 1000:.0f} ms (median), wall {wall:.2f} s")
    cost = GradebookCost(calls, cpu, wall)
    reads = calls.count("read")

    print(f"\nsimulated: {args.gradebooks:,} gradebooks, one Cloud Tasks task each, "
          f"{THREADS_PER_INSTANCE} threads per instance")
    print("| credentials | project quota/min | instances | queue rate/s | wall | gradebooks/h "
          "| task p95 | waiting for quota |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    scenarios = []
    for credentials, sa_rate in (("service account", READS_PER_USER / reads / 60), ):
        for instances in (1, 2, 10):
            scenarios.append(Scenario(credentials, READS_PER_PROJECT, instances, sa_rate))
        scenarios.append(Scenario(credentials, READS_PER_PROJECT, 2, 5.0))
    for quota in (READS_PER_PROJECT, 1200, 3000):
        for instances in (2, 10):
            scenarios.append(Scenario("delegation", quota, instances, quota / reads / 60))
    for s in scenarios:
        out = simulate(args.gradebooks, cost, args.latency, s)
        print(f"| {s.credentials} | {s.project_quota} | {s.instances} | {s.queue_rate:.2f} "
              f"| {out.wall_seconds / 60:.1f} min | {args.gradebooks / out.wall_seconds * 3600:,.0f} "
              f"| {out.task_p95_seconds:.1f} s | {out.quota_wait_share:.0%} |")
    bound_sa = args.gradebooks * reads / READS_PER_USER
    bound_dwd = args.gradebooks * reads / READS_PER_PROJECT
    print(f"\nfloor from the read quota alone: {bound_sa:.0f} min with one service account, "
          f"{bound_dwd:.0f} min with delegation at 300/min")
    print("a queue faster than the quota only moves the wait into the tasks (long p95, 429s): "
          "set queue.yaml's rate from the quota, as the first rows do")


if __name__ == "__main__":
    main()
