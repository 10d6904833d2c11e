"""The job routes: start a publish (202 and a job), read a job, and the step route Cloud Tasks calls.

A job belongs to the teacher who started it: its record keeps a hash of her verified identity, and
any other caller gets 404 `job_not_found`. Tokens are verified on every call, never stored by Hive.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, g, jsonify, request

from sheets_backend.errors import (
    DriveScopeMissing,
    JobNotFound,
    SheetsAccessDenied,
    SpreadsheetNotFound,
    TaskForbidden,
)
from sheets_backend.jobs.model import Job, StepContext, owner_of
from sheets_backend.jobs.publish import PUBLISH, new_job
from sheets_backend.jobs.runner import run_step
from sheets_backend.jobs.school_publish import SCHOOL_PUBLISH
from sheets_backend.jobs.school_publish import new_job as new_school_publish_job
from sheets_backend.jobs.store import MetadataJobStore, split_id
from sheets_backend.service import api_fields
from sheets_backend.service.context import authorised, check_folder, gateway_for, hive
from sheets_backend.service.settings import DRIVE_SCOPES, AuthMode, JobRunner

if TYPE_CHECKING:
    import gspread

jobs = Blueprint("jobs", __name__, url_prefix="/v1")
QUEUE_HEADER = "X-AppEngine-QueueName"  # set by Cloud Tasks; App Engine strips it from outsiders


@jobs.post("/publish")
def publish_route() -> Response:
    """Start publishing one private report per student (or answer the one already running)."""
    return _start_publishing(PUBLISH.name, new_job, "students")


@jobs.post("/school/publish")
def school_publish_route() -> Response:
    """Start publishing the school's cross-course reports and mentor sheets (or answer the one
    already running); the job lives on the school workbook."""
    return _start_publishing(SCHOOL_PUBLISH.name, new_school_publish_job, "files")


def _start_publishing(kind: str, make_job: Callable[..., Job], counted: str) -> Response:
    """The caller's unfinished job of `kind` on the spreadsheet, else a new one from `make_job`;
    either way queued, answered 202 (a publish needs Drive's `drive.file` as well)."""
    token = authorised()
    state = hive()
    if state.config.auth is AuthMode.GOOGLE and not g.caller.scopes & DRIVE_SCOPES:
        raise DriveScopeMissing()
    body = api_fields.json_body({"spreadsheet_id": api_fields.sheet_id,
                                 "folder_id": api_fields.folder_id,
                                 "as_of": api_fields.iso_date})
    sid = body["spreadsheet_id"]
    owner = owner_of(g.caller.key)

    def make(ctx: StepContext) -> Job:
        if body.get("folder_id"):
            check_folder(ctx.client, body["folder_id"])
        return make_job(ctx, owner, sid, body.get("folder_id", ""), body.get("as_of"))

    job = find_or_start(gateway_for(token, sid).client, sid, kind, owner, token, make)
    return accepted(job, counted)


def find_or_start(client: gspread.Client, sid: str, kind: str, owner: str, token: str | None,
                  make: Callable[[StepContext], Job]) -> Job:
    """Under the spreadsheet's lock: the owner's unfinished job of `kind`, else a new one from
    `make` (and finished jobs past their days pruned); either way queued. A job found unfinished
    is queued again: a step lost for good (an instance gone, retries spent) is how a job stops,
    and a second click is how a teacher restarts it."""
    state = hive()
    store = MetadataJobStore(client, sid)
    with state.locks.hold(sid, state.config.lock_wait_seconds):
        known = store.jobs()
        job = next((j for j in known if j.kind == kind and j.owner == owner
                    and not j.state.finished), None)
        if job is None:
            job = make(StepContext(client=client, store=store,
                                   students_per_step=state.config.students_per_step))
            _prune(store, known, state.config.job_keep_days)
    state.jobs.enqueue(job, token, fresh=_stale(job))
    return job


def accepted(job: Job, counted: str) -> Response:
    """202 with the job and where to follow it; its total counted as `counted` in the log."""
    g.counts = {counted: job.total}
    response = jsonify({"job": job.public()})
    response.status_code = 202
    response.headers["Location"] = f"/v1/jobs/{job.id}"
    return response


@jobs.get("/jobs/<job_id>")
def job_route(job_id: str) -> Response:
    """A job's progress, as only the teacher who started it may see it."""

    token = authorised()
    try:
        sid, _ = split_id(job_id)
    except ValueError:
        raise JobNotFound() from None
    try:
        job = MetadataJobStore(gateway_for(token, sid).client, sid).get(job_id)
    except (SpreadsheetNotFound, SheetsAccessDenied):
        raise JobNotFound() from None  # say nothing about a spreadsheet she cannot open
    if job is None or job.owner != owner_of(g.caller.key):
        raise JobNotFound()
    g.counts = {"done": job.done, "total": job.total}
    return jsonify({"job": job.public()})


@jobs.post("/tasks/step")
def task_step_route() -> Response:
    """One step of a job, as Cloud Tasks delivers it; anyone else is refused."""

    state = hive()
    config = state.config
    # App Engine names the queue; the emulator gives its whole path (projects/.../queues/NAME).
    queue = (request.headers.get(QUEUE_HEADER) or "").rsplit("/", 1)[-1]
    if config.job_runner is not JobRunner.CLOUD_TASKS or queue != config.tasks_queue:
        raise TaskForbidden()
    body = request.get_json(silent=True) or {}
    job_id = body.get("job_id")
    if not isinstance(job_id, str):
        raise api_fields.BadRequest([{"field": "job_id", "message": "required"}])
    # The nightly school run (issue 18): no teacher's token, Hive's own account or delegation.
    from sheets_backend.service.nightly import task_clients

    nightly = task_clients(state, body)
    if nightly is not None:
        token, (client, client_for, caller) = None, nightly
    else:
        token, caller = _task_caller()
        client, client_for = state.client_factory(token), None
    g.caller = caller
    sid, _ = split_id(job_id)
    g.sheet = hashlib.sha256(sid.encode()).hexdigest()[:12]
    job = MetadataJobStore(client, sid).get(job_id)
    if job is None:
        raise JobNotFound()
    if job.owner != owner_of(caller.key):
        raise TaskForbidden()
    # Cloud Tasks delivers at least once: a duplicate delivery reaching this worker waits here
    # rather than running the same step beside it.
    with state.locks.hold(f"job:{job_id}", config.lock_wait_seconds):
        job = run_step(client, job_id, config.students_per_step, client_for=client_for)
    if not job.state.finished:
        state.jobs.enqueue(job, token)
    g.counts = {"done": job.done, "total": job.total}
    return jsonify({"job": job.public()})


def _task_caller() -> tuple[str | None, Any]:
    """The teacher a task acts for: her token rides in the task's own Authorization header
    (held by Cloud Tasks until it runs; Hive neither logs nor keeps it) and is verified again."""
    from sheets_backend.service.auth import LOCAL_IDENTITY, bearer_token

    state = hive()
    if state.config.auth is AuthMode.OFF:
        return None, LOCAL_IDENTITY
    token = bearer_token(request.headers.get("Authorization"))
    return token, state.verifier.verify(token, None)


def _stale(job: Job) -> bool:
    """Not advanced for two minutes (a step takes well under 30 s): its task is gone."""
    import datetime as dt

    updated = dt.datetime.fromisoformat(job.updated) if job.updated else None
    return updated is not None and dt.datetime.now(dt.UTC) - updated > dt.timedelta(minutes=2)


def _prune(store: MetadataJobStore, known: list[Job], keep_days: int) -> None:
    """Finished jobs past `keep_days` leave the spreadsheet (from the list already read)."""
    import datetime as dt

    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=keep_days)
    for job in known:
        if job.state.finished and job.updated and dt.datetime.fromisoformat(job.updated) < cutoff:
            store.delete(job)
