"""The `publish` job kind: every student's report in the teacher's Drive, a few students a step.

Step 0 finds or makes the "Hive progress reports" folder (found again by its `appProperties`
mark, its id saved in the job the moment it exists) and retires leavers' reports; each later step
publishes the next `students_per_step` students of the Roster. A step re-reads the gradebook and
Drive, so any instance can run it, and running it twice creates nothing twice: reports are found
by their `appProperties`, and sharing only adds the addresses a file does not have yet.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from sheets_backend.jobs.model import Job, JobKind, JobState, StepContext, now, register, save_planned
from sheets_backend.publish.google import GooglePublisher, roster_change
from sheets_backend.sheets.gateway import SheetsGateway, translated_errors

log = logging.getLogger(__name__)
COUNTS = ("created", "updated", "retired", "shared", "unshared")


def _evaluate(ctx: StepContext, spreadsheet_id: str, as_of: dt.date | None) -> Any:
    from sheets_backend.recompute import evaluate_sheet

    return evaluate_sheet(SheetsGateway(ctx.client, spreadsheet_id), as_of=as_of)


def _as_of(params: Mapping[str, Any]) -> dt.date | None:
    text = params.get("as_of")
    return dt.date.fromisoformat(text) if text else None


def start(ctx: StepContext, params: Mapping[str, Any]) -> tuple[int, Mapping[str, Any]]:
    """Read the gradebook once (template errors answer the request itself): the student count."""
    book, _ = _evaluate(ctx, params["spreadsheet_id"], _as_of(params))
    return len(book.students), params


def step(ctx: StepContext, job: Job) -> Job:
    """Run step `job.step` of a publish; the job advanced past it (done after the last)."""
    params = dict(job.params)
    sid = job.spreadsheet_id
    with translated_errors():
        if job.step == 0 and not params.get("folder_id"):
            publisher = GooglePublisher(ctx.client, "", sid)
            params["folder_id"] = publisher.find_or_create_folder()
            job = job.replace(params=params, state=JobState.RUNNING, updated=now())
            ctx.store.save(job)  # remembered the moment it exists
        book, evaluation = _evaluate(ctx, sid, _as_of(params))
        publisher = GooglePublisher(ctx.client, params["folder_id"], sid)
        reports = publisher.reports(book, evaluation, as_of=_as_of(params))
        existing = dict(reversed(publisher.existing()))  # oldest file wins for a key
        keys = list(reports)
        total = len(keys)
        if job.step == 0:
            change = roster_change(keys, publisher.existing())
            job, counts = save_planned(ctx, job, {"retired": len(change.retire)})
            done_counts = {"shared": 0, "unshared": 0}
            publisher.retire(change.retire, done_counts)
            first = 0
        else:
            first = (job.step - 1) * ctx.students_per_step
            batch = keys[first:first + ctx.students_per_step]
            plans = {k: publisher.planned(reports[k], existing.get(k)) for k in batch}
            planned = {c: sum(p[c] for p in plans.values()) for c in COUNTS if c != "retired"}
            job, counts = save_planned(ctx, job, planned)
            scratch = {"shared": 0, "unshared": 0}
            for key in batch:
                publisher.publish_one(key, reports[key], existing.get(key), scratch)
            first += len(batch)
    merged = {c: job.counts.get(c, 0) + counts.get(c, 0) for c in COUNTS}
    finished = job.step > 0 and first >= total
    job = job.replace(step=job.step + 1, done=min(first, total), total=total, counts=merged,
                      pending=None, updated=now(),
                      state=JobState.DONE if finished else JobState.RUNNING)
    if finished:
        job = job.replace(result={"folder_id": params["folder_id"], "students": total, **merged},
                          message=finished_message(total, merged))
    elif job.step == 1 and total == 0:
        job = job.replace(state=JobState.DONE, result={"folder_id": params["folder_id"],
                                                       "students": 0, **merged},
                          message=finished_message(0, merged))
    log.info("job step", extra={"job_kind": "publish", "step": job.step - 1, "done": job.done,
                                "total": total})
    return job


def finished_message(students: int, counts: Mapping[str, int]) -> str:
    """The plain words a teacher reads when a publish is done."""
    words = [f"Published {students} report{'s' if students != 1 else ''}: "
             f"{counts.get('created', 0)} new, {counts.get('updated', 0)} updated"]
    if counts.get("retired"):
        words.append(f"{counts['retired']} for students no longer on the Roster moved to the trash")
    words.append(f"shared with {counts.get('shared', 0)} new address"
                 f"{'es' if counts.get('shared', 0) != 1 else ''}")
    if counts.get("unshared"):
        words.append(f"{counts['unshared']} old address{'es' if counts['unshared'] != 1 else ''} "
                     "removed")
    return "; ".join(words) + "."


def new_job(ctx: StepContext, owner: str, spreadsheet_id: str, folder_id: str = "",
            as_of: dt.date | None = None) -> Job:
    """Start a publish job: the gradebook read (its student count), the job saved, queued."""
    params = {"spreadsheet_id": spreadsheet_id, "folder_id": folder_id,
              "as_of": as_of.isoformat() if as_of else ""}
    return PUBLISH.begin(ctx, owner, spreadsheet_id, params,
                         lambda total: f"Publishing reports: 0 of {total}")


PUBLISH = register(JobKind(name="publish", start=start, step=step))
