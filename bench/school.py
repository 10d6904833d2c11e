"""A school recompute at 6, 60 and 600 gradebooks, generated locally: wall time, Sheets calls and
bytes, and how the time grows.

Each gradebook is one section: 30 students x 8 outcomes x 4 scores (~1,000 score cells); a student
sits in four courses (one per subject) of their grade, so 600 gradebooks are 4,500 students. Every
gradebook is recomputed through real gspread and the local Sheets service (its own 2 reads and 1
write, the .xlsx saved as a teacher's would be), then the school workbook's tabs in one write.

    .venv/bin/python bench/school.py [--sizes 6 60 600] [--no-save]
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sheets_backend.runtime import tune_garbage_collector  # noqa: E402
from sheets_backend.school.course import recompute_course  # noqa: E402
from sheets_backend.school.demo import bench_specs, write_school  # noqa: E402
from sheets_backend.school.run import (  # noqa: E402
    LocalOpener,
    read_school_book,
    summarise,
    write_school_tabs,
)
from sheets_backend.school.workbook import Course  # noqa: E402
from sheets_backend.sheets.gateway import SheetsGateway, local_client  # noqa: E402
from sheets_backend.sheets.local import LocalSheets  # noqa: E402
from sheets_backend.sheets.snapshot import Snapshot  # noqa: E402

GOOGLE_READS_PER_MINUTE = 60  # per user: the quota a school recompute spends on one account


class Counting(SheetsGateway):
    """The real gateway, also counting the bytes of the values read and of each batchUpdate."""

    read_bytes = 0
    write_bytes = 0

    def read_snapshot(self, skip_titles: frozenset[str] = frozenset()) -> Snapshot:
        snapshot = super().read_snapshot(skip_titles)
        Counting.read_bytes += sum(len(orjson.dumps(list(t.rows))) for t in snapshot.tabs)
        return snapshot

    def apply(self, plan: Any) -> dict[str, Any]:
        self.last_write = len(orjson.dumps(plan.body()))
        Counting.write_bytes += self.last_write
        return super().apply(plan)


class CountingOpener(LocalOpener):
    def __call__(self, course: Course) -> SheetsGateway:
        service = LocalSheets()
        sid = service.open_workbook(self.folder / course.ref, autosave=self.autosave)
        return Counting(local_client(service), sid)


def run(size: int, folder: Path, save: bool) -> dict[str, float]:
    specs = bench_specs(size)
    t = time.perf_counter()
    path = write_school(folder, specs, section_size=30, sections=math.ceil(size / 12))
    generated = time.perf_counter() - t
    Counting.read_bytes = Counting.write_bytes = 0
    service = LocalSheets()
    gateway = Counting(local_client(service), service.open_workbook(path, autosave=save))
    t = time.perf_counter()
    # The steps a job would run one per task, timed apart: the school read, each gradebook, the
    # aggregation and the school's write.
    snapshot, school = read_school_book(gateway)
    opener = CountingOpener(path, autosave=save)
    results = [recompute_course(school, i, opener) for i in range(len(school.courses))]
    gradebooks = time.perf_counter() - t
    view, tabs, _ = write_school_tabs(gateway, snapshot, school, results)
    wall = time.perf_counter() - t
    summary = summarise(view, gateway, t, True, tabs)
    calls = summary.api_calls
    print(f"{size:4d} gradebooks, {summary.students:5d} students: {wall:7.2f} s "
          f"({wall / size * 1000:5.0f} ms per gradebook); calls: {calls['read']} reads, "
          f"{calls['write']} writes; {Counting.read_bytes / 1e6:6.1f} MB read, "
          f"{Counting.write_bytes / 1e6:6.1f} MB written "
          f"(generating the files: {generated:.1f} s, not counted)")
    print(f"      gradebooks {gradebooks:.2f} s, then aggregate + the school's tabs "
          f"{wall - gradebooks:.2f} s; the school workbook's own write: "
          f"{gateway.last_write / 1e6:.1f} MB, {len(summary.tabs)} tabs in one batchUpdate")
    print(f"      on Google: {calls['read']} reads is {calls['read'] / GOOGLE_READS_PER_MINUTE:.0f} "
          "min of one user's read quota (60 a minute)")
    assert summary.read == size, summary.to_dict()["not_read"]
    return {"size": size, "wall": wall}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[6, 60, 600])
    parser.add_argument("--no-save", action="store_true", help="do not save each .xlsx")
    args = parser.parse_args()
    tune_garbage_collector()
    print("school recompute: gradebooks of 30 students x 8 outcomes x 4 scores, one per section")
    results = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            results.append(run(size, Path(folder), not args.no_save))
    for before, after in zip(results, results[1:], strict=False):
        ratio = after["wall"] / before["wall"]
        print(f"  {before['size']} -> {after['size']} gradebooks "
              f"(x{after['size'] / before['size']:.0f}): time x{ratio:.1f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
