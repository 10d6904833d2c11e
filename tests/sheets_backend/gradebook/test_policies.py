"""Policy tab and YAML library -> Policy objects, with every problem named by its cell."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from policy_engine import (
    SCHOOL_MARKS,
    Band,
    EvidenceType,
    Level,
    Mark,
    MarkEffect,
    MissingWork,
    Policy,
    PolicyError,
    ReportBasis,
    Rounding,
    Status,
)
from sheets_backend.gradebook.policies import (
    GRADEBOOK_SETTINGS,
    SETTINGS,
    default_policies,
    load_policy_library,
    parse_policy_tab,
    policy_tab_rows,
)
from sheets_backend.problems import Reason

MS442_TAB: list[list[object]] = [
    ["Setting", "Default", "Science"],
    ["Method", "demonstrations", "Decaying Average"],
    ["Demonstrations needed (n)", 3],
    ["Weight", 65, 75],
    ["Scale", "1 Not Yet; 2 Approaching; 3 Meeting; 4 Exceeding"],
    ["Mastery threshold", 3.0, ""],
    ["Distinct dates", "yes", "no"],
    ["Counted types", "summative, update"],
    ["Missing work", "not counted", "counts as Not Yet"],
    ["Marks", "NY Not Yet = 1; MI Missing = missing; EX Excused = excluded"],
    ["Bands", "Mastered #8fd1d0; On track #fff566; Not Yet #ec9393"],
    ["Report card", "percent met: A 90; B 80; C 70; F 0"],
    ["Description", "Three times at Meeting or above, on different days."],
]


def test_the_ms442_tab_reads_into_policies() -> None:
    policies, problems = parse_policy_tab(MS442_TAB)
    assert problems == []
    default = policies["Default"]
    assert default.method == "demonstrations" and default.n == 3
    assert default.scale.levels[2] == Level(3, "Meeting")
    assert default.counted_types == {EvidenceType.SUMMATIVE, EvidenceType.UPDATE}
    assert default.mark("ny") == Mark("NY", "Not Yet", MarkEffect.LEVEL, 1.0)
    assert default.band(Status.ON_TRACK) == Band(Status.ON_TRACK, "On track", "#fff566")
    assert default.report_card is not None
    assert default.report_card.basis is ReportBasis.PERCENT_MET
    assert default.report_card.grade_for(85) == "B"


def test_blank_cells_inherit_from_default() -> None:
    science = parse_policy_tab(MS442_TAB)[0]["Science"]
    assert science.method == "decaying_average" and science.weight == 75
    assert science.mastery_threshold == 3 and science.distinct_dates is False
    assert science.missing_work is MissingWork.NOT_YET
    assert science.description == "Three times at Meeting or above, on different days."


def test_setting_names_match_case_and_space_insensitively() -> None:
    rows = [["SETTING", "Default"], ["  demonstrations   NEEDED (N) ", 4], ["distinctdates", False]]
    policies, problems = parse_policy_tab(rows)
    assert problems == [] and policies["Default"].n == 4
    assert policies["Default"].distinct_dates is False


def test_unformatted_values_and_missing_trailing_cells_are_read() -> None:
    rows = [["Setting", "Default", "Art"], ["Weight", 70.0], ["Method", "average", ""], []]
    policies, problems = parse_policy_tab(rows)
    assert problems == [] and policies["Art"].weight == 70 and policies["Art"].method == "average"


BAD_CELLS = [
    pytest.param(["Weight", "abc"], "Policy!B2", '"abc" is not a number (Weight must be 1..99)',
                 id="weight-not-a-number"),
    pytest.param(["Weight", 150], "Policy!B2", "150 is out of range (Weight must be 1..99)",
                 id="weight-out-of-range"),
    pytest.param(["Demonstrations needed (n)", 2.5], "Policy!B2", "2.5 is not a whole number",
                 id="n-not-whole"),
    pytest.param(["Demonstrations needed (n)", 11], "Policy!B2",
                 "11 is out of range (Demonstrations needed (n) must be 1..10)", id="n-too-big"),
    pytest.param(["Method", "vibes"], "Policy!B2", '"vibes" is not a method', id="method"),
    pytest.param(["Distinct dates", "maybe"], "Policy!B2", '"maybe" is not yes or no',
                 id="yes-no"),
    pytest.param(["Scale", "one; two"], "Policy!B2", '"one" is not a level', id="scale"),
    pytest.param(["Counted types", "homework"], "Policy!B2", "is not a list of summative",
                 id="counted-types"),
    pytest.param(["Missing work", "zero"], "Policy!B2", '"zero" is not a missing-work rule',
                 id="missing-work"),
    pytest.param(["Marks", "NY = 1"], "Policy!B2", '"NY = 1" is not a mark', id="marks"),
    pytest.param(["Bands", "Mastered #8fd1d0"], "Policy!B2", "is not three bands", id="bands"),
    pytest.param(["Report card", "vibes: A 90"], "Policy!B2", "is not a report card",
                 id="report-card"),
    pytest.param(["Mastery threshold", 7], "Policy!B2",
                 "7 is out of range (Mastery threshold must be 1..4 (on the scale))",
                 id="threshold-off-scale"),
    pytest.param(["Colour", "red"], "Policy!A2", '"Colour" is not a setting', id="unknown"),
    pytest.param(["Marks", "NY Not Yet = 9"], "Policy!B2",
                 "is out of range (Marks must be a mark value on the scale, 1..4)",
                 id="mark-off-scale"),
]


@pytest.mark.parametrize(("row", "cell", "message"), BAD_CELLS)
def test_a_bad_cell_is_named_with_what_to_do(row: list[object], cell: str, message: str) -> None:
    policies, problems = parse_policy_tab([["Setting", "Default"], row])
    assert len(problems) == 1
    problem = problems[0]
    assert problem.cell == cell and message in problem.message
    assert problem.reason is Reason.POLICY_SETTING and problem.fatal
    assert str(problem).startswith(f"{cell}: ")


def test_every_problem_is_reported_at_once() -> None:
    rows = [list(r) for r in MS442_TAB]
    rows[3] = ["Weight", 65, "abc"]
    rows[1][1] = "nope"
    rows.append(["Colour", "x"])
    rows[2] = ["Demonstrations needed (n)", 3, 40]
    policies, problems = parse_policy_tab(rows)
    assert sorted(str(p) for p in problems) == sorted([
        'Policy!C4: "abc" is not a number (Weight must be 1..99)',
        'Policy!B2: "nope" is not a method (Method must be one of demonstrations, n_mastery, '
        "highest, latest, average, median, mode, decaying_average, standard_decaying_average, "
        "power_law)",
        "Policy!C3: 40 is out of range (Demonstrations needed (n) must be 1..10)",
        'Policy!A14: "Colour" is not a setting (settings: '
        + ", ".join(s.name for s in SETTINGS) + ")",
    ])
    assert policies == {}


def test_an_inherited_problem_is_reported_once_at_its_source() -> None:
    rows = [["Setting", "Default", "Art"], ["Weight", 0]]
    _, problems = parse_policy_tab(rows)
    assert [p.cell for p in problems] == ["Policy!B2"]


def test_header_problems_name_their_cells() -> None:
    _, problems = parse_policy_tab([["Name", "Science", "Science"]], tab="Grading Policy")
    assert [p.cell for p in problems] == [
        "'Grading Policy'!A1", "'Grading Policy'!B1", "'Grading Policy'!C1"]


def test_the_library_holds_the_named_policies() -> None:
    library = load_policy_library()
    assert {"MS 442: 3 demonstrations", "Canvas decaying average 65", "Marzano power law",
            "JumpRope rolling average 75"} <= set(library)
    assert library["Canvas decaying average 65"].weight == 65
    assert library["JumpRope rolling average 75"].method == "standard_decaying_average"
    assert library["Percent scale average"].scale.maximum == 100
    assert library["Letter grades, most frequent"].scale.value_of("b") == 3
    assert all(policy.description for policy in library.values())


def test_default_policies_are_ms442() -> None:
    default = default_policies()["Default"]
    assert default == dataclasses.replace(Policy(), description=default.description,
                                          report_card=default.report_card, marks=SCHOOL_MARKS)


def test_a_library_with_a_bad_setting_says_which(tmp_path) -> None:
    path = tmp_path / "library.yaml"
    path.write_text("policies:\n  Mine:\n    Weight: 300\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="Mine.*300 is out of range") as caught:
        load_policy_library(path)
    assert caught.value.setting == "weight"


def test_tab_rows_round_trip_through_the_parser() -> None:
    library = load_policy_library()
    policies = {"Default": default_policies()["Default"]}
    for name, policy in library.items():
        policies[name] = dataclasses.replace(policy, name=name)
    rows = policy_tab_rows(policies)
    assert rows[0] == ["Setting", "Default", *library]
    assert all(isinstance(cell, str) for row in rows for cell in row)
    parsed, problems = parse_policy_tab([list(r) for r in rows])
    assert problems == [] and parsed == policies


def test_tab_rows_leave_inherited_cells_blank() -> None:
    policies = {"Default": Policy(), "Art": Policy(name="Art", weight=80)}
    rows = {row[0]: row[1:] for row in policy_tab_rows(policies)}
    assert rows["Weight"] == ["65", "80"] and rows["Method"] == ["demonstrations", ""]


@pytest.mark.parametrize("setting", [*SETTINGS, *GRADEBOOK_SETTINGS], ids=lambda s: s.field)
def test_every_setting_is_documented(setting) -> None:
    docs = (Path(__file__).resolve().parents[3] / "docs" / "policies.md").read_text("utf-8")
    assert f"| {setting.name} |" in docs


def test_a_rules_report_card_reads_and_writes_back() -> None:
    value = "rules: A every 3 and majority 4; B all at 2 or above, most 3; C 75% 2; F"
    policies, problems = parse_policy_tab([["Setting", "Default"], ["Report card", value]])
    assert problems == []
    card = policies["Default"].report_card
    assert card is not None and card.basis is ReportBasis.RULES
    assert card.describe() == "rules: A every 3 and majority 4; B every 2 and majority 3; C 75% 2; F"
    again, _ = parse_policy_tab([list(r) for r in policy_tab_rows(policies)])
    assert again["Default"].report_card == card


@pytest.mark.parametrize(
    ("value", "words"),
    [
        pytest.param("rules: A every 3; B most 2", "must end with a grade for everyone else",
                     id="no-floor"),
        pytest.param("rules: A lots of 3; F", '"lots of 3" in "A lots of 3" is not a condition',
                     id="bad-quantifier"),
        pytest.param("rules: A every three; F", '"every three"', id="bad-level"),
    ],
)
def test_a_bad_rules_report_card_is_named_by_its_cell(value: str, words: str) -> None:
    _, problems = parse_policy_tab([["Setting", "Default"], ["Report card", value]])
    assert [p.cell for p in problems] == ["Policy!B2"]
    assert words in problems[0].message


def test_the_library_s_canvas_policies_follow_canvas_and_the_rest_stay_exact() -> None:
    library = load_policy_library()
    canvas = {name for name, policy in library.items() if policy.rounding is Rounding.CANVAS}
    assert canvas == {"Canvas decaying average 65", "Canvas n mastery 5"}
    n_mastery = library["Canvas n mastery 5"]
    assert (n_mastery.method, n_mastery.n, n_mastery.distinct_dates) == ("n_mastery", 5, False)
    assert library["MS 442: 3 demonstrations"].rounding is Rounding.EXACT


def test_rounding_canvas_takes_canvas_defaults_unless_the_tab_sets_them() -> None:
    rows = [["Setting", "Default", "Canvas", "Canvas n 3"],
            ["Method", "n_mastery", "", ""],
            ["Rounding", "exact", "Canvas", "canvas"],
            ["Demonstrations needed (n)", "", "", 3]]
    policies, problems = parse_policy_tab(rows)
    assert problems == []
    assert (policies["Default"].n, policies["Default"].distinct_dates) == (3, True)
    assert (policies["Canvas"].n, policies["Canvas"].distinct_dates) == (5, False)
    assert policies["Canvas"].rounding is Rounding.CANVAS
    assert policies["Canvas n 3"].n == 3


def test_a_bad_rounding_names_its_cell() -> None:
    _, problems = parse_policy_tab([["Setting", "Default"], ["Rounding", "Excel"]])
    assert [(p.cell, p.message) for p in problems] == [
        ("Policy!B2", '"Excel" is not a rounding (Rounding must be exact or Canvas)')]
