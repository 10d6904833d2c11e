"""Whose clients the nightly school run uses: Hive's own service account, or domain-wide delegation
acting as each gradebook's Teacher Email (sheets/credentials.py; docs/nightly.md).
"""

from __future__ import annotations

from typing import Any

from sheets_backend.jobs.model import owner_of
from sheets_backend.service.settings import ClientFactory, Config

CRON_HEADER = "X-Appengine-Cron"  # set by App Engine cron; Google strips it from outsiders
NIGHTLY_KEY = "hive-nightly"  # the owner of nightly jobs: no person, Hive's own run


def nightly_owner() -> str:
    return owner_of(NIGHTLY_KEY)


def nightly_clients(config: Config) -> ClientFactory:
    """The nightly run's clients: None -> Hive's own account (the school workbook, and every
    gradebook with `service_account`); an email -> delegated as that teacher."""
    if config.nightly_client_factory is not None:
        return config.nightly_client_factory
    from sheets_backend.sheets.credentials import (
        authorized_client,
        delegated_credentials,
        service_account_credentials,
    )

    def make(subject: str | None) -> Any:
        if subject is None:
            credentials = service_account_credentials()
        else:
            credentials = delegated_credentials(
                subject, service_account_email=config.service_account_email)
        return authorized_client(credentials, timeout=config.sheets_timeout_seconds)

    return make


def task_clients(state: Any, body: dict[str, Any]) -> tuple[Any, Any, Any] | None:
    """A nightly job's step (the task says `nightly`): (Hive's client, the delegated clients or
    None, the caller); None for any other task, which acts as the teacher who started it."""
    if not body.get("nightly"):
        return None
    from sheets_backend.service.auth import Identity

    clients = nightly_clients(state.config)
    delegate = clients if state.config.nightly_identity == "delegation" else None
    return clients(None), delegate, Identity(key=NIGHTLY_KEY)
