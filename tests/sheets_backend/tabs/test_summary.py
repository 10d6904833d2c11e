"""The Student Summary tab: one block per student, plain words, readable without colour."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re

import pytest
from workbooks import BASE_TABS, EVIL_NAME, snapshot_of

import policy_engine
from policy_engine import DEFAULT_BANDS, Status
from sheets_backend.gradebook.template import read_gradebook
from sheets_backend.reports.content import SYMBOLS
from sheets_backend.tabs.summary import STUDENT_SUMMARY, summary_tab

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB.
CVD = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
    "typical": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
}
# CIEDE2000 of 10 is "clearly different at a glance" for flat cell backgrounds; 2.3 is a just
# noticeable difference. The bound is deliberately well above that.
MIN_DELTA_E = 10.0


def _linear(hex_colour: str) -> list[float]:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    return [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]


def simulate(hex_colour: str, kind: str) -> list[float]:
    rgb = _linear(hex_colour)
    return [min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb, strict=True))))
            for row in CVD[kind]]


def lab(rgb: list[float]) -> tuple[float, float, float]:
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def ciede2000(one: tuple[float, float, float], two: tuple[float, float, float]) -> float:
    (l1, a1, b1), (l2, a2, b2) = one, two
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1, h2 = math.degrees(math.atan2(b1, a1)) % 360, math.degrees(math.atan2(b2, a2)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_big_h = 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh) / 2)
    l_bar, c_bar2 = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        h_bar = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_bar = (h1 + h2) / 2
    else:
        h_bar = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_bar - 30)) + 0.24 * math.cos(math.radians(2 * h_bar))
         + 0.32 * math.cos(math.radians(3 * h_bar + 6))
         - 0.20 * math.cos(math.radians(4 * h_bar - 63)))
    rotation = 30 * math.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(c_bar2**7 / (c_bar2**7 + 25**7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_bar2, 1 + 0.015 * c_bar2 * t
    r_t = -math.sin(math.radians(2 * rotation)) * r_c
    dl, dc, dhh = (l2 - l1) / s_l, (c2 - c1) / s_c, d_big_h / s_h
    return math.sqrt(dl**2 + dc**2 + dhh**2 + r_t * dc * dhh)


def closest_pair(colours: tuple[str, ...]) -> float:
    return min(ciede2000(lab(simulate(x, kind)), lab(simulate(y, kind)))
               for kind in CVD for x, y in itertools.combinations(colours, 2))


def test_ciede2000_matches_the_published_test_data():
    # Sharma, Wu & Dalal (2005), pairs 1 and 7.
    assert ciede2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(2.0425, abs=1e-4)
    assert ciede2000((50, 0, 0), (50, -1, 2)) == pytest.approx(2.3669, abs=1e-4)


def test_default_band_colours_stay_distinct_for_colour_blind_readers():
    assert closest_pair(tuple(b.colour for b in DEFAULT_BANDS)) > MIN_DELTA_E


def test_every_status_has_its_own_symbol_so_colour_is_never_alone():
    assert set(SYMBOLS) == set(Status)
    assert len(set(SYMBOLS.values())) == len(SYMBOLS)


# --- the tab -------------------------------------------------------------------------------------


def render(tabs=None, as_of=None):
    book = read_gradebook(snapshot_of(tabs or BASE_TABS))
    result = policy_engine.evaluate(
        book.evidence, book.policies, students=[s.id for s in book.students],
        outcomes=[o.id for o in book.outcomes], outcome_policy=book.outcome_policy, as_of=as_of)
    return summary_tab(book, result.outcomes, result.students, as_of=as_of)


def cell_text(cell) -> str:
    value = cell.get("userEnteredValue", {})
    return value.get("stringValue") or value.get("formulaValue") or ""


def blocks(content) -> dict[str, list[list[dict]]]:
    """The tab's rows per student, by the name in each block's first row."""
    out: dict[str, list[list[dict]]] = {}
    current: list[list[dict]] = []
    for row in content.rows:
        if not row:
            current = []
            continue
        if not current:
            out[cell_text(row[0])] = current
        current.append(row)
    return out


def texts(rows) -> list[str]:
    return [" | ".join(cell_text(c) for c in row) for row in rows]


def test_one_block_per_student_in_roster_order():
    content = render()
    assert content.title == STUDENT_SUMMARY
    assert list(blocks(content)) == ["Ana Rivera", "Omar Diallo", EVIL_NAME, "Mei Chen"]


def test_a_block_names_no_other_student():
    names = ["Ana Rivera", "Omar Diallo", EVIL_NAME, "Mei Chen"]
    for name, rows in blocks(render()).items():
        text = "\n".join(texts(rows[1:]))
        assert not any(other in text for other in names if other != name)


def test_a_spanish_family_reads_every_fixed_word_in_spanish_too():
    ana = texts(blocks(render())["Ana Rivera"])
    assert ana[1] == "So far you have met 1 of 2 learning outcomes that have been assessed."
    assert ana[2] == ("Hasta ahora has alcanzado 1 de 2 resultados de aprendizaje que han sido "
                      "evaluados.")
    joined = "\n".join(ana)
    assert "● Mastered\nDominado" in joined
    assert "Work to hand in:\nTrabajo por entregar:" in joined
    assert "I can solve one-step equations." in joined  # the teacher's words, as written


def test_a_chinese_family_reads_chinese_and_an_english_one_only_english():
    mei = "\n".join(texts(blocks(render())["Mei Chen"]))
    assert "在已评估的 0 个学习目标中，你已达成 0 个" in mei
    omar = "\n".join(texts(blocks(render())["Omar Diallo"]))
    assert not re.search(r"[\u4e00-\u9fff]|Todavía|Dominado", omar)


def test_missing_work_is_work_to_hand_in_and_marks_are_words_never_codes():
    omar = texts(blocks(render())["Omar Diallo"])
    assert any(line.startswith("Work to hand in: | Quiz 2 (M1, Sep 21)") for line in omar)
    trail = "\n".join(omar)
    assert "Quiz 2, Sep 21: Missing" in trail
    assert "Essay 1, Sep 20: Excused" in trail
    assert "Project, Oct 5: Not Yet" in trail
    assert not re.search(r": (MI|EX|NY)\b", trail)


def test_a_status_cell_has_a_symbol_words_and_the_band_colour():
    ana = blocks(render())["Ana Rivera"]
    row = next(r for r in ana if cell_text(r[0]) == "I can solve one-step equations.")
    assert cell_text(row[1]).startswith("● Mastered")
    colour = row[1]["userEnteredFormat"]["backgroundColorStyle"]["rgbColor"]
    assert colour == {"red": 0.5608, "green": 0.8196, "blue": 0.8157}  # #8fd1d0


def test_the_legend_row_shows_each_band_with_its_colour_and_symbol():
    omar = blocks(render())["Omar Diallo"]
    legend = next(r for r in omar if cell_text(r[0]) == "Colour key:")
    assert [cell_text(c) for c in legend[1:]] == ["● Mastered", "◐ On track", "○ Not Yet"]
    assert all("backgroundColorStyle" in c["userEnteredFormat"] for c in legend[1:])


def test_the_trend_is_a_sparkline_of_numbers_only():
    ana = blocks(render())["Ana Rivera"]
    row = next(r for r in ana if cell_text(r[0]) == "I can solve one-step equations.")
    formula = row[3]["userEnteredValue"]["formulaValue"]
    assert formula.startswith("=SPARKLINE({3,3,3},")
    assert re.fullmatch(r'=SPARKLINE\(\{[\d.,]+\},\{"ymin",[\d.]+;"ymax",[\d.]+;'
                        r'"color","#[0-9a-f]{6}";"linewidth",2\}\)', formula)


def test_the_next_step_is_the_engines_sentence_without_its_prefix():
    omar = texts(blocks(render())["Omar Diallo"])
    m1 = next(line for line in omar if line.startswith("I can solve one-step equations."))
    assert m1.endswith("Two more demonstrations at Meeting or above, each on a different day.")


def test_as_of_shows_the_date_and_drops_later_evidence():
    content = render(as_of=dt.date(2026, 9, 30))
    ana = "\n".join(texts(blocks(content)["Ana Rivera"]))
    assert "Progress as of September 30, 2026\nProgreso al 30 de septiembre de 2026" in ana
    assert "Project, Oct 5" not in ana


def test_behaviour_never_appears():
    text = "\n".join(texts(render().rows))
    assert "Phone out" not in text and "Late three times" not in text
