"""The fast cell reader (calamine + the sheet XML) reads every tab exactly as openpyxl does."""

from __future__ import annotations

from pathlib import Path

import pytest
from workbooks import BASE_TABS, recompute_workbook, write_workbook
from xlsx_craft import X, craft_xlsx

from sheets_backend.sheets.local import xlsx, xlsx_cells


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    fast = xlsx.load(path, "class")
    with monkeypatch.context() as m:
        m.setattr(xlsx_cells, "CalamineWorkbook", None)  # every tab through openpyxl
        slow = xlsx.load(path, "class")
    return fast.sheets, slow.sheets


def test_a_recomputed_gradebook_reads_the_same_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_workbook(tmp_path / "class.xlsx", BASE_TABS)
    recompute_workbook(path)  # Hive's tabs: notes, colours, sparkline formulas
    fast, slow = _both(path, monkeypatch)
    assert fast == slow
    assert {s.title for s in fast} >= {"Mastery", "Student Summary", "Groups"}


def test_formulas_errors_dates_and_styles_read_the_same_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = craft_xlsx(tmp_path / "class.xlsx", {
        "Scores": [
            ["id", X(3, formula="VLOOKUP(A2,B:C,2,FALSE)", style="bold"), X(3, style="date")],
            [X("#N/A", error=True), "#N/A", X('say "hi" & <go>', formula='"say ""hi"" & <go>"'),
             X(True, formula="1=1"), X(None, formula="1+2"), float("inf"), -0.5, 2**40],
        ],
    })
    fast, slow = _both(path, monkeypatch)
    assert fast == slow
    row = fast[0].rows[1]
    assert row[0] == "#N/A" and row[2].value == 'say "hi" & <go>' and row[4].value == 3


def test_shared_formulas_fall_back_to_openpyxl() -> None:
    shared = (b'<worksheet><sheetData><row r="1"><c r="A1"><f t="shared" ref="A1:A2" si="0">'
              b'B1</f><v>1</v></c></row></sheetData></worksheet>')
    assert not xlsx_cells.eligible(shared)
    assert xlsx_cells.eligible(shared.replace(b' t="shared" ref="A1:A2" si="0"', b""))
