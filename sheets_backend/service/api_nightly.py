"""The school recompute as a job: on demand (`POST /v1/school/recompute`, the admin's own token)
and nightly (`GET /v1/tasks/nightly`, called by App Engine cron from cron.yaml, acting through
Hive's service account or domain-wide delegation: sheets/credentials.py, docs/nightly.md).
"""

from __future__ import annotations

import logging
from functools import partial

from flask import Blueprint, Response, g, jsonify, request

from sheets_backend.errors import HiveError, TaskForbidden
from sheets_backend.jobs.model import owner_of
from sheets_backend.jobs.school import SCHOOL_RECOMPUTE, new_job
from sheets_backend.service import api_fields
from sheets_backend.service.api_jobs import accepted, find_or_start
from sheets_backend.service.context import authorised, gateway_for, hive
from sheets_backend.service.nightly import CRON_HEADER, nightly_clients, nightly_owner

log = logging.getLogger(__name__)
school_jobs = Blueprint("school_jobs", __name__, url_prefix="/v1")


@school_jobs.post("/school/recompute")
def school_recompute_route() -> Response:
    """Start recomputing every gradebook of the school, then its tabs (or answer the running job)."""
    token = authorised()
    body = api_fields.json_body({"spreadsheet_id": api_fields.sheet_id,
                                 "as_of": api_fields.iso_date})
    sid = body["spreadsheet_id"]
    owner = owner_of(g.caller.key)
    job = find_or_start(gateway_for(token, sid).client, sid, SCHOOL_RECOMPUTE.name, owner, token,
                        lambda ctx: new_job(ctx, owner, sid, as_of=body.get("as_of")))
    return accepted(job, "gradebooks")


@school_jobs.get("/tasks/nightly")
def nightly_route() -> Response:
    """Start the nightly school recompute of every configured school; only App Engine cron may."""
    if request.headers.get(CRON_HEADER) != "true":
        raise TaskForbidden()
    config = hive().config
    clients = nightly_clients(config)
    started, problems = [], []
    for sid in config.nightly_school_ids:
        try:
            job = find_or_start(clients(None), sid, SCHOOL_RECOMPUTE.name, nightly_owner(), None,
                                partial(new_job, owner=nightly_owner(), spreadsheet_id=sid,
                                        identity=config.nightly_identity))
        except HiveError as exc:  # one school's problem never stops the others' night
            log.warning("nightly school not started", extra={"error_code": exc.code})
            problems.append({"spreadsheet_id": sid, "code": exc.code, "message": exc.message})
            continue
        started.append(job.public())
    log.info("nightly run started", extra={"jobs": len(started), "errors": len(problems)})
    return jsonify({"jobs": started, "errors": problems})
