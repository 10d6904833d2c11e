"""Private progress reports: one per student, for that student and family only."""

from sheets_backend.reports.local import publish_local, report_name

__all__ = ["publish_local", "report_name"]
