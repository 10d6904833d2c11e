"""Errors Hive reports to a person, each with a stable code and a message a teacher can act on."""

from __future__ import annotations

from collections.abc import Sequence

from sheets_backend.problems import Problem


class HiveError(Exception):
    """Base of every error Hive reports to a person. `code` is stable; `status` is the HTTP status."""

    code = "hive_error"
    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message}


class TemplateInvalid(HiveError):
    """The spreadsheet does not follow the template closely enough to recompute anything."""

    code = "template_invalid"
    status = 422

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        fatal = [p for p in self.problems if p.fatal] or list(self.problems)
        lines = "; ".join(str(p) for p in fatal[:5])
        more = f" (and {len(fatal) - 5} more)" if len(fatal) > 5 else ""
        super().__init__(f"Hive cannot read this spreadsheet: {lines}{more}")

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "problems": [p.to_dict() for p in self.problems]}


class WorkbookInvalid(HiveError):
    """A local workbook file that cannot be opened: not an xlsx, password protected, too large."""

    code = "workbook_invalid"
    status = 400


class SheetsAccessDenied(HiveError):
    code = "sheets_forbidden"
    status = 403

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "You don't have access to this spreadsheet. Ask its owner to share it with you "
            "as an editor, or sign in with the account that owns it."
        )


class SpreadsheetNotFound(HiveError):
    code = "spreadsheet_not_found"
    status = 404

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message or "This spreadsheet was not found. It may have been deleted or moved to trash."
        )


class SheetsUnavailable(HiveError):
    """Google (or the local service) kept failing after Hive's bounded retries. Nothing was written."""

    code = "sheets_unavailable"
    status = 503

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "Google Sheets is busy right now and Hive stopped retrying. Nothing was written; "
            "try Recompute again in a minute."
        )


class SpreadsheetTooLarge(HiveError):
    code = "spreadsheet_too_large"
    status = 413


class OutcomeNotFound(HiveError):
    """The outcome asked about is not on the spreadsheet's Outcomes tab."""

    code = "outcome_not_found"
    status = 404


class FolderNotFound(HiveError):
    """The Drive folder for the reports does not exist, is in the trash, or Hive cannot see it."""

    code = "folder_not_found"
    status = 404

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "Hive cannot find this Drive folder, or may not use it. Hive can only "
            "publish into a folder it created for you: leave the folder empty when Hive asks, "
            "and Hive makes one in your Drive."
        )


class DriveScopeMissing(HiveError):
    """401 `token_scope`: the sign-in carries the Sheets scope but not Drive's `drive.file`."""

    code = "token_scope"
    status = 401

    def __init__(self) -> None:
        super().__init__(
            "Hive was not given permission to create the reports in your Google Drive. Open "
            "Hive again and allow access to the Drive files Hive creates when asked."
        )


class JobNotFound(HiveError):
    """404 `job_not_found`: no such job on the spreadsheet, or it is another teacher's."""

    code = "job_not_found"
    status = 404

    def __init__(self) -> None:
        super().__init__(
            "Hive has no record of this job. It may have finished more than a week ago: "
            "start it again from the Hive menu."
        )


class TaskForbidden(HiveError):
    """403 `task_forbidden`: a job step was asked for by something that is not Cloud Tasks."""

    code = "task_forbidden"
    status = 403

    def __init__(self) -> None:
        super().__init__("Only Hive's Cloud Tasks queue may run a job step.")
