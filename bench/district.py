"""District scale: how long a nightly run over thousands of gradebooks takes inside Google's quotas.

Two steps, both printed:
1. Measure: a real `school_recompute` job (the one the nightly run starts) over a small local school,
   its steps run one by one through real gspread and the local Sheets service with the injected
   latency per Google call (`faults.delay`), gives what each step asks of Google: its calls (reads,
   writes, in order; on the school workbook or on a gradebook), Hive's CPU time and wall time.
2. Simulate: a district of schools, each school one job whose steps are Cloud Tasks tasks run one
   after another (one per gradebook, then one that writes the school's tabs), every school's chain
   at once on a queue (max dispatch rate) onto App Engine instances (threads each, one CPU each);
   every Google call takes the latency and waits for quota like Hive's bounded retry after a 429
   (a GCRA token bucket per user and per project, reads and writes apart).

Whose quota binds depends on whose credentials run the night (docs/deploy.md): with one service
account every call is one user's (60 reads a minute); with domain-wide delegation each teacher is
her own user and the project's 300 a minute binds.

    python bench/district.py                 # 2,000 gradebooks in schools of 50, the default table
    python bench/district.py --gradebooks 500 --per-school 40 --latency 0.4
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

import requests  # noqa: E402

from sheets_backend.demo import write_gradebook  # noqa: E402
from sheets_backend.gradebook.policies import default_policies, policy_tab_rows  # noqa: E402
from sheets_backend.jobs.model import StepContext, owner_of  # noqa: E402
from sheets_backend.jobs.runner import run_step  # noqa: E402
from sheets_backend.jobs.school import new_job  # noqa: E402
from sheets_backend.jobs.store import MetadataJobStore  # noqa: E402
from sheets_backend.runtime import tune_garbage_collector  # noqa: E402
from sheets_backend.sheets.gateway import local_client  # noqa: E402
from sheets_backend.sheets.local import LocalSheets  # noqa: E402

# Google's defaults (Sheets API quotas page): requests per minute.
READS_PER_USER, WRITES_PER_USER = 60, 60
READS_PER_PROJECT, WRITES_PER_PROJECT = 300, 300
THREADS_PER_INSTANCE = 8  # app.yaml: 2 workers x 8 threads; one CPU per F2 instance


Call = tuple[str, str]  # (where: "school" or "gradebook", "read" or "write")


@dataclass(frozen=True)
class JobCost:
    """What a school_recompute job asks of Google, measured: each gradebook step's calls, and the
    final step's calls on the school workbook plus those it makes per gradebook."""

    step: tuple[Call, ...]
    final_school: tuple[Call, ...]
    final_per_gradebook: tuple[Call, ...]
    cpu_per_step: float
    wall_per_step: float

    def final(self, gradebooks: int) -> tuple[Call, ...]:
        return self.final_school[:1] + self.final_per_gradebook * gradebooks + self.final_school[1:]


class CallLog:
    """Every Google call the job's client makes, by spreadsheet, read or write (Google counts a
    developerMetadata search as a read)."""

    def __init__(self, school_id: str) -> None:
        self.school_id = school_id
        self.calls: list[Call] = []

    def hook(self, response: requests.Response, *args: object, **kwargs: object) -> None:
        url = response.request.url or ""
        where = "school" if f"/spreadsheets/{self.school_id}" in url else "gradebook"
        write = response.request.method == "POST" and url.split("?")[0].endswith(":batchUpdate")
        self.calls.append((where, "write" if write else "read"))


def measure(gradebooks: int, latency: float, students: int, outcomes: int) -> JobCost:
    """A real school_recompute job over `gradebooks` generated gradebooks, step by step."""
    with tempfile.TemporaryDirectory() as folder:
        service = LocalSheets()
        rows = [["Gradebook", "Course", "Teacher", "Teacher Email", "Department"]]
        for i in range(gradebooks):
            path = Path(folder) / f"book{i:02d}.xlsx"
            write_gradebook(path, students=students, outcomes=outcomes, scores_per_outcome=4,
                            seed=100 + i, sections=1)
            rows.append([service.open_workbook(path, autosave=False), f"Course {i}",
                         f"Teacher {i}", f"t{i}@school.example.org", "Math"])
        school = service.create_workbook_from_rows(
            {"Gradebooks": rows, "Policy": policy_tab_rows(default_policies())},
            spreadsheet_id="school", autosave=False)
        log = CallLog(school)
        client = local_client(service)
        client.http_client.session.hooks["response"].append(log.hook)
        job = new_job(StepContext(client=client, store=MetadataJobStore(client, school),
                                  students_per_step=5), owner_of("bench"), school)
        service.faults.delay = latency
        steps: list[tuple[list[Call], float, float]] = []
        while not job.state.finished:
            log.calls = []
            wall, cpu = time.perf_counter(), time.process_time()
            job = run_step(client, job.id, 5)
            steps.append((log.calls, time.process_time() - cpu, time.perf_counter() - wall))
    *per_gradebook, (final, _, _) = steps
    middle = per_gradebook[len(per_gradebook) // 2][0]
    on_books = [c for c in final if c[0] == "gradebook"]
    return JobCost(
        step=tuple(middle),
        final_school=tuple(c for c in final if c[0] == "school"),
        final_per_gradebook=tuple(on_books[: len(on_books) // gradebooks]),
        cpu_per_step=statistics.median(s[1] for s in per_gradebook),
        wall_per_step=statistics.median(s[2] for s in per_gradebook),
    )


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
    step_p95_seconds: float
    final_step_seconds: float  # the longest aggregation step (it reads every gradebook)
    quota_wait_share: float


def simulate(gradebooks: int, per_school: int, cost: JobCost, latency: float, scenario: Scenario,
             gradebooks_per_teacher: int = 2) -> Outcome:
    """Every school's job at once, each a chain of tasks (one per gradebook, then the final one),
    events taken in time order: a task is dispatched when the queue's rate allows and a slot is
    free, makes its calls one after another, each waiting for its quotas, with Hive's CPU work
    after each call on its instance's one CPU; the school's next task follows when it ends."""
    schools = [min(per_school, gradebooks - s) for s in range(0, gradebooks, per_school)]
    slots = scenario.instances * THREADS_PER_INSTANCE
    user_quota = {"read": READS_PER_USER, "write": WRITES_PER_USER}
    project = {kind: Bucket(scenario.project_quota) for kind in ("read", "write")}
    users: dict[tuple[str, str], Bucket] = {}
    dispatch = Bucket(scenario.queue_rate * 60, burst=max(1.0, scenario.queue_rate))
    cpu_free = [0.0] * scenario.instances
    cpu_each = cost.cpu_per_step / max(1, len(cost.step))
    durations: list[float] = []
    finals: list[float] = []
    waited = 0.0
    busy = 0
    ready: list[tuple[float, int]] = []  # (time, school) waiting for a slot
    events: list[tuple[float, int, int, int, float]] = []  # (time, school, task, call, started)
    end = 0.0

    def calls(school: int, task: int) -> tuple[Call, ...]:
        return cost.step if task < schools[school] else cost.final(schools[school])

    def user_of(school: int, task: int, where: str) -> str:
        if scenario.credentials == "service account" or where == "school":
            return "robot" if scenario.credentials == "service account" else f"admin{school}"
        return f"teacher{school}-{min(task, schools[school] - 1) // gradebooks_per_teacher}"

    def start(t: float, school: int, task: int) -> None:
        nonlocal busy
        when = dispatch.reserve(t)
        dispatch.commit(when)
        busy += 1
        heapq.heappush(events, (when, school, task, 0, when))

    for school in range(len(schools)):
        ready.append((0.0, school))
    task_of = [0] * len(schools)
    while ready and busy < slots:
        t0, school = ready.pop(0)
        start(t0, school, 0)
    while events:
        t, school, task, i, began = heapq.heappop(events)
        sequence = calls(school, task)
        if i == len(sequence):
            busy -= 1
            (finals if task == schools[school] else durations).append(t - began)
            end = max(end, t)
            if task < schools[school]:
                task_of[school] = task + 1
                ready.append((t, school))
            ready.sort()
            while ready and busy < slots:
                t0, nxt = ready.pop(0)
                start(max(t0, t), nxt, task_of[nxt])
            continue
        where, kind = sequence[i]
        bucket = users.setdefault((user_of(school, task, where), kind), Bucket(user_quota[kind]))
        go = max(bucket.reserve(t), project[kind].reserve(t))
        waited += go - t
        bucket.commit(go)
        project[kind].commit(go)
        instance = school % scenario.instances
        cpu_start = max(go + latency, cpu_free[instance])
        cpu_free[instance] = cpu_start + cpu_each
        heapq.heappush(events, (cpu_start + cpu_each, school, task, i + 1, began))
    durations.sort()
    every = durations + finals
    return Outcome(end, durations[int(0.95 * (len(durations) - 1))], max(finals),
                   waited / sum(every))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gradebooks", type=int, default=2000)
    parser.add_argument("--per-school", type=int, default=50, help="gradebooks per school")
    parser.add_argument("--latency", type=float, default=0.4, help="seconds per Google call")
    parser.add_argument("--sample", type=int, default=4, help="gradebooks of the measured school")
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--outcomes", type=int, default=10)
    args = parser.parse_args()
    tune_garbage_collector()

    cost = measure(args.sample, args.latency, args.students, args.outcomes)
    def count(calls: tuple[Call, ...], where: str, kind: str) -> int:
        return sum(1 for c in calls if c == (where, kind))
    print(f"measured: a real school_recompute job over {args.sample} gradebooks of "
          f"{args.students} students x {args.outcomes} outcomes x 4 scores, "
          f"{args.latency:.1f} s per Google call")
    print(f"  each gradebook's step: {count(cost.step, 'gradebook', 'read')} reads + "
          f"{count(cost.step, 'gradebook', 'write')} write on the gradebook, "
          f"{count(cost.step, 'school', 'read')} reads + {count(cost.step, 'school', 'write')} "
          f"writes on the school workbook (the job's record); Hive CPU "
          f"{cost.cpu_per_step * 1000:.0f} ms, wall {cost.wall_per_step:.2f} s (median)")
    print(f"  the final step: {len(cost.final_per_gradebook)} reads per gradebook, then "
          f"{count(cost.final_school, 'school', 'read')} reads + "
          f"{count(cost.final_school, 'school', 'write')} writes on the school workbook")

    schools = -(-args.gradebooks // args.per_school)
    print(f"\nsimulated: {args.gradebooks:,} gradebooks in {schools} schools of "
          f"{args.per_school}, each school's steps one after another, "
          f"{THREADS_PER_INSTANCE} threads per instance")
    print("| credentials | project quota/min | instances | queue rate/s | wall | gradebooks/h "
          "| step p95 | final step | waiting for quota |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    reads = len([c for c in cost.step if c[1] == "read"])
    scenarios = [Scenario("service account", READS_PER_PROJECT, i, READS_PER_USER / reads / 60)
                 for i in (1, 10)]
    scenarios.append(Scenario("service account", READS_PER_PROJECT, 2, 5.0))
    for quota in (READS_PER_PROJECT, 1200, 3000):
        for instances in (2, 10):
            scenarios.append(Scenario("delegation", quota, instances, quota / reads / 60))
    for s in scenarios:
        out = simulate(args.gradebooks, args.per_school, cost, args.latency, s)
        print(f"| {s.credentials} | {s.project_quota} | {s.instances} | {s.queue_rate:.2f} "
              f"| {out.wall_seconds / 60:.1f} min | {args.gradebooks / out.wall_seconds * 3600:,.0f} "
              f"| {out.step_p95_seconds:.1f} s | {out.final_step_seconds / 60:.1f} min "
              f"| {out.quota_wait_share:.0%} |")
    per_gradebook = reads + len(cost.final_per_gradebook)
    print(f"\nfloor from the read quota alone: {args.gradebooks * per_gradebook / READS_PER_USER:.0f} "
          f"min with one service account ({per_gradebook} reads a gradebook), "
          f"{args.gradebooks * per_gradebook / READS_PER_PROJECT:.0f} min at the project's 300/min")
    print("the final step reads every gradebook of its school in one task: past App Engine's "
          "10-minute task deadline it must be split (docs/nightly.md)")


if __name__ == "__main__":
    main()
