"""Hive's command line: recompute or check a local workbook or school, build the demos, serve."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheets_backend.errors import HiveError

if TYPE_CHECKING:
    from sheets_backend.sheets.gateway import SheetsGateway

DEMO_PATH = Path("demo/gradebook.xlsx")
DEMO_SCHOOL = Path("demo/school")


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
    publish.add_argument("--pdf", action="store_true",
                         help="also a PDF per student and one class PDF to print")
    publish.add_argument(
        "--drive", action="store_true",
        help="publish into the local Drive beside the workbook (its .hive-drive folder), as the "
        "service's publish job does, step by step")
    publish.add_argument("--folder-id", default="", help="with --drive: the reports folder's id")
    publish.set_defaults(run=_publish)

    school = commands.add_parser(
        "school", help="a school workbook over every teacher's gradebook (docs/school.md)")
    school_commands = school.add_subparsers(required=True, metavar="SCHOOL_COMMAND")
    s_recompute = school_commands.add_parser(
        "recompute", help="recompute every gradebook, then the school's Students, Mentors and "
        "Courses tabs")
    s_recompute.add_argument("path", type=Path)
    s_recompute.add_argument("--json", action="store_true", help="print one JSON object")
    s_recompute.add_argument("--dry-run", action="store_true", help="compute, write nothing")
    s_recompute.add_argument("--as-of", type=date.fromisoformat, metavar="YYYY-MM-DD")
    s_recompute.set_defaults(run=_school_recompute)
    s_validate = school_commands.add_parser(
        "validate", help="check the school workbook and every gradebook; writes nothing")
    s_validate.add_argument("path", type=Path)
    s_validate.add_argument("--json", action="store_true")
    s_validate.set_defaults(run=_school_validate)
    s_publish = school_commands.add_parser(
        "publish", help="one private cross-course report per student, one page per mentor")
    s_publish.add_argument("path", type=Path)
    s_publish.add_argument("--out", type=Path, default=DEMO_SCHOOL / "reports")
    s_publish.add_argument("--as-of", type=date.fromisoformat, metavar="YYYY-MM-DD")
    s_publish.add_argument(
        "--drive", action="store_true",
        help="publish into the local Drive beside the school workbook (its .hive-drive folder): "
        "a report spreadsheet per student, a sheet per mentor, shared, as the service's "
        "school_publish job does, step by step")
    s_publish.add_argument("--folder-id", default="", help="with --drive: the folder's id")
    s_publish.set_defaults(run=_school_publish)

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


@contextmanager
def _opened(path: Path) -> Iterator[SheetsGateway]:
    """The workbook at `path` for one command that writes: saved once, when the command is done
    (never after each of its calls, and not at all if it fails)."""
    from sheets_backend.sheets.gateway import SheetsGateway, local_client
    from sheets_backend.sheets.local import LocalSheets

    if not path.exists():
        raise HiveError(f"There is no workbook at {path}.")
    service = LocalSheets()
    spreadsheet_id = service.open_workbook(path, autosave=True)
    with service.saving_at_the_end():
        yield SheetsGateway(local_client(service), spreadsheet_id)


def _recompute(args: argparse.Namespace) -> int:
    from sheets_backend.recompute import recompute

    if args.dry_run:
        summary = recompute(_open(args.path, autosave=False), dry_run=True, as_of=args.as_of)
    else:
        with _opened(args.path) as gateway:
            summary = recompute(gateway, as_of=args.as_of)
    _print(summary.to_dict(), args.path, args.json)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from sheets_backend.recompute import validate

    summary = validate(_open(args.path, autosave=False))
    _print(summary.to_dict(), args.path, args.json)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from sheets_backend.demo import write_demo_gradebook
    from sheets_backend.recompute import recompute
    from sheets_backend.school.demo import write_demo_school
    from sheets_backend.school.run import LocalOpener, recompute_school

    write_demo_gradebook(args.out)
    with _opened(args.out) as gateway:
        gradebook = recompute(gateway).to_dict()
    school_path = write_demo_school(args.out.parent / DEMO_SCHOOL.name)
    school = recompute_school(_open(school_path, autosave=True), LocalOpener(school_path))
    if args.json:
        print(json.dumps({"gradebook": gradebook, "school": school.to_dict()}, indent=2,
                         ensure_ascii=False))
        return 0
    print(f"Wrote the demo gradebook to {args.out}")
    print(human_summary(gradebook, args.out))
    print(f"\nWrote the demo school to {school_path} (and its gradebooks beside it)")
    print(school_summary(school.to_dict(), school_path))
    return 0


def _school_recompute(args: argparse.Namespace) -> int:
    from sheets_backend.school.run import LocalOpener, recompute_school

    summary = recompute_school(
        _open(args.path, autosave=not args.dry_run),
        LocalOpener(args.path, autosave=not args.dry_run),
        dry_run=args.dry_run, as_of=args.as_of)
    _print_school(summary.to_dict(), args.path, args.json)
    return 0


def _school_validate(args: argparse.Namespace) -> int:
    from sheets_backend.school.run import LocalOpener, validate_school

    summary = validate_school(_open(args.path, autosave=False),
                              LocalOpener(args.path, autosave=False))
    _print_school(summary.to_dict(), args.path, args.json)
    return 0


def _school_publish(args: argparse.Namespace) -> int:
    from sheets_backend.school.publish import publish_school
    from sheets_backend.school.run import LocalOpener

    if args.drive:
        return _school_publish_job(args)
    done = publish_school(_open(args.path, autosave=False), LocalOpener(args.path, autosave=False),
                          args.out, as_of=args.as_of)
    print(f"Wrote {done.reports} private cross-course reports and {done.mentor_pages} mentor "
          f"pages to {args.out} (share each report only with that student and family, each "
          "mentor page only with that mentor).")
    for warning in done.not_read:
        print(f"  {warning}")
    return 0


def _school_publish_job(args: argparse.Namespace) -> int:
    """The service's school_publish job, its steps run here one after another, over the school
    workbook's folder (every .xlsx in it, by file stem, as `serve` opens them) and its local Drive."""
    from sheets_backend.jobs.school_publish import new_job
    from sheets_backend.sheets.gateway import local_client
    from sheets_backend.sheets.local import LocalSheets

    service = LocalSheets.from_folder(args.path.resolve().parent, keep_drive=True)
    sid = args.path.stem
    client = local_client(service)
    return _run_publish_here(client, sid, new_job, args, "Publishing the school's reports")


def _print_school(summary: dict[str, object], path: Path, as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    print(school_summary(summary, path))


def school_summary(summary: dict[str, Any], path: Path) -> str:
    """A few lines an admin reads: gradebooks read, students, warnings, what was written."""
    verb = "Recomputed" if summary["written"] else "Checked"
    lines = [f"{verb} {path}: {summary['read']} of {summary['gradebooks']} gradebooks read, "
             f"{summary['students']} students, courses: {', '.join(summary['courses'])}."]
    for item in summary["not_read"]:
        lines.append(f"  NOT READ {item['cell']}: {item['message']}")
    warnings = [w for w in summary["warnings"] if w["reason"] != "gradebook_unreadable"]
    if warnings:
        lines.append(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}:")
        lines += [f"  {w['gradebook'] or 'school'} {w['cell']}: {w['message']}"
                  for w in warnings[:10]]
        if len(warnings) > 10:
            lines.append(f"  ... and {len(warnings) - 10} more (use --json to see all)")
    calls = summary["api_calls"]
    if summary["written"]:
        lines.append(f"Wrote {', '.join(summary['tabs'])} ({calls['read']} reads and "
                     f"{calls['write']} writes in all, gradebooks included).")
    return "\n".join(lines)


def _publish(args: argparse.Namespace) -> int:
    from sheets_backend.publish.local import publish_local
    if args.drive:
        return _publish_job(args)
    from sheets_backend.recompute import evaluate_sheet

    book, evaluation = evaluate_sheet(_open(args.path, autosave=False), as_of=args.as_of)
    pages = publish_local(book, evaluation, args.out, as_of=args.as_of, pdf=args.pdf)
    print(f"Wrote {len(pages)} private reports to {args.out} (one per student; share each "
          "page only with that student and family). index.html lists them: for you only.")
    if args.pdf:
        print("PDFs: one per student beside each page, and class-reports.pdf to print.")
    return 0


def _publish_job(args: argparse.Namespace) -> int:
    """The service's publish job, its steps run here one after another (the embedded default)."""
    from sheets_backend.jobs.publish import new_job
    from sheets_backend.sheets.gateway import local_client
    from sheets_backend.sheets.local import LocalSheets, drive_store

    service = LocalSheets()
    sid = service.open_workbook(args.path)
    drive_store.attach(service.drive, args.path.parent)
    client = local_client(service)
    return _run_publish_here(client, sid, new_job, args, "Publishing reports")


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
            json_kb = calls.get("json_bytes", 0) / 1000
            lines.append(f"Wrote {tabs}: {calls['write']} batch update"
                         f"{'s' if calls['write'] != 1 else ''}, {kb:,.0f} KB sent "
                         f"({json_kb:,.0f} KB of JSON; {calls['read']} reads).")
        else:
            lines.append(f"{tabs}: already up to date, nothing written ({calls['read']} reads).")
    return "\n".join(lines)


def _run_publish_here(client: Any, sid: str, make_job: Any, args: argparse.Namespace,
                      doing: str) -> int:
    """A publish job made by `make_job`, its steps run here one after another, progress on
    stderr; 0 when it ends done."""
    from sheets_backend.jobs.model import StepContext, owner_of
    from sheets_backend.jobs.runner import run_step
    from sheets_backend.jobs.store import MetadataJobStore
    from sheets_backend.service.auth import LOCAL_IDENTITY
    from sheets_backend.service.settings import Config

    per_step = Config().students_per_step
    ctx = StepContext(client=client, store=MetadataJobStore(client, sid), students_per_step=per_step)
    job = make_job(ctx, owner_of(LOCAL_IDENTITY.key), sid, args.folder_id, args.as_of)
    while not job.state.finished:
        job = run_step(client, job.id, per_step)
        print(f"{doing}: {job.done} of {job.total}", file=sys.stderr)
    print(job.message)
    if job.result:
        print(f"Folder id: {job.result['folder_id']} (pass --folder-id next time)")
    return 0 if job.state.value == "done" else 1
