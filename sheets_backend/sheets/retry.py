"""A gspread HTTP client that retries transient Google failures a bounded number of times."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any

import requests
from google.auth.exceptions import TransportError
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from sheets_backend.errors import SheetsUnavailable

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_CONNECTION_ERRORS = (requests.ConnectionError, requests.Timeout, TransportError)


def bounded_retry_http_client(
    max_attempts: int = 4,
    base_delay: float = 0.2,
    budget: float = 10.0,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    jitter: Callable[[], float] = random.random,
) -> type[HTTPClient]:
    """A `gspread.HTTPClient` subclass for `gspread.Client(http_client=...)`.

    429/500/502/503/504 answers and connection errors are retried with jittered exponential
    backoff (`base_delay * 2**n`, times 0.5..1.5), at most `max_attempts` tries in all and never
    past `budget` seconds; then `SheetsUnavailable` is raised. Other errors pass straight through.
    Unlike gspread's BackOffHTTPClient, a persistent 429 ends.
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")

    class BoundedRetryHTTPClient(HTTPClient):
        def request(self, *args: Any, **kwargs: Any) -> requests.Response:
            started = clock()
            attempt = 0
            while True:
                attempt += 1
                try:
                    return super().request(*args, **kwargs)
                except APIError as error:
                    status = error.response.status_code
                    if status not in RETRY_STATUSES:
                        raise
                    failure: Exception = error
                    reason = str(status)
                except _CONNECTION_ERRORS as error:
                    failure, reason = error, type(error).__name__
                delay = base_delay * 2 ** (attempt - 1) * (0.5 + jitter())
                elapsed = clock() - started
                if attempt >= max_attempts or elapsed + delay > budget:
                    log.warning(
                        "sheets retries exhausted",
                        extra={
                            "attempts": attempt,
                            "reason": reason,
                            "elapsed_s": round(elapsed, 3),
                        },
                    )
                    raise SheetsUnavailable() from failure
                log.info(
                    "sheets retry",
                    extra={"attempt": attempt, "reason": reason, "delay_s": round(delay, 3)},
                )
                sleep(delay)

    return BoundedRetryHTTPClient
