"""What a recompute sends over the wire: bytes and calls of each recompute, and its CPU time.

For the demo and a typical class (150 students x 30 outcomes x 10 scores), on the local Sheets
service through real gspread: a first recompute, a repeat with nothing changed, after one new
assessment column (a score for every student on one outcome), after one changed score, after one
new student. "Bytes sent" are the write request bodies as they go over the wire (gzip, as Google's
own client libraries send them); "JSON bytes" the same bodies unpacked, which is what Google
processes and what the 2 MB per request applies to (to be safe, Hive keeps the unpacked body under
it). Reads carry no body. `--big` adds 600 x 60 x 15 (first, nothing changed, one changed score):
no request over 2 MB.

    .venv/bin/python bench/payload.py [--big] [--only demo|typical]
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gspread
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sheets_backend.demo import write_demo_gradebook, write_gradebook  # noqa: E402
from sheets_backend.recompute import recompute  # noqa: E402
from sheets_backend.sheets.gateway import SheetsGateway  # noqa: E402
from sheets_backend.sheets.local import LocalSheets  # noqa: E402
from sheets_backend.sheets.local.transport import session  # noqa: E402
from sheets_backend.sheets.retry import bounded_retry_http_client  # noqa: E402

TARGETS = {  # issue 13, bytes sent by one recompute
    ("demo", "first recompute"): 600_000,
    ("typical", "first recompute"): 1_500_000,
    ("demo", "nothing changed"): 20_000,
    ("typical", "nothing changed"): 20_000,
    ("demo", "one new assessment column"): 150_000,
    ("typical", "one new assessment column"): 150_000,
    ("demo", "one changed score"): 10_000,
    ("typical", "one changed score"): 10_000,
}
REQUEST_LIMIT = 2_000_000  # Google's recommended maximum request body


@dataclass
class Wire:
    """Counts every call and request body on its way into the local service."""

    inner: Any
    calls: list[tuple[str, int]] = field(default_factory=list)
    cell_data: bool = False
    bodies: list[bytes] | None = None  # kept when asked: the first recompute's, for `colour_cost`

    def handle(self, method: str, url: str, body: bytes | None) -> tuple[int, Any]:
        self.calls.append((method.upper(), len(body or b"")))
        if self.bodies is not None and body and method.upper() != "GET":
            self.bodies.append(body)
        self.cell_data = self.cell_data or b'"updateCells"' in (body or b"")
        return self.inner.handle(method, url, body)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Row:
    book: str
    step: str
    reads: int
    writes: int
    written: int  # on the wire (gzip)
    json_bytes: int  # unpacked
    largest: int  # the largest request, unpacked
    cpu: float
    cell_data: bool


@dataclass(frozen=True)
class ColourCost:
    """Colours as per-cell formats (what Hive writes) against colours as conditional-format rules."""

    book: str
    cells: int  # cells whose format carries a background colour
    json_bytes: int  # of those colours in the JSON
    sent_bytes: int  # what they add to the gzip bodies
    rules: int  # conditional-format rules that would colour the same cells
    rule_bytes: int  # those rules' JSON


def colour_cost(book: str, bodies: list[bytes]) -> ColourCost:
    """What the background colours of a first recompute cost, and what the same colours would
    cost as one `addConditionalFormatRule` per tab and colour (TEXT_STARTS_WITH a status word).

    The rules are built, not sent (the local service does not serve conditional formats): their
    JSON is the size of the request that would replace every per-cell colour.
    """
    cells, colours = 0, set()
    plain_bodies = []
    for raw in bodies:
        body = orjson.loads(raw)
        for request in body.get("requests", []):
            update = request.get("updateCells")
            if update is None:
                continue
            tab = (update.get("start") or update.get("range") or {}).get("sheetId")
            for row in update.get("rows", []):
                for cell in row.get("values", []):
                    fmt = cell.get("userEnteredFormat", {})
                    if "backgroundColorStyle" in fmt:
                        cells += 1
                        colours.add((tab, orjson.dumps(fmt.pop("backgroundColorStyle"))))
                        fmt.pop("backgroundColor", None)
                        if not fmt:
                            cell.pop("userEnteredFormat")
        plain_bodies.append(orjson.dumps(body))
    rules = [
        {"addConditionalFormatRule": {"index": 0, "rule": {
            "ranges": [{"sheetId": tab, "startRowIndex": 1, "startColumnIndex": 3}],
            "booleanRule": {"condition": {"type": "TEXT_STARTS_WITH",
                                          "values": [{"userEnteredValue": "On track"}]},
                            "format": {"backgroundColorStyle": orjson.loads(colour)}}}}}
        for tab, colour in sorted(colours, key=str)
    ]
    sent = sum(len(gzip.compress(b, 6, mtime=0)) for b in bodies)
    plain_sent = sum(len(gzip.compress(b, 6, mtime=0)) for b in plain_bodies)
    return ColourCost(book, cells, sum(map(len, bodies)) - sum(map(len, plain_bodies)),
                      sent - plain_sent, len(rules), len(orjson.dumps(rules)))


def client(wire: Wire) -> gspread.Client:
    return gspread.Client(
        auth=None,  # type: ignore[arg-type]
        session=session(wire),
        http_client=bounded_retry_http_client(),
    )


def measure(book: str, step: str, wire: Wire, sid: str) -> Row:
    wire.calls.clear()
    wire.cell_data = False
    gateway = SheetsGateway(client(wire), sid)
    cpu = time.process_time()
    recompute(gateway)
    cpu = time.process_time() - cpu
    posts = [n for method, n in wire.calls if method != "GET"]
    assert sum(posts) == gateway.calls.json_bytes
    return Row(
        book, step,
        reads=sum(1 for method, _ in wire.calls if method == "GET"),
        writes=len(posts),
        written=gateway.calls.bytes_written,
        json_bytes=gateway.calls.json_bytes,
        largest=max(posts, default=0),
        cpu=cpu,
        cell_data=wire.cell_data,
    )


def edits(service: LocalSheets, sid: str) -> list[tuple[str, Callable[[gspread.Spreadsheet], None]]]:
    """The teacher's edits between recomputes, made through gspread like any client."""

    def new_column(sheet: gspread.Spreadsheet) -> None:
        scores = sheet.worksheet("Scores")
        grid = scores.get_all_values()
        students = len(grid) - 4
        col = max(len(r) for r in grid) + 1
        if col > scores.col_count:
            scores.add_cols(col - scores.col_count)
        column = [["Quiz New"], ["M1"], ["2026-11-02"], ["summative"]]
        column += [[str(1 + (i * 7) % 4)] for i in range(students)]
        scores.update(column, gspread.utils.rowcol_to_a1(1, col), raw=False)

    def changed_score(sheet: gspread.Spreadsheet) -> None:
        scores = sheet.worksheet("Scores")
        current = scores.acell("C5").value
        scores.update([[4 if current != "4" else 1]], "C5", raw=False)

    def new_student(sheet: gspread.Spreadsheet) -> None:
        roster = sheet.worksheet("Roster")
        roster.append_row(["239999999", "New Student", "801", "", "", "English", ""],
                          value_input_option="RAW", table_range="A1")
        scores = sheet.worksheet("Scores")
        scores.append_row(["239999999", "New Student", 3, 3], value_input_option="RAW",
                          table_range="A1")

    return [
        ("nothing changed", lambda sheet: None),
        ("one new assessment column", new_column),
        ("one changed score", changed_score),
        ("one new student", new_student),
    ]


def run(book: str, path: Path, *, steps: tuple[str, ...] | None = None,
        colours: list[ColourCost] | None = None) -> list[Row]:
    service = LocalSheets()
    sid = service.open_workbook(path, autosave=False)
    wire = Wire(service.drive, bodies=[] if colours is not None else None)
    rows = [measure(book, "first recompute", wire, sid)]
    if colours is not None and wire.bodies is not None:
        colours.append(colour_cost(book, wire.bodies))
        wire.bodies = None
    teacher = client(Wire(service.drive)).open_by_key(sid)
    for step, edit in edits(service, sid):
        if steps is not None and step not in steps:
            continue
        edit(teacher)
        rows.append(measure(book, step, wire, sid))
    return rows


def show_colours(costs: list[ColourCost]) -> None:
    print("\ncolours of a first recompute: as per-cell formats (written) vs conditional-format rules")
    for c in costs:
        print(f"  {c.book:<8} {c.cells:>6,} coloured cells: {c.json_bytes:>9,} B of JSON, "
              f"{c.sent_bytes:>7,} B sent (gzip); as {c.rules} rules: {c.rule_bytes:,} B")


def show(rows: list[Row]) -> None:
    print(f"{'gradebook':<9} {'recompute':<26} {'reads':>5} {'writes':>6} {'bytes sent':>11} "
          f"{'JSON bytes':>11} {'largest JSON':>12} {'cpu s':>6} {'cells':>5}  target (bytes sent)")
    for r in rows:
        target = TARGETS.get((r.book, r.step))
        verdict = ""
        if target is not None:
            verdict = f"<= {target / 1000:,.0f} KB: {'met' if r.written <= target else 'NOT met'}"
        if r.largest > REQUEST_LIMIT:
            verdict += f"  (a request over {REQUEST_LIMIT / 1e6:.0f} MB)"
        print(f"{r.book:<9} {r.step:<26} {r.reads:>5} {r.writes:>6} {r.written:>11,} "
              f"{r.json_bytes:>11,} {r.largest:>12,} {r.cpu:>6.2f} "
              f"{'yes' if r.cell_data else 'no':>5}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", action="store_true", help="also 600 x 60 x 15")
    parser.add_argument("--only", choices=("demo", "typical"))
    args = parser.parse_args()
    rows: list[Row] = []
    colours: list[ColourCost] = []
    with tempfile.TemporaryDirectory(prefix="hive-payload-") as tmp:
        folder = Path(tmp)
        if args.only in (None, "demo"):
            rows += run("demo", write_demo_gradebook(folder / "demo.xlsx"), colours=colours)
        if args.only in (None, "typical"):
            path = write_gradebook(folder / "typical.xlsx", students=150, outcomes=30,
                                   scores_per_outcome=10, seed=7)
            rows += run("typical", path, colours=colours)
        if args.big:
            path = write_gradebook(folder / "big.xlsx", students=600, outcomes=60,
                                   scores_per_outcome=15, seed=1)
            rows += run("600x60x15", path, steps=("nothing changed", "one changed score"))
    show(rows)
    show_colours(colours)


if __name__ == "__main__":
    main()
