"""Catalogs and language names: every catalog translates every message, names resolve."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from policy_engine import STATUS_WORDS, Status
from sheets_backend.i18n import words as i18n
from sheets_backend.i18n.words import Words, available_languages, resolve_language, words_for

PACKAGE = Path(i18n.__file__).parents[1]
SOURCES = [Path(i18n.__file__), *PACKAGE.glob("reports/*.py"), PACKAGE / "tabs" / "summary.py"]
KEYWORDS = {"gettext": None, "ngettext": (1, 2), "N_": None}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def code_messages() -> set[str]:
    """Every message id the code can ask for, as Babel's extractor finds it."""
    found: set[str] = set()
    for path in SOURCES:
        for _, message, _, _ in extract_from_file("python", str(path), keywords=KEYWORDS):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalog(language: str):
    with i18n.catalog_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


def test_english_spanish_and_chinese_ship():
    assert {"en", "es", "zh"} <= set(available_languages())
    assert available_languages()[0] == "en"


def test_the_template_holds_every_message_in_the_code():
    with (i18n.LOCALE_DIR / "hive.pot").open("rb") as handle:
        template = {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(handle) if m.id}
    assert code_messages() == template


@pytest.mark.parametrize("language", available_languages())
def test_every_catalog_translates_every_message(language):
    messages = {m.id[0] if isinstance(m.id, tuple) else m.id: m for m in catalog(language)
                if m.id}
    assert set(messages) >= code_messages(), f"{language}: messages missing from the catalog"
    for msgid, message in messages.items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{language}: {msgid!r} is not translated"
        assert not message.fuzzy, f"{language}: {msgid!r} is marked fuzzy"
        wanted = set(PLACEHOLDER.findall(msgid))
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) == wanted, f"{language}: {msgid!r} placeholders"


def test_engine_words_all_have_message_ids():
    assert i18n._check_defaults() == []
    for status, word in STATUS_WORDS.items():
        if word:
            assert i18n.STATUS_MESSAGES[status] == word


@pytest.mark.parametrize(
    ("typed", "language"),
    [("Spanish", "es"), ("español", "es"), ("Espanol", "es"), ("es", "es"), ("es-MX", "es"),
     ("Chinese", "zh"), ("中文", "zh"), ("zh", "zh"), ("zh-CN", "zh"), ("Mandarin", "zh"),
     ("Chinese (Simplified)", "zh"), ("English", "en"), ("  english ", "en"), ("chino", "zh"),
     ("西班牙语", "es")],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_family_language_names_resolve(typed, language):
    assert resolve_language(typed) == language


@pytest.mark.parametrize("typed", ["", "Klingon", "xx", "Tagalog"])
def test_unknown_languages_fall_back_to_english(typed):
    assert resolve_language(typed) is None
    assert words_for(typed).language == "en"


def test_unknown_languages_are_listed_for_a_warning():
    assert i18n.unknown_languages(["Spanish", "Tagalog", "", "Tagalog "]) == ["Tagalog"]


def test_status_words_and_dates_are_translated():
    es, zh = Words("es"), Words("zh")
    assert es.status(Status.MASTERED) == "Dominado"
    assert zh.status(Status.NOT_YET) == "尚未达到"
    assert es.short_date(dt.date(2026, 9, 21)) == "21 sept"
    assert zh.short_date(dt.date(2026, 9, 21)) == "9月21日"
    assert Words("en").short_date(dt.date(2026, 9, 21)) == "Sep 21"


def test_a_schools_own_words_are_kept_as_written():
    es = Words("es")
    assert es.policy_word("Missing") == "Falta entregar"
    assert es.policy_word("Proficient") == "Proficient"
    assert es.band_label(Status.MASTERED, "Mastered") == "Dominado"
    assert es.band_label(Status.MASTERED, "Proficient") == "Proficient"


def test_plural_forms_follow_the_language():
    es = Words("es")
    one = es.ngettext("{count} more demonstration at {level} or above.",
                      "{count} more demonstrations at {level} or above.", 1, level="Cumple")
    two = es.ngettext("{count} more demonstration at {level} or above.",
                      "{count} more demonstrations at {level} or above.", 2, level="Cumple")
    assert one == "1 nota más con nivel Cumple o más."
    assert two == "2 notas más con nivel Cumple o más."
