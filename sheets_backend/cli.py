"""Hive's command line: recompute or check a local workbook, build the demo gradebook, serve."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sheets_backend.errors import HiveError

if TYPE_CHECKING:
    from sheets_backend.sheets.gateway import SheetsGateway

DEMO_PATH = Path("demo/gradebook.xlsx")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except HiveError as error:
        if getattr(args, "json", False):
            print(json.dumps({"error": error.to_dict()}, indent=2))
        else:
            print(f"Hive: {error.message}", file=sys.stderr)
            for problem in getattr(error, "problems", ()):
                print(f"  {problem}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sheets_backend", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    recompute = commands.add_parser("recompute", help="recompute a workbook and update Hive's tabs")
    recompute.add_argument("path", type=Path)
    recompute.add_argument("--json", action="store_true", help="print one JSON object")
    recompute.add_argument("--dry-run", action="store_true", help="compute, write nothing")
    recompute.add_argument(
        "--as-of",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="only evidence up to this date (a marking period's report)",
    )
    recompute.set_defaults(run=_recompute)

    check = commands.add_parser("validate", help="check the template and policy; writes nothing")
    check.add_argument("path", type=Path)
    check.add_argument("--json", action="store_true")
    check.set_defaults(run=_validate)

    demo = commands.add_parser("demo", help="build demo/gradebook.xlsx and recompute it")
    demo.add_argument("--out", type=Path, default=DEMO_PATH)
    demo.add_argument("--json", action="store_true")
    demo.set_defaults(run=_demo)

    publish = commands.add_parser(
        "publish", help="write one private HTML progress report per student into a folder"
    )
    publish.add_argument("path", type=Path)
    publish.add_argument("--out", type=Path, default=Path("demo/reports"))
    publish.add_argument("--as-of", type=date.fromisoformat, metavar="YYYY-MM-DD")
    publish.set_defaults(run=_publish)

    serve = commands.add_parser("serve", help="run the service locally over a folder of workbooks")
    serve.add_argument("--folder", type=Path, default=DEMO_PATH.parent)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.set_defaults(run=_serve)
    return parser


def _open(path: Path, *, autosave: bool) -> SheetsGateway:
    from sheets_backend.sheets.gateway import SheetsGateway, local_client
    from sheets_backend.sheets.local import LocalSheets

    if not path.exists():
        raise HiveError(f"There is no workbook at {path}.")
    service = LocalSheets()
    spreadsheet_id = service.open_workbook(path, autosave=autosave)
    return SheetsGateway(local_client(service), spreadsheet_id)


def _recompute(args: argparse.Namespace) -> int:
    from sheets_backend.recompute import recompute

    summary = recompute(
        _open(args.path, autosave=not args.dry_run), dry_run=args.dry_run, as_of=args.as_of
    )
    _print(summary.to_dict(), args.path, args.json)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from sheets_backend.recompute import validate

    summary = validate(_open(args.path, autosave=False))
    _print(summary.to_dict(), args.path, args.json)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from sheets_backend.demo import write_demo_gradebook

    write_demo_gradebook(args.out)
    if not args.json:
        print(f"Wrote the demo gradebook to {args.out}")
    return _recompute(argparse.Namespace(path=args.out, json=args.json, dry_run=False, as_of=None))


def _publish(args: argparse.Namespace) -> int:
    from sheets_backend.publish.local import publish_local
    from sheets_backend.recompute import evaluate_sheet

    book, evaluation = evaluate_sheet(_open(args.path, autosave=False), as_of=args.as_of)
    pages = publish_local(book, evaluation, args.out, as_of=args.as_of)
    print(f"Wrote {len(pages)} private reports to {args.out} (one per student; share each "
          "page only with that student and family).")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from sheets_backend.service.serve import serve

    serve(args.folder, host=args.host, port=args.port)
    return 0


def _print(summary: dict[str, object], path: Path, as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    print(human_summary(summary, path))


def human_summary(summary: dict[str, object], path: Path) -> str:
    """A few lines a teacher reads: counts, statuses, the first warnings, what was written."""
    statuses = summary["statuses"]
    warnings = summary["warnings"]
    calls = summary["api_calls"]
    assert isinstance(statuses, dict) and isinstance(warnings, list) and isinstance(calls, dict)
    verb = "Recomputed" if summary["written"] else "Checked"
    lines = [
        f"{verb} {path}: {summary['students']} students, {summary['outcomes']} outcomes, "
        f"{summary['evidence']:,} pieces of evidence.",
    ]
    if statuses:
        lines.append("Statuses: " + ", ".join(f"{k} {v:,}" for k, v in statuses.items()))
    if warnings:
        lines.append(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}:")
        lines += [f"  {w['cell']}: {w['message']}" for w in warnings[:10]]
        if len(warnings) > 10:
            lines.append(f"  ... and {len(warnings) - 10} more (use --json to see all)")
    if summary["written"]:
        tabs = ", ".join(summary.get("tabs", []) or [])  # type: ignore[arg-type]
        if calls["write"]:
            kb = calls.get("bytes_written", 0) / 1000
            lines.append(f"Wrote {tabs}: {calls['write']} batch update"
                         f"{'s' if calls['write'] != 1 else ''}, {kb:,.0f} KB "
                         f"({calls['read']} reads).")
        else:
            lines.append(f"{tabs}: already up to date, nothing written ({calls['read']} reads).")
    return "\n".join(lines)
