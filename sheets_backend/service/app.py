"""The Flask service the add-on calls: recompute, validate, groups, publish and the policy library.

Every route answers errors in one envelope (api_errors.py): `{"error": {"code", "message", ...}}`
with the HTTP status, from `HiveError` subclasses or from Werkzeug's HTTP errors.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from functools import cache
from importlib import resources
from typing import Any

import yaml
from flask import (
    Blueprint,
    Flask,
    Response,
    g,
    jsonify,
    request,
)

from sheets_backend.errors import (
    OutcomeNotFound,
)
from sheets_backend.jobs.store import METADATA_KEY
from sheets_backend.service import api_errors, api_fields
from sheets_backend.service.api_jobs import jobs as jobs_blueprint
from sheets_backend.service.api_nightly import school_jobs
from sheets_backend.service.auth import (
    AuthFailure,
    Identity,
    TokenVerifier,
    Unauthenticated,
)
from sheets_backend.service.context import Hive, authorised, gateway_for, hive
from sheets_backend.service.legal import legal
from sheets_backend.service.locks import SpreadsheetLocks
from sheets_backend.service.ratelimit import RateLimiter
from sheets_backend.service.settings import AuthMode, ClientFactory, Config, ConfigError, JobRunner

log = logging.getLogger(__name__)

def create_app(config: Config) -> Flask:
    """The service for `config`; its `client_factory` (else its settings) reaches the sheets."""
    config = config.checked()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_request_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    # Local mode: one local Sheets service serves both the API and the preview page.
    local = _local_sheets(config) if config.client_factory is None and config.local_folder else None
    app.extensions["hive"] = Hive(
        config=config,
        client_factory=config.client_factory or default_client_factory(config, local),
        verifier=TokenVerifier(config),
        limiter=RateLimiter(config.rate_limit_per_minute, config.rate_limit_burst),
        locks=SpreadsheetLocks(),
    )
    state: Hive = app.extensions["hive"]
    state.jobs = _dispatcher(config, state.client_factory, local)
    app.register_blueprint(v1)
    app.register_blueprint(jobs_blueprint)
    app.register_blueprint(school_jobs)
    app.register_blueprint(legal)
    if local is not None:
        from sheets_backend.service.preview import preview_blueprint

        app.register_blueprint(preview_blueprint(local))
        # The local service saves files between requests, never while a teacher waits on one.
        app.before_request(local.request_started)
        app.teardown_request(lambda _exc: local.request_finished())
    app.add_url_rule("/healthz", "healthz", lambda: jsonify(status="ok"), methods=["GET"])
    if local is not None and config.job_runner is JobRunner.IN_PROCESS:
        # A job the last run left unfinished goes on (only workbooks holding a job are asked).
        state.jobs.resume([sid for sid in local.spreadsheet_ids if any(
            m.get("metadataKey") == METADATA_KEY for m in local.workbook(sid).developer_metadata)])
    app.before_request(_start)
    app.after_request(_finish)
    api_errors.register(app)
    return app


def _dispatcher(config: Config, client_factory: ClientFactory, local: Any) -> Any:
    """Who runs job steps: this process (local mode), or Cloud Tasks (production)."""
    if config.job_runner is JobRunner.CLOUD_TASKS:
        from sheets_backend.service.cloud_tasks import CloudTasksDispatcher

        return CloudTasksDispatcher(config)
    from sheets_backend.jobs.runner import InProcessRunner

    durable = (lambda: local.flush(timeout=60)) if local is not None else None
    return InProcessRunner(client_factory, config.students_per_step, durable=durable)


def _local_sheets(config: Config) -> Any:
    from sheets_backend.sheets.local import LocalSheets

    # Answer first, save the file a moment later (flushed at exit): a teacher waits on the
    # reply, not on openpyxl.
    local = LocalSheets.from_folder(config.local_folder, write_behind=True, keep_drive=True)
    local.faults.delay = config.local_delay_seconds
    return local


def default_client_factory(config: Config, local: Any = None) -> ClientFactory:
    """Local mode over `config.local_folder` (or the given local service), else Google Sheets
    as the token's owner."""
    from sheets_backend.sheets.gateway import google_client, local_client

    if config.local_folder:
        service = local if local is not None else _local_sheets(config)
        return lambda _token: local_client(service)
    if config.auth is AuthMode.OFF:
        raise ConfigError(["HIVE_AUTH=off needs HIVE_LOCAL_FOLDER: Google needs a signed-in user"])

    def google(token: str | None) -> Any:
        if token is None:  # cannot happen with auth on; never reach Google as nobody
            raise Unauthenticated(AuthFailure.TOKEN_MISSING)
        return google_client(token, timeout=config.sheets_timeout_seconds)

    return google


v1 = Blueprint("v1", __name__, url_prefix="/v1")


@v1.post("/recompute")
def recompute_route() -> Response:
    """Recompute the spreadsheet as the caller and write the results (unless dry_run)."""
    from sheets_backend.recompute import recompute

    token = authorised()
    body = api_fields.json_body(
        {"spreadsheet_id": api_fields.sheet_id, "dry_run": api_fields.boolean, "as_of": api_fields.iso_date}
    )
    state = hive()
    gateway = gateway_for(token, body["spreadsheet_id"])
    if body.get("dry_run"):
        summary = recompute(gateway, dry_run=True, as_of=body.get("as_of"))
    else:
        with state.locks.hold(body["spreadsheet_id"], state.config.lock_wait_seconds):
            summary = recompute(gateway, dry_run=False, as_of=body.get("as_of"))
    return _summary_response(summary.to_dict())


@v1.post("/validate")
def validate_route() -> Response:
    """Check the spreadsheet against the template and policies; writes nothing."""
    from sheets_backend.recompute import validate

    token = authorised()
    body = api_fields.json_body({"spreadsheet_id": api_fields.sheet_id})
    return _summary_response(validate(gateway_for(token, body["spreadsheet_id"])).to_dict())


@v1.post("/groups")
def groups_route() -> Response:
    """One outcome's reteach groups (students who have not yet met it, by what they need next,
    optionally for one section): reads only."""
    from sheets_backend.recompute import evaluate_sheet
    from sheets_backend.tabs.groups import groups_for, sections_of

    token = authorised()
    body = api_fields.json_body({"spreadsheet_id": api_fields.sheet_id,
                                 "outcome_id": api_fields.outcome_id,
                                 "section": api_fields.section})
    if "outcome_id" not in body:
        raise api_fields.BadRequest([{"field": "outcome_id", "message": "required"}])
    book, evaluation = evaluate_sheet(gateway_for(token, body["spreadsheet_id"]))
    outcome = next((o for o in book.outcomes if o.id == body["outcome_id"]), None)
    if outcome is None:
        raise OutcomeNotFound(
            f'There is no outcome "{body["outcome_id"]}" on the Outcomes tab. Check its ID there.'
        )
    section = body.get("section")
    groups = groups_for(book, evaluation, outcome.id, section=section)
    g.counts = {"groups": len(groups), "students": sum(len(x.members) for x in groups)}
    return jsonify(
        {
            "outcome_id": outcome.id,
            "outcome": outcome.text,
            "sections": list(sections_of(book)),
            "section": section,
            "groups": [
                {"need": group.need, "label": group.label,
                 "members": [dataclasses.asdict(m) for m in group.members]}
                for group in groups
            ],
        }
    )


@v1.get("/policies")
def policies_route() -> Response:
    """The shared policy library, each policy with the Policy-tab rows that select it."""
    authorised()
    state = hive()
    if state.policies is None:
        state.policies = _policy_library(state.config.policy_library)
    return jsonify(state.policies)


@v1.get("/openapi.json")
def openapi_json() -> Response:
    return jsonify(openapi_document())


@v1.get("/openapi.yaml")
def openapi_yaml() -> Response:
    text = resources.files("sheets_backend.service").joinpath("openapi.yaml").read_text("utf-8")
    return Response(text, mimetype="application/yaml")


@cache
def openapi_document() -> dict[str, Any]:
    """The published OpenAPI 3 document (sheets_backend/service/openapi.yaml)."""
    text = resources.files("sheets_backend.service").joinpath("openapi.yaml").read_text("utf-8")
    document: dict[str, Any] = yaml.safe_load(text)
    return document


def _summary_response(summary: dict[str, Any]) -> Response:
    g.counts = {
        "students": summary.get("students"),
        "outcomes": summary.get("outcomes"),
        "evidence": summary.get("evidence"),
        "warnings": len(summary.get("warnings", ())),
        "written": summary.get("written"),
        "api_calls": summary.get("api_calls"),
    }
    return jsonify(summary)


def _policy_library(path: str) -> list[dict[str, Any]]:
    """The library as JSON. `rows` makes the policy the workbook's Default when written."""
    import dataclasses

    from policy_engine import METHODS
    from sheets_backend.gradebook.policies import load_policy_library, policy_tab_rows

    # The method reads its parameters from these Policy fields (policy_engine.methods.Method.level).
    fields = {"n": "n", "weight": "weight", "recent": "recent", "mastery_points": "mastery_threshold"}
    library = []
    for name, policy in load_policy_library(path or None).items():
        method = METHODS[policy.method]
        params = {p.name: getattr(policy, fields.get(p.name, p.name)) for p in method.params}
        library.append(
            {
                "name": name,
                "description": policy.description,
                "method": policy.method,
                "params": params,
                "rows": policy_tab_rows({"Default": dataclasses.replace(policy, name="Default")}),
            }
        )
    return library


def _start() -> None:
    g.request_id = uuid.uuid4().hex
    g.started = time.perf_counter()


def _finish(response: Response) -> Response:
    response.headers["X-Request-Id"] = g.get("request_id", "")
    caller: Identity | None = g.get("caller")
    fields = {
        "request_id": g.get("request_id"),
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule else None,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000),
        "caller": caller.key if caller else None,
        "sheet": g.get("sheet"),
        "error_code": g.get("error_code"),
        **(g.get("counts") or {}),
    }
    log.info("request", extra={k: v for k, v in fields.items() if v is not None})
    return response
