"""The teacher's own wording in a family's language: `Outcome (es)` columns and `Name (es)` rows.

A header or a row label names its language by code (`es`, `zh-CN`) or by name as a Roster writes
it (`Spanish`, `中文`); it is resolved like a Family Language, so `Outcome (Spanish)` and a Roster's
`español` meet at the same catalog. A blank translation falls back to the school's wording.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from sheets_backend.gradebook.cells import text
from sheets_backend.i18n.words import SOURCE_LANGUAGE, resolve_language
from sheets_backend.problems import Problem, Reason, cell_ref
from sheets_backend.sheets.snapshot import Tab

_LABELLED = re.compile(r"^\s*(?P<word>[^(（]+?)\s*[(（]\s*(?P<language>[^)）]+?)\s*[)）]\s*$")
# assessment name -> language -> the assessment's name in that language
AssessmentNames = Mapping[str, Mapping[str, str]]


def labelled_language(label: object, word: str) -> str | None:
    """`Outcome (es)` -> `es` for word "Outcome"; None when `label` is not `<word> (<language>)`.

    >>> labelled_language("Outcome (Spanish)", "Outcome"), labelled_language("Name (zh)", "Name")
    ('es', 'zh')
    >>> labelled_language("Outcome", "Outcome") is None
    True
    """
    match = _LABELLED.match(str(label))
    if match is None or match["word"].casefold() != word.casefold():
        return None
    language = match["language"]
    return resolve_language(language) or language.strip().casefold()


def is_name_row(label: object) -> bool:
    """A Scores row labelled `Name (<language>)` holds translated assessment names, not a student."""
    return labelled_language(text(label), "Name") is not None


def translated_columns(tab: Tab, header_row: int, word: str) -> dict[str, int]:
    """Language -> column of each `<word> (<language>)` header (the first of each language)."""
    header = tab.rows[header_row] if header_row < len(tab.rows) else ()
    found: dict[str, int] = {}
    for col, value in enumerate(header):
        language = labelled_language(text(value), word)
        if language and language != SOURCE_LANGUAGE:
            found.setdefault(language, col)
    return found


def unknown_language_problems(tab: Tab, header_row: int, word: str) -> list[Problem]:
    """A translation header whose language Hive has no catalog for: the families reading it get
    English pages, so its words would never be shown."""
    header = tab.rows[header_row] if header_row < len(tab.rows) else ()
    problems = []
    for col, value in enumerate(header):
        language = labelled_language(text(value), word)
        if language is not None and resolve_language(language) is None:
            problems.append(Problem(
                cell_ref(tab.title, header_row + 1, col + 1), Reason.UNKNOWN_LANGUAGE,
                f'Hive has no "{language}" translation yet; this column is not shown to families',
                fatal=False))
    return problems


def assessment_names(tab: Tab | None, id_col: int, max_row: int = 8) -> dict[str, dict[str, str]]:
    """From a Scores tab's `Name (<language>)` rows: assessment -> language -> translated name."""
    if tab is None or not tab.rows:
        return {}
    header = tab.rows[0]
    out: dict[str, dict[str, str]] = {}
    for r in range(1, min(len(tab.rows), max_row)):
        language = labelled_language(text(tab.value(r, id_col)), "Name")
        if language is None or language == SOURCE_LANGUAGE:
            continue
        name = ""
        for col in range(len(header)):
            if col == id_col:
                continue
            # A merged name (Sheets returns it in the top-left cell only) covers the columns after it.
            name = text(header[col]) or name
            translated = text(tab.value(r, col))
            if name and translated:
                out.setdefault(name, {}).setdefault(language, translated)
    return out


def merge_names(*parts: AssessmentNames) -> dict[str, dict[str, str]]:
    """Several sources of translated names (Scores rows, Evidence columns): the first one wins."""
    out: dict[str, dict[str, str]] = {}
    for part in parts:
        for name, languages in part.items():
            for language, translated in languages.items():
                out.setdefault(name, {}).setdefault(language, translated)
    return out


def evidence_names(assessments: Sequence[Any], columns: Mapping[str, Sequence[Any]]
                   ) -> dict[str, dict[str, str]]:
    """From an Evidence tab's `Assessment (<language>)` columns, row by row."""
    out: dict[str, dict[str, str]] = {}
    for language, values in columns.items():
        for name, translated in zip(assessments, values, strict=False):
            if text(name) and text(translated):
                out.setdefault(text(name), {}).setdefault(language, text(translated))
    return out
