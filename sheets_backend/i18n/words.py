"""The fixed words a student or family reads, in the family's language, from gettext catalogs.

Catalogs are plain `.po` files under `locale/<language>/LC_MESSAGES/hive.po`, read at run time with
Babel (no compile step). Only Hive's own words are translated: an outcome, an assessment name or a
policy label the school chose stays as the teacher wrote it. See docs/translating.md.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from policy_engine import DEFAULT_MARKS, DEFAULT_SCALE, STATUS_WORDS, Status

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "hive"
SOURCE_LANGUAGE = "en"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention Babel's extractor looks for
    """Mark `message` for translation where it is defined; it is translated where it is shown."""
    return message


# The engine's English words (STATUS_WORDS, default marks and scale) as message ids. A test checks
# these still equal the engine's, so a renamed status cannot silently lose its translations.
STATUS_MESSAGES: dict[Status, str] = {
    Status.MASTERED: N_("Mastered"),
    Status.ON_TRACK: N_("On track"),
    Status.NOT_YET: N_("Not Yet"),
    Status.NOT_ASSESSED: N_("Not assessed yet"),
}
POLICY_WORDS: frozenset[str] = frozenset(
    [N_("Missing"), N_("Excused"), N_("Not Yet"), N_("Approaching"), N_("Meeting"),
     N_("Exceeding"), N_("Late"), N_("Absent"), N_("Not assessed")]
)
# Names a Roster might use that CLDR does not list as a language's name.
EXTRA_NAMES: dict[str, str] = {
    "mandarin": "zh", "putonghua": "zh", "普通话": "zh", "简体中文": "zh", "汉语": "zh",
    "simplified chinese": "zh", "castellano": "es",
}


@lru_cache(maxsize=1)  # the catalogs ship with Hive: look for them once per process
def available_languages() -> tuple[str, ...]:
    """Every language with a catalog, English first: adding a .po file adds a language."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return tuple(sorted(found, key=lambda code: code != SOURCE_LANGUAGE))


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _translations(language: str) -> gettext.NullTranslations:
    """The catalog for `language`, compiled in memory (a missing catalog means the source words)."""
    path = catalog_path(language)
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def _fold(text: str) -> str:
    """`Español ` -> `espanol`: compare language names without case, accents or spacing."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@cache
def _names(languages: tuple[str, ...]) -> dict[str, str]:
    """Every way of writing each language's name: its own name, and its name in each catalog's."""
    names = {_fold(name): code for name, code in EXTRA_NAMES.items() if code in languages}
    for code in languages:
        locale = Locale.parse(code)
        spelled = {code, locale.english_name or "", locale.display_name or ""}
        spelled |= {locale.get_display_name(other) or "" for other in languages}
        for name in spelled:
            if name:
                names[_fold(name)] = code
                names[_fold(re.sub(r"\s*[(（].*$", "", name))] = code
    return names


def resolve_language(value: str, languages: Iterable[str] | None = None) -> str | None:
    """The catalog for a Roster's Family Language (`Spanish`, `español`, `es-MX`, `中文`), or None.

    >>> resolve_language("Spanish"), resolve_language("中文"), resolve_language("zh-CN")
    ('es', 'zh', 'zh')
    >>> resolve_language("Klingon") is None, resolve_language("") is None
    (True, True)
    """
    known = tuple(languages) if languages is not None else available_languages()
    folded = _fold(value)
    if not folded:
        return None
    by_name = _names(known)
    for name in (folded, _fold(re.sub(r"\s*[(（].*$", "", value))):
        if name in by_name:
            return by_name[name]
    try:
        locale = Locale.parse(value.strip().replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return None
    for candidate in (str(locale), f"{locale.language}_{locale.script}", locale.language):
        if candidate in known:
            return candidate
    return None


def unknown_languages(values: Iterable[str]) -> list[str]:
    """Family Language values that have no catalog (shown in English): for a teacher's warning."""
    return sorted({v.strip() for v in values if v.strip() and resolve_language(v) is None})


@dataclass(frozen=True)
class Words:
    """Hive's fixed words in one language. Teacher text passed in is returned as written."""

    language: str

    @property
    def translations(self) -> gettext.NullTranslations:
        return _translations(self.language)

    def gettext(self, message: str, **values: object) -> str:
        """`message` translated, then `{name}` placeholders filled from `values`."""
        text = self.translations.gettext(message)
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, count: int, **values: object) -> str:
        """The form of `singular`/`plural` for `count` in this language, placeholders filled."""
        return self.translations.ngettext(singular, plural, count).format(count=count, **values)

    def status(self, status: Status) -> str:
        return _status_words(self.language, status)

    def policy_word(self, label: str) -> str:
        """A policy's label (`Missing`, `Meeting`): Hive's default words are translated, a
        school's own wording is kept."""
        return self.gettext(label) if label in POLICY_WORDS else label

    def band_label(self, status: Status, label: str) -> str:
        """The status words a policy's band shows: the default words translated, custom kept."""
        if not label or label == STATUS_WORDS.get(status):
            return self.status(status)
        return label

    def short_date(self, when: dt.date) -> str:
        """`Sep 21`, `21 sept`, `9月21日`."""
        return _short_date(when, self.language)

    def long_date(self, when: dt.date) -> str:
        """`September 21, 2026`, `21 de septiembre de 2026`, `2026年9月21日`."""
        return format_date(when, "long", locale=self.language)

    def number(self, value: float) -> str:
        return f"{value:g}"


@lru_cache(maxsize=256)
def _status_words(language: str, status: Status) -> str:
    return Words(language).gettext(STATUS_MESSAGES[status])


@lru_cache(maxsize=4096)  # a term has a few dozen dates, printed thousands of times
def _short_date(when: dt.date, language: str) -> str:
    return format_skeleton("MMMd", when, locale=language)


def words_for(family_language: str) -> Words:
    """The words for a Roster's Family Language; English when blank or without a catalog."""
    return Words(resolve_language(family_language) or SOURCE_LANGUAGE)


def _check_defaults() -> list[str]:
    """Engine words that have no message id here (a test asserts this is empty)."""
    engine = {w for w in STATUS_WORDS.values() if w}
    engine |= {m.label for m in DEFAULT_MARKS} | {lv.label for lv in DEFAULT_SCALE.levels}
    ours = set(STATUS_MESSAGES.values()) | POLICY_WORDS
    return sorted(engine - ours)
