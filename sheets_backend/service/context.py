"""What every route shares within a request: the service's state (`Hive`), the verified caller,
and the gateway to the spreadsheet a request names.

Its own module so the app and the blueprints beside it (jobs, legal) import it, not each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, g, request

from sheets_backend.errors import FolderNotFound, SpreadsheetNotFound
from sheets_backend.service.auth import LOCAL_IDENTITY, TokenVerifier, bearer_token
from sheets_backend.service.locks import SpreadsheetLocks
from sheets_backend.service.ratelimit import RateLimiter
from sheets_backend.service.settings import AuthMode, ClientFactory, Config
from sheets_backend.sheets.ids import sheet_hash

FOLDER_MIME = "application/vnd.google-apps.folder"


@dataclass
class Hive:
    """What the routes share: config and the per-process auth cache, limiter and locks."""

    config: Config
    client_factory: ClientFactory
    verifier: TokenVerifier
    limiter: RateLimiter
    locks: SpreadsheetLocks
    jobs: Any = None  # the dispatcher of job steps (jobs/runner.py or jobs/cloud_tasks.py)
    policies: list[dict[str, Any]] | None = None  # the library as JSON, built on first ask


def hive() -> Hive:
    state: Hive = current_app.extensions["hive"]
    return state


def authorised() -> str | None:
    """The caller's access token (None when auth is off), after the token check and rate limit."""
    state = hive()
    if state.config.auth is AuthMode.OFF:
        identity, token = LOCAL_IDENTITY, None
    else:
        token = bearer_token(request.headers.get("Authorization"))
        identity = state.verifier.verify(token, request.headers.get("X-Hive-Identity"))
    g.caller = identity
    state.limiter.check(identity.key)
    return token


def gateway_for(token: str | None, spreadsheet_id: str) -> Any:
    from sheets_backend.sheets.gateway import SheetsGateway

    g.sheet = sheet_hash(spreadsheet_id)
    client = hive().client_factory(token)
    return SheetsGateway(client, spreadsheet_id, cell_limit=hive().config.max_cells)


def check_folder(client: Any, folder_id: str) -> None:
    """Drive's own answer for the folder, so a wrong folder is never reported as the gradebook.
    (One Drive files.get: with drive.file, a folder Hive did not create is 404 to Hive too.)"""
    from gspread.urls import DRIVE_FILES_API_V3_URL

    from sheets_backend.sheets.gateway import translated_errors

    try:
        with translated_errors():
            folder = client.http_client.request(
                "get",
                f"{DRIVE_FILES_API_V3_URL}/{folder_id}",
                params={"fields": "id,mimeType,trashed", "supportsAllDrives": True},
            ).json()
    except SpreadsheetNotFound as exc:
        raise FolderNotFound() from exc
    if folder.get("mimeType") != FOLDER_MIME:
        raise FolderNotFound(
            "This is a file, not a Drive folder. Paste the address of a folder "
            "(drive.google.com/drive/folders/...), or leave it empty for a new one."
        )
    if folder.get("trashed"):
        raise FolderNotFound(
            "This Drive folder is in the trash. Restore it from the trash, or "
            "leave the folder empty when Hive asks and Hive makes a new one."
        )
