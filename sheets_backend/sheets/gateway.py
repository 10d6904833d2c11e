"""The only code that talks to a spreadsheet: one metadata read, one values:batchGet, one batchUpdate
(and, only when a write's answer was lost, one more metadata read to see whether it landed).

It speaks through gspread's HTTP client, so the same lines serve Google Sheets (an authorised session)
and the local Sheets service (a `requests` transport over an .xlsx file).
"""

from __future__ import annotations

import gzip
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import gspread
import orjson
import requests
from gspread.exceptions import APIError
from gspread.urls import SPREADSHEET_BATCH_UPDATE_URL

from sheets_backend.errors import (
    HiveError,
    SheetsAccessDenied,
    SheetsUnavailable,
    SpreadsheetNotFound,
    SpreadsheetTooLarge,
)
from sheets_backend.problems import quote_tab
from sheets_backend.sheets.snapshot import STAGING_PREFIX, Snapshot, Tab, mark_write_id

if TYPE_CHECKING:
    from sheets_backend.sheets.local import LocalSheets

log = logging.getLogger(__name__)


GOOGLE_CELL_LIMIT = 10_000_000
METADATA_FIELDS = "spreadsheetId,properties.title,sheets(properties,protectedRanges)"
# What Hive reads back of its own tabs to write only what changed: values, notes, the formats it
# writes, and column widths.
CELL_FIELDS = (
    "userEnteredValue,note,"
    "userEnteredFormat(backgroundColorStyle,textFormat(bold,fontSize),wrapStrategy,numberFormat)"
)
GRID_FIELDS = (
    f"sheets(properties.sheetId,data(rowData.values({CELL_FIELDS}),columnMetadata.pixelSize))"
)
# Request bodies go gzip-compressed, as Google's own client libraries send them by default (Java's
# AbstractGoogleClientRequest, .NET's GZipEnabled): a recompute's JSON repeats the same keys and
# words thousands of times and shrinks about twenty-fold. Level 6 costs ~7 ms per MB.
GZIP_LEVEL = 6
GZIP_USER_AGENT = "hive-mastery (gzip)"
READ_PARAMS = {
    "valueRenderOption": "UNFORMATTED_VALUE",
    "dateTimeRenderOption": "SERIAL_NUMBER",
    "majorDimension": "ROWS",
}


class WriteRefused(HiveError):
    """Google refused a request as malformed (400 and the like): a bug, or a retry of a write
    that had already landed (the gateway checks which)."""


class BatchUpdate(Protocol):
    """What the gateway applies: a write plan's requests (see `tabs.plan.WritePlan`). A shape, not
    an import: the plan is built above the gateway, so the gateway never imports it."""

    @property
    def requests(self) -> Sequence[dict[str, Any]]: ...

    @property
    def tabs(self) -> Sequence[str]: ...

    def bodies(self) -> Sequence[dict[str, Any]]:
        """The batchUpdate bodies, in order: only the last one changes what a teacher sees."""
        ...

    @property
    def write_id(self) -> str: ...

    @property
    def sheet_ids(self) -> Sequence[int]: ...

    def cleanup(self) -> dict[str, Any] | None:
        """The body that removes what earlier bodies left (staging tabs) if a later one fails."""
        ...


@dataclass
class ApiCalls:
    read: int = 0
    write: int = 0
    bytes_written: int = 0  # request bodies of the writes, as sent (gzip)
    json_bytes: int = 0  # the same bodies before compression: what Google processes
    largest_write: int = 0  # the largest body before compression (kept under 2 MB)

    def to_dict(self) -> dict[str, int]:
        return {"read": self.read, "write": self.write, "bytes_written": self.bytes_written,
                "json_bytes": self.json_bytes}


class SheetsGateway:
    """Reads a spreadsheet into a `Snapshot` and applies a `WritePlan` in one batchUpdate."""

    def __init__(
        self, client: gspread.Client, spreadsheet_id: str, *, cell_limit: int = GOOGLE_CELL_LIMIT
    ) -> None:
        self.client = client
        self.spreadsheet_id = spreadsheet_id
        self.cell_limit = cell_limit
        self.calls = ApiCalls()

    def read_snapshot(self, skip_titles: frozenset[str] = frozenset()) -> Snapshot:
        """Metadata first (to know the tabs and which are Hive's), then every other tab's values."""
        http = self.client.http_client
        with translated_errors():
            self.calls.read += 1
            meta = http.fetch_sheet_metadata(
                self.spreadsheet_id, params={"fields": METADATA_FIELDS}
            )
        sheets = meta.get("sheets", [])
        cells = sum(_grid_size(s["properties"]) for s in sheets)
        if cells > self.cell_limit:
            raise SpreadsheetTooLarge(
                f"This spreadsheet has {cells:,} cells; Hive reads at most {self.cell_limit:,}. "
                "Move old terms' tabs to another spreadsheet and try again."
            )
        owned = {s["properties"]["sheetId"] for s in sheets if _is_hive_owned(s)}
        to_read = [
            s["properties"]["title"]
            for s in sheets
            if s["properties"]["sheetId"] not in owned
            and s["properties"]["title"] not in skip_titles
            and not s["properties"]["title"].startswith(STAGING_PREFIX)
            and s["properties"].get("sheetType", "GRID") == "GRID"
        ]
        values: dict[str, list[list[Any]]] = {}
        if to_read:
            with translated_errors():
                self.calls.read += 1
                reply = http.values_batch_get(
                    self.spreadsheet_id, [quote_tab(t) for t in to_read], params=dict(READ_PARAMS)
                )
            for title, value_range in zip(to_read, reply.get("valueRanges", []), strict=True):
                values[title] = value_range.get("values", [])
        grids = self._read_own_cells(
            [s["properties"]["title"] for s in sheets if s["properties"]["sheetId"] in owned]
        )
        tabs = tuple(
            _tab(
                s,
                values.get(s["properties"]["title"], []),
                s["properties"]["sheetId"] in owned,
                grids.get(s["properties"]["sheetId"]),
            )
            for s in sheets
        )
        return Snapshot(
            spreadsheet_id=meta.get("spreadsheetId", self.spreadsheet_id),
            title=meta.get("properties", {}).get("title", ""),
            tabs=tabs,
        )

    def _read_own_cells(
        self, titles: Sequence[str]
    ) -> dict[int, tuple[list[list[dict[str, Any]]], list[int]]]:
        """Hive's own tabs as they are now (values, notes, formats, widths), by sheetId."""
        if not titles:
            return {}
        with translated_errors():
            self.calls.read += 1
            reply = self.client.http_client.fetch_sheet_metadata(
                self.spreadsheet_id,
                params={
                    "fields": GRID_FIELDS,
                    "includeGridData": "true",
                    "ranges": [quote_tab(t) for t in titles],
                },
            )
        grids: dict[int, tuple[list[list[dict[str, Any]]], list[int]]] = {}
        for sheet in reply.get("sheets", []):
            data = (sheet.get("data") or [{}])[0]
            rows = [r.get("values", []) for r in data.get("rowData", [])]
            widths = [int(m.get("pixelSize", 0)) for m in data.get("columnMetadata", [])]
            grids[int(sheet["properties"]["sheetId"])] = (rows, widths)
        return grids

    def apply(self, plan: BatchUpdate) -> dict[str, Any]:
        """A recompute's write: ONE batchUpdate when it fits in a request (Google applies it whole
        or not at all); else staging calls, then one final call that makes it all visible. If a
        call fails, what earlier calls staged is removed and the error raised: visible tabs are
        as they were."""
        bodies = plan.bodies()
        reply: dict[str, Any] = {}
        for i, body in enumerate(bodies):
            try:
                reply = self._batch_update(body)
            except (SheetsUnavailable, WriteRefused) as error:
                # Safe to retry: when the final call's outcome is unknown (5xx or a timeout
                # after retries, a lost reply) or its retry is refused with 400 (its addSheet
                # finds the tab the first attempt added), the metadata is read again; if every
                # tab of the plan carries the plan's write id, the write landed.
                if i == len(bodies) - 1 and self._landed(plan):
                    log.warning("batchUpdate landed although its answer was an error",
                                extra={"requests": len(plan.requests), "tabs": len(plan.tabs),
                                       "error": error.code})
                    return {}
                self._clean_up(plan, i)
                raise
            except HiveError:
                self._clean_up(plan, i)
                raise
        log.info(
            "batchUpdate applied",
            extra={"requests": len(plan.requests), "tabs": len(plan.tabs), "calls": len(bodies)},
        )
        return reply

    def _clean_up(self, plan: BatchUpdate, failed_at: int) -> None:
        """After call `failed_at` failed, remove what earlier calls staged (hidden tabs only)."""
        cleanup = plan.cleanup() if failed_at else None
        if cleanup is None:
            return
        try:
            self._batch_update(cleanup)
        except HiveError:  # the next recompute removes what is left
            log.warning("staging cleanup failed", extra={"step": failed_at})

    def _batch_update(self, body: dict[str, Any]) -> dict[str, Any]:
        data = orjson.dumps(body)
        sent = gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)
        with translated_errors():
            self.calls.write += 1
            self.calls.bytes_written += len(sent)
            self.calls.json_bytes += len(data)
            self.calls.largest_write = max(self.calls.largest_write, len(data))
            # gspread's own request path (and retry), with the body encoded by orjson: a big
            # recompute sends tens of MB, which the standard library encodes several times slower.
            response = self.client.http_client.request(
                "post",
                SPREADSHEET_BATCH_UPDATE_URL % self.spreadsheet_id,
                data=sent,
                headers={"Content-Type": "application/json; charset=UTF-8",
                         "Content-Encoding": "gzip"},
            )
            reply: dict[str, Any] = response.json()
        return reply

    def _landed(self, plan: BatchUpdate) -> bool:
        """Whether every tab `plan` writes carries its write id now (one metadata read)."""
        if not plan.write_id or not plan.sheet_ids:
            return False
        try:
            with translated_errors():
                self.calls.read += 1
                meta = self.client.http_client.fetch_sheet_metadata(
                    self.spreadsheet_id, params={"fields": METADATA_FIELDS}
                )
        except HiveError:
            return False  # still unknown: report the failure, as before
        stamped = {
            int(s["properties"]["sheetId"])
            for s in meta.get("sheets", [])
            if any(w == plan.write_id for _, w in _marks(s))
        }
        return set(plan.sheet_ids) <= stamped


def _grid_size(properties: dict[str, Any]) -> int:
    grid = properties.get("gridProperties", {})
    return int(grid.get("rowCount", 0)) * int(grid.get("columnCount", 0))


def _marks(sheet: dict[str, Any]) -> list[tuple[int, str]]:
    """(protectedRangeId, write id) of each protected range carrying Hive's mark on a sheet."""
    found = []
    sheet_id = int(sheet["properties"]["sheetId"])
    for protected in sheet.get("protectedRanges", []):
        write_id = mark_write_id(protected.get("description"), sheet_id)
        if write_id is not None:
            found.append((int(protected.get("protectedRangeId", 0)), write_id))
    return found


def _is_hive_owned(sheet: dict[str, Any]) -> bool:
    """Hive's tabs are the ones carrying its mark (plain, or stamped with a write id), whatever
    their title: a teacher's tab that takes a Hive tab's name carries none."""
    return bool(_marks(sheet))


def _tab(
    sheet: dict[str, Any],
    rows: list[list[Any]],
    owned: bool,
    cells: tuple[list[list[dict[str, Any]]], list[int]] | None = None,
) -> Tab:
    props = sheet["properties"]
    grid = props.get("gridProperties", {})
    marks = _marks(sheet)  # (protectedRangeId, write id): the ids are what a write replaces
    return Tab(
        title=props["title"],
        sheet_id=int(props["sheetId"]),
        index=int(props.get("index", 0)),
        row_count=int(grid.get("rowCount", 0)),
        column_count=int(grid.get("columnCount", 0)),
        rows=rows,
        hive_owned=owned,
        frozen_rows=int(grid.get("frozenRowCount", 0)),
        mark_ids=tuple(pid for pid, _ in marks),
        frozen_columns=int(grid.get("frozenColumnCount", 0)),
        hidden=bool(props.get("hidden", False)),
        cells=cells[0] if cells is not None else None,
        column_widths=tuple(cells[1]) if cells is not None else (),
    )


@contextmanager
def translated_errors() -> Iterator[None]:
    """Turn gspread's and requests' failures into errors a teacher can act on (any API call)."""
    try:
        yield
    except HiveError:
        raise
    except APIError as exc:
        status = exc.response.status_code
        log.warning("sheets api error", extra={"status": status})
        if status == 403:
            raise SheetsAccessDenied() from exc
        if status == 404:
            raise SpreadsheetNotFound() from exc
        if status in (429, 500, 502, 503, 504):
            raise SheetsUnavailable() from exc
        raise WriteRefused(f"Google Sheets refused Hive's request ({status}).") from exc
    except requests.RequestException as exc:
        raise SheetsUnavailable() from exc


def local_client(service: LocalSheets, **retry: Any) -> gspread.Client:
    """A real gspread client whose HTTP goes to the in-process local Sheets service."""
    from sheets_backend.sheets.retry import bounded_retry_http_client

    return gspread.Client(
        auth=None,  # type: ignore[arg-type]
        session=service.session(),
        http_client=bounded_retry_http_client(**retry),
    )


def google_client(access_token: str, *, timeout: float = 60.0, **retry: Any) -> gspread.Client:
    """A gspread client acting as the teacher, with her own access token (never stored)."""
    from google.auth.transport.requests import AuthorizedSession
    from google.oauth2.credentials import Credentials

    from sheets_backend.sheets.retry import bounded_retry_http_client

    credentials = Credentials(token=access_token)
    session = AuthorizedSession(credentials)
    # Google gzips its answers only when the user agent says "gzip" too (its performance guide).
    session.headers["Accept-Encoding"] = "gzip"
    session.headers["User-Agent"] = f"{GZIP_USER_AGENT} {session.headers.get('User-Agent', '')}"
    client = gspread.Client(
        auth=credentials,
        session=session,
        http_client=bounded_retry_http_client(**retry),
    )
    client.set_timeout(timeout)
    return client
