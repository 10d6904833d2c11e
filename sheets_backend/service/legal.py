"""The `/privacy` and `/terms` pages the Workspace Marketplace listing links to: what Hive reads,
writes and keeps, in plain words (the same facts as docs/deploy.md, section 9)."""

from __future__ import annotations

from html import escape

from flask import Blueprint, Response

from sheets_backend.service.settings import SETTINGS_BY_NAME

legal = Blueprint("legal", __name__)
KEEP_DAYS = SETTINGS_BY_NAME["job_keep_days"].default

PRIVACY = (
    "Hive's privacy policy",
    [
        ("Who acts", "Hive acts only as the teacher who uses it, with the Google access token "
         "Google gives the add-on for her. Hive has no account of its own that can open a "
         "spreadsheet, and no password, client secret or service account."),
        ("What Hive reads", "The spreadsheet the teacher has open when she uses Hive: its Roster, "
         "Outcomes, Scores, Evidence, Policy and other template tabs, to compute each student's "
         "mastery. In Google Drive, only the files and folders Hive itself created (the "
         "drive.file permission): its reports folder and the report spreadsheets in it. Hive "
         "never sees the rest of her Drive."),
        ("What Hive writes", "In the gradebook: Hive's own tabs (Mastery, Student Summary, Groups), "
         "the Policy tab when the teacher picks a policy, the template tabs when she asks for "
         "them, and a small record of each long task (see below). Never a teacher's own cells. "
         "In her Drive, when she publishes student reports: a \"Hive progress reports\" folder, one "
         "report spreadsheet per student in it, shared read-only with the addresses in that "
         "student's Student Email and Family Email cells (without an email notification); a "
         "student who leaves the Roster loses access and the report goes to her trash."),
        ("What Hive keeps", "Hive's service has no database and stores no student data. While a "
         "publish runs, a record of it is kept on the gradebook itself as developer metadata, "
         "visible only to Hive: ids, counts and progress, a hash of the teacher's Google account "
         "id, and the reports folder's id. It holds no student names, scores or addresses, and "
         f"it is deleted {KEEP_DAYS} days after the publish finishes. The service's logs keep a request id, "
         "the route, the time taken and counts, for 30 days (Google Cloud Logging's default); "
         "never a name, a score, an address, a token or a spreadsheet's id (only a short hash)."),
        ("Access tokens", "Each call carries the teacher's Google access token. Hive checks it with "
         "Google and uses it for that call; it is never written to a log or a database. A "
         "publish runs in steps queued on Google Cloud Tasks, each step carrying the token until "
         "it runs (Google keeps a queued step for at most an hour); Google's tokens expire "
         "within an hour."),
        ("Sharing", "Hive sells nothing and shares nothing with anyone. Student data goes only "
         "where the teacher's own spreadsheet already says: each report to that student's and "
         "family's addresses."),
        ("Removing Hive", "Uninstall the add-on and remove Hive's access at "
         "myaccount.google.com/permissions. Hive's tabs and reports are ordinary Google files "
         "the teacher owns and can delete."),
    ],
)

TERMS = (
    "Hive's terms of use",
    [
        ("The service", "Hive computes mastery from the teacher's own gradebook by the policy on "
         "its Policy tab, writes the results into Hive's tabs, and, when asked, publishes one "
         "private report per student. It is offered as is, without warranty; the school decides "
         "its policies and remains responsible for the grades it reports."),
        ("Your data", "Your spreadsheets and reports stay yours, in your Google account. Hive "
         "reads, writes and keeps only what the privacy policy says."),
        ("Fair use", "Hive limits how many calls one teacher makes per minute, to stay inside "
         "Google's own limits; a publish of a large class takes a few minutes for that reason."),
        ("Changes", "A new version of the add-on may ask Google for a new permission; Hive then "
         "asks you to authorise it again before anything else happens."),
    ],
)


def _page(title: str, sections: list[tuple[str, str]]) -> Response:
    body = "".join(f"<h2>{escape(h)}</h2><p>{escape(p)}</p>" for h, p in sections)
    html = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(title)}"
            "</title><meta name=\"viewport\" content=\"width=device-width\"><style>body{font:16px/1.5 "
            "Arial,sans-serif;max-width:42em;margin:2em auto;padding:0 1em}</style></head><body>"
            f"<h1>{escape(title)}</h1>{body}</body></html>")
    return Response(html, mimetype="text/html")


@legal.get("/privacy")
def privacy() -> Response:
    """What Hive reads, writes and keeps (the Marketplace listing's privacy policy)."""
    return _page(*PRIVACY)


@legal.get("/terms")
def terms() -> Response:
    """The terms of use the Marketplace listing links to."""
    return _page(*TERMS)
