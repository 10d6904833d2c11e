"""The `school_recompute` job kind: one step per gradebook, then one step writing the school's tabs.

`start` reads the school workbook and counts its gradebooks. Step `i` (0 <= i < n) recomputes
gradebook `i` (its own reads and one write, as a teacher's Recompute does). A transient Google error
(429, 5xx) makes the step fail, so Cloud Tasks runs it again with the queue's backoff; the attempt is
counted in the job first, and after `max_attempts` the gradebook is recorded as failed (its
Gradebooks cell and plain words) and the job moves on. Step `n` aggregates once: it re-reads each
gradebook that was recomputed, read-only (its Hive tabs were just written from that same data), and
writes the school's tabs in one batchUpdate, failed gradebooks reported on the Students tab as any
unreadable gradebook is. The job keeps ids, counts and plain words only, never names or scores.

Whose client a step uses: `ctx.client` (the admin's own token, or Hive's service account at night)
for the school workbook and, unless the job acts by delegation, for every gradebook; with
delegation, `ctx.client_for(teacher_email)` acts as the gradebook's Teacher Email.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from sheets_backend.errors import HiveError
from sheets_backend.jobs.model import Job, JobKind, JobState, StepContext, now, register
from sheets_backend.jobs.runner import transient
from sheets_backend.problems import Problem, Reason
from sheets_backend.recompute import render_tabs
from sheets_backend.school.course import (
    CourseResult,
    course_result,
    not_read,
    read_course,
)
from sheets_backend.school.run import read_school_book, write_school_tabs
from sheets_backend.school.workbook import Course, School
from sheets_backend.sheets.gateway import SheetsGateway, translated_errors
from sheets_backend.tabs.plan import build_plan

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3  # tries of one gradebook before it is recorded as failed (the job moves on)
AGGREGATE = "aggregate"  # the attempts key of the last step
DELEGATION = "delegation"


def _as_of(params: Mapping[str, Any]) -> dt.date | None:
    text = params.get("as_of")
    return dt.date.fromisoformat(text) if text else None


def _school(ctx: StepContext, sid: str) -> tuple[SheetsGateway, Any, School]:
    gateway = SheetsGateway(ctx.client, sid)
    with translated_errors():
        snapshot, school = read_school_book(gateway)
    return gateway, snapshot, school


def start(ctx: StepContext, params: Mapping[str, Any]) -> tuple[int, Mapping[str, Any]]:
    """Read the school workbook once (its problems answer the request itself): the gradebooks."""
    _, _, school = _school(ctx, params["spreadsheet_id"])
    return len(school.courses), params


def _opener(ctx: StepContext, params: Mapping[str, Any]) -> Any:
    """A gradebook's gateway: as its teacher (delegation) or with the job's own client."""
    def open_course(course: Course) -> SheetsGateway:
        if params.get("identity") == DELEGATION and ctx.client_for is not None:
            return SheetsGateway(ctx.client_for(course.teacher_email), course.spreadsheet_id)
        return SheetsGateway(ctx.client, course.spreadsheet_id)
    return open_course


def _attempt(ctx: StepContext, job: Job, key: str, exc: HiveError) -> Job:
    """Count a transient failure of `key`; raise it (the queue retries) until `max_attempts`."""
    params = dict(job.params)
    attempts = dict(params.get("attempts") or {})
    attempts[key] = attempts.get(key, 0) + 1
    params["attempts"] = attempts
    job = job.replace(params=params, state=JobState.RUNNING, updated=now())
    if attempts[key] < int(params.get("max_attempts") or MAX_ATTEMPTS):
        ctx.store.save(job)
        raise exc
    return job


def _recompute_one(ctx: StepContext, job: Job, school: School) -> Job:
    """Step i: gradebook i recomputed and written, or recorded as failed."""
    index = job.step
    course = school.courses[index]
    as_of = _as_of(job.params)
    try:
        gateway = _opener(ctx, job.params)(course)
        snapshot, book, evaluation = read_course(school, gateway, as_of=as_of)
        gateway.apply(build_plan(snapshot, render_tabs(book, evaluation, as_of)))
    except HiveError as exc:
        if transient(exc):
            job = _attempt(ctx, job, str(index), exc)
        params = dict(job.params)
        failed = dict(params.get("failed") or {})
        failed[str(index)] = {"cell": course.cell, "code": exc.code, "message": exc.message}
        params["failed"] = failed
        log.warning("school gradebook failed", extra={"row": course.cell, "code": exc.code})
        return job.replace(params=params,
                           counts={**job.counts, "failed": job.counts.get("failed", 0) + 1})
    return job.replace(counts={**job.counts, "recomputed": job.counts.get("recomputed", 0) + 1})


def _failed_result(course: Course, entry: Mapping[str, str]) -> CourseResult:
    """A gradebook that kept failing, as the school reports any gradebook it could not read."""
    problem = Problem(course.cell, Reason.GRADEBOOK_UNREADABLE,
                      f"{course.label}: Hive could not recompute this gradebook "
                      f"({entry.get('message', '')}); the other gradebooks were still computed")
    return CourseResult(course, error=problem, api_calls={"read": 0, "write": 0})


def _aggregate(ctx: StepContext, job: Job) -> Job:
    """The last step: each recomputed gradebook read once (read-only), the school's tabs written."""
    gateway, snapshot, school = _school(ctx, job.spreadsheet_id)
    failed: dict[str, Any] = dict(job.params.get("failed") or {})
    opener = _opener(ctx, job.params)
    as_of = _as_of(job.params)
    results = []
    for index, course in enumerate(school.courses):
        if str(index) in failed:
            results.append(_failed_result(course, failed[str(index)]))
            continue
        book_gateway: SheetsGateway | None = None
        try:
            book_gateway = opener(course)
            book_snapshot, book, evaluation = read_course(school, book_gateway, as_of=as_of)
        except HiveError as exc:
            if transient(exc):
                job = _attempt(ctx, job, AGGREGATE, exc)  # raises until attempts are spent
            results.append(not_read(course, exc, book_gateway))
            continue
        results.append(course_result(school, course, book_snapshot, book, evaluation,
                                     book_gateway, written=True))
    with translated_errors():
        view, tabs, _ = write_school_tabs(gateway, snapshot, school, results)
    unread = [{"cell": r.course.cell, "gradebook": r.course.label,
               "message": r.error.message if r.error else ""} for r in results if not r.ok]
    result = {"gradebooks": len(results), "recomputed": sum(r.ok for r in results),
              "failed": unread, "students": len(view.students), "tabs": list(tabs)}
    return job.replace(result=result, message=finished_message(len(results), len(unread)))


def step(ctx: StepContext, job: Job) -> Job:
    """Run step `job.step` of a school recompute; the job advanced past it (done after the last)."""
    if job.step < job.total:
        _, _, school = _school(ctx, job.spreadsheet_id)
        if job.step < len(school.courses):  # a row removed since the start has nothing to do
            job = _recompute_one(ctx, job, school)
        done = job.step + 1
        log.info("job step", extra={"job_kind": SCHOOL_RECOMPUTE.name, "step": job.step,
                                    "done": done, "total": job.total})
        return job.replace(step=done, done=done, state=JobState.RUNNING, updated=now(),
                           message=progress_message(done, job.total))
    job = _aggregate(ctx, job)
    log.info("job step", extra={"job_kind": SCHOOL_RECOMPUTE.name, "step": job.step,
                                "done": job.total, "total": job.total})
    return job.replace(step=job.step + 1, done=job.total, state=JobState.DONE, updated=now())


def progress_message(done: int, total: int) -> str:
    return f"Recomputing the school's gradebooks: {done} of {total}"


def finished_message(gradebooks: int, failed: int) -> str:
    """The plain words an admin reads when the school recompute is done."""
    words = f"Recomputed {gradebooks - failed} of {gradebooks} gradebooks and wrote the school's tabs"
    if failed:
        words += (f"; {failed} gradebook{'s' if failed != 1 else ''} could not be recomputed "
                  "(named on the Students tab)")
    return words + "."


def new_job(ctx: StepContext, owner: str, spreadsheet_id: str, *, as_of: dt.date | None = None,
            identity: str = "teacher", max_attempts: int = MAX_ATTEMPTS) -> Job:
    """Start a school recompute: the school workbook read (its gradebooks counted), the job saved
    on the school workbook, queued."""
    params: Mapping[str, Any] = {"spreadsheet_id": spreadsheet_id,
                                 "as_of": as_of.isoformat() if as_of else "",
                                 "identity": identity, "max_attempts": max_attempts,
                                 "failed": {}, "attempts": {}}
    return SCHOOL_RECOMPUTE.begin(ctx, owner, spreadsheet_id, params,
                                  lambda total: progress_message(0, total),
                                  counts={"recomputed": 0, "failed": 0})


SCHOOL_RECOMPUTE = register(JobKind(name="school_recompute", start=start, step=step))
