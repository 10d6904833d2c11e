"""A small real school on disk: two gradebooks (Math, ELA), a school workbook naming them."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from workbooks import BASE_TABS, Rows, read_tab, write_workbook

from sheets_backend.cli import main
from sheets_backend.gradebook.policies import default_policies, policy_tab_rows
from sheets_backend.school.tabs import GROUP

ELA_TABS: dict[str, Rows] = {
    "Roster": [
        ["Student ID", "Student Name", "Section", "Family Language"],
        ["S1", "Ana Rivera", "801", "Spanish"],
        ["S2", "Omar Diallo", "801", "English"],
        ["S5", "Zoe Kim", "802", ""],
    ],
    "Outcomes": [
        ["Outcome ID", "Outcome", "Subject"],
        ["L1", "I can cite evidence to support my claim.", "ELA"],
        ["L2", "I can write a clear claim.", "ELA"],
    ],
    "Scores": [
        ["Student ID", "Student Name", "Essay 1", "Essay 2", "Debate", "Quiz"],
        ["Outcome", "", "L1", "L2", "L1", "L2"],
        ["Date", "", datetime(2026, 9, 10), datetime(2026, 9, 17), datetime(2026, 9, 24),
         datetime(2026, 10, 1)],
        ["Type", "", "summative", "summative", "summative", "summative"],
        ["S1", "Ana Rivera", 3, 2, 4, 1],
        ["S2", "Omar Diallo", 2, "MI", 3, 3],
        ["S5", "Zoe Kim", 4, 4, 4, 4],
    ],
    "Policy": policy_tab_rows(default_policies()),  # type: ignore[dict-item]
    "Behavior": [
        ["Date", "Student ID", "Note", "Resolved"],
        [datetime(2026, 9, 29), "S5", "Left class without a pass", ""],
    ],
}
SCHOOL_TABS: dict[str, Rows] = {
    "Gradebooks": [
        ["Gradebook", "Course", "Teacher", "Teacher Email", "Department"],
        ["math.xlsx", "Math", "Ms Lee", "lee@school.example.org", "Math"],
        ["ela.xlsx", "ELA", "Mr Park", "park@school.example.org", "ELA"],
    ],
    "Roster": [
        ["Student ID", "Student Name", "Grade", "Mentor", "Mentor Email", "Family Language"],
        ["S1", "Ana Rivera", "8", "Ms Ortiz", "ortiz@school.example.org", "Spanish"],
        ["S2", "Omar Diallo", "8", "Mr Baker", "baker@school.example.org", "English"],
        ["S3", BASE_TABS["Roster"][3][1], "8", "Ms Ortiz", "", ""],
        ["S4", "Mei Chen", "7", "Mr Baker", "", "Chinese"],
        ["S5", "Zoe Kim", "7", "Mr Baker", "", ""],
    ],
    "Policy": policy_tab_rows(default_policies()),  # type: ignore[dict-item]
    "Mentoring": [
        ["Date", "Student ID", "Mentor", "Note"],
        [datetime(2026, 9, 20), "S2", "Mr Baker", "Talked about missing work"],
        [datetime(2026, 10, 2), "S2", "Mr Baker", "Follow-up"],
    ],
    "Behavior": [["Date", "Student ID", "Note", "Resolved"]],
}


class School:
    """A school on disk, run through the CLI the way an admin does, read back from the files."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.tabs = {"school.xlsx": copy.deepcopy(SCHOOL_TABS),
                     "math.xlsx": copy.deepcopy(BASE_TABS), "ela.xlsx": copy.deepcopy(ELA_TABS)}
        self.write()

    @property
    def path(self) -> Path:
        return self.folder / "school.xlsx"

    def write(self, *names: str) -> None:
        for name in names or tuple(self.tabs):
            write_workbook(self.folder / name, self.tabs[name])

    def cli(self, command: str, *args: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
        assert main(["school", command, str(self.path), "--json", *args]) == 0
        return json.loads(capsys.readouterr().out)

    def tab(self, title: str, name: str = "school.xlsx") -> Rows:
        return read_tab(self.folder / name, title)

    def students(self) -> dict[str, dict[str, Any]]:
        """The Students tab as {Student ID: {"Math: On track": 2, ..., "Incentive eligible": ...}}."""
        rows = self.tab("Students")
        group, heads = rows[1], rows[2]
        names, current = [], ""
        for top, head in zip(group, heads, strict=False):
            current = top or current
            names.append(f"{current}: {head}" if head in GROUP else str(head))
        return {row[0]: dict(zip(names, row, strict=False)) for row in rows[3:]}


@pytest.fixture
def school(tmp_path: Path) -> School:
    return School(tmp_path)
