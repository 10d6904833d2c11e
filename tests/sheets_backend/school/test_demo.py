"""`make demo` builds the demo school and recomputes it: the figures the README promises."""

from __future__ import annotations

import json

from workbooks import read_tab

from sheets_backend.cli import main


def test_the_demo_builds_and_recomputes_a_realistic_school(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path / "gradebook.xlsx"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["gradebook"]["written"] is True
    school = out["school"]
    assert (school["gradebooks"], school["read"], school["students"]) == (6, 6, 180)
    assert school["courses"] == ["Math", "ELA", "Science", "Social Studies"]
    # 2 reads per workbook; at least one write each (a write over 2 MB is staged in several)
    assert school["api_calls"]["read"] == 14 and school["api_calls"]["write"] >= 7
    drift = [w for w in school["warnings"] if w["reason"] == "policy_drift"]
    assert [(w["gradebook"], w["cell"]) for w in drift] == [("Science (Ms Diallo)", "Policy!B3")]
    rows = read_tab(tmp_path / "school" / "school.xlsx", "Students")[3:]
    assert len(rows) == 180 and {r[2] for r in rows} == {"6", "7", "8"}
    ineligible = [r for r in rows if r[-2] == "No"]
    assert 0 < len(ineligible) < 30  # a few unresolved incidents, each shown where it is
    assert all(":" in r[-1] and "Behavior!" in r[-1] for r in ineligible)
    mentors = [r for r in read_tab(tmp_path / "school" / "school.xlsx", "Mentors")
               if r and r[1] and str(r[1]).endswith("@ms442.example.org")]
    assert len(mentors) == 12
