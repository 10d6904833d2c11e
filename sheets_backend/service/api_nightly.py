"""The school recompute as a job: on demand (`POST /v1/school/recompute`, the admin's own token)
and nightly (`GET /v1/tasks/nightly`, called by App Engine cron from cron.yaml, acting through
Hive's service account or domain-wide delegation: sheets/credentials.py, docs/nightly.md).
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, g, jsonify, request

from sheets_backend.errors import HiveError, TaskForbidden
from sheets_backend.jobs.model import Job, StepContext, owner_of
from sheets_backend.jobs.school import SCHOOL_RECOMPUTE, new_job
from sheets_backend.jobs.store import MetadataJobStore
from sheets_backend.service import api_fields
from sheets_backend.service.api_jobs import _prune, _stale
from sheets_backend.service.context import authorised, gateway_for, hive
from sheets_backend.service.nightly import CRON_HEADER, nightly_clients, nightly_owner

log = logging.getLogger(__name__)
school_jobs = Blueprint("school_jobs", __name__, url_prefix="/v1")


def _running(store: MetadataJobStore, owner: str) -> tuple[Job | None, list[Job]]:
    known = store.jobs()
    job = next((j for j in known if j.kind == SCHOOL_RECOMPUTE.name and j.owner == owner
                and not j.state.finished), None)
    return job, known


@school_jobs.post("/school/recompute")
def school_recompute_route() -> Response:
    """Start recomputing every gradebook of the school, then its tabs (or answer the running job)."""
    token = authorised()
    state = hive()
    body = api_fields.json_body({"spreadsheet_id": api_fields.sheet_id,
                                 "as_of": api_fields.iso_date})
    sid = body["spreadsheet_id"]
    client = gateway_for(token, sid).client
    store = MetadataJobStore(client, sid)
    owner = owner_of(g.caller.key)
    with state.locks.hold(sid, state.config.lock_wait_seconds):
        job, known = _running(store, owner)
        if job is None:
            ctx = StepContext(client=client, store=store,
                              students_per_step=state.config.students_per_step)
            job = new_job(ctx, owner, sid, as_of=body.get("as_of"))
            _prune(store, known, state.config.job_keep_days)
    state.jobs.enqueue(job, token, fresh=_stale(job))
    g.counts = {"gradebooks": job.total}
    response = jsonify({"job": job.public()})
    response.status_code = 202
    response.headers["Location"] = f"/v1/jobs/{job.id}"
    return response


@school_jobs.get("/tasks/nightly")
def nightly_route() -> Response:
    """Start the nightly school recompute of every configured school; only App Engine cron may."""
    if request.headers.get(CRON_HEADER) != "true":
        raise TaskForbidden()
    state = hive()
    config = state.config
    clients = nightly_clients(config)
    started, problems = [], []
    for sid in config.nightly_school_ids:
        try:
            client = clients(None)
            store = MetadataJobStore(client, sid)
            with state.locks.hold(sid, config.lock_wait_seconds):
                job, known = _running(store, nightly_owner())
                if job is None:
                    ctx = StepContext(client=client, store=store,
                                      students_per_step=config.students_per_step)
                    job = new_job(ctx, nightly_owner(), sid, identity=config.nightly_identity)
                    _prune(store, known, config.job_keep_days)
            state.jobs.enqueue(job, None, fresh=_stale(job))
        except HiveError as exc:  # one school's problem never stops the others' night
            log.warning("nightly school not started", extra={"error_code": exc.code})
            problems.append({"spreadsheet_id": sid, "code": exc.code, "message": exc.message})
            continue
        started.append(job.public())
    log.info("nightly run started", extra={"jobs": len(started), "errors": len(problems)})
    return jsonify({"jobs": started, "errors": problems})
