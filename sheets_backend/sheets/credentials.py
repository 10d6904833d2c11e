"""Whose credentials a run uses when no teacher is at the keyboard (the nightly school run).

Google offers two standard ways, and the school's Workspace admin picks one (docs/deploy.md):
- **a service account the gradebooks are shared with**: Hive acts as its own robot account; every
  teacher shares her gradebook with it (editor). All calls count against that one account's
  per-user quota (60 reads and 60 writes a minute).
- **domain-wide delegation**: the admin authorises Hive's service account for the spreadsheets
  scope in the Admin console, and Hive acts *as each teacher* (the Gradebooks tab's Teacher Email):
  nothing to share, and each teacher's calls count against her own per-user quota.

Either way the scopes are the narrowest that work (spreadsheets; drive.file only to publish), and
no key lives in the repository: on App Engine the default service account signs through the IAM
Credentials API (`signBlob`), so no key file exists at all. A key (`key_info`) is for running
elsewhere, read from the environment by the caller, never logged. The on-demand run keeps using the
admin's own access token, as every other call does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

import gspread
import requests
from google.auth import credentials as ga_credentials
from google.auth import default as google_default
from google.auth import iam
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2 import service_account

SPREADSHEETS = "https://www.googleapis.com/auth/spreadsheets"
DRIVE_FILE = "https://www.googleapis.com/auth/drive.file"
RECOMPUTE_SCOPES: tuple[str, ...] = (SPREADSHEETS,)
PUBLISH_SCOPES: tuple[str, ...] = (SPREADSHEETS, DRIVE_FILE)
# What the App Engine default account needs to sign as itself (IAM Credentials signBlob).
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
TOKEN_URI = "https://oauth2.googleapis.com/token"


class Identity(StrEnum):
    """Who a run acts as."""

    TEACHER = "teacher"  # the caller's own access token (every on-demand call)
    SERVICE_ACCOUNT = "service_account"  # Hive's robot account, gradebooks shared with it
    DELEGATION = "delegation"  # Hive's account acting as each teacher (domain-wide delegation)


class CredentialsError(ValueError):
    """A nightly identity that cannot work as configured, in words an admin can act on."""


def service_account_credentials(
    scopes: Sequence[str] = RECOMPUTE_SCOPES, *, key_info: Mapping[str, Any] | None = None
) -> ga_credentials.Credentials:
    """Hive's own service account: from `key_info` when given, else Application Default
    Credentials (on App Engine, the app's default service account, with no key anywhere)."""
    if key_info is not None:
        return service_account.Credentials.from_service_account_info(  # type: ignore[no-any-return]
            dict(key_info), scopes=list(scopes)
        )
    found, _project = google_default(scopes=list(scopes))
    return found


def delegated_credentials(
    subject: str,
    scopes: Sequence[str] = RECOMPUTE_SCOPES,
    *,
    key_info: Mapping[str, Any] | None = None,
    service_account_email: str = "",
    request: Request | None = None,
) -> ga_credentials.Credentials:
    """Credentials acting as `subject` (a teacher's Workspace address) through domain-wide
    delegation. With `key_info` the key signs; without it the app's default account signs
    through IAM `signBlob` as `service_account_email` (it needs the Service Account Token Creator
    role on itself), so no key file is ever made."""
    if "@" not in subject:
        raise CredentialsError(
            f'"{subject}" is not an email address: delegation acts as a teacher, so the '
            "Gradebooks tab needs each teacher's Workspace email."
        )
    if key_info is not None:
        return service_account.Credentials.from_service_account_info(  # type: ignore[no-any-return]
            dict(key_info), scopes=list(scopes), subject=subject
        )
    if not service_account_email:
        raise CredentialsError(
            "Domain-wide delegation without a key signs as Hive's service account: set its "
            "email (HIVE_SERVICE_ACCOUNT_EMAIL)."
        )
    source, _project = google_default(scopes=[CLOUD_PLATFORM])
    signer = iam.Signer(request or Request(), source, service_account_email)
    return service_account.Credentials(
        signer, service_account_email, TOKEN_URI, scopes=list(scopes), subject=subject
    )


def authorized_client(
    credentials: ga_credentials.Credentials,
    *,
    timeout: float = 60.0,
    session: requests.Session | None = None,
    **retry: Any,
) -> gspread.Client:
    """A gspread client whose every call carries `credentials` (refreshed as they expire).
    `session` is where its traffic goes (a local transport in tests); Google's by default."""
    from sheets_backend.sheets.retry import bounded_retry_http_client

    authorized = AuthorizedSession(credentials)
    if session is not None:
        for prefix, adapter in session.adapters.items():
            authorized.mount(prefix, adapter)
    client = gspread.Client(
        auth=credentials, session=authorized, http_client=bounded_retry_http_client(**retry)
    )
    client.set_timeout(timeout)
    return client
