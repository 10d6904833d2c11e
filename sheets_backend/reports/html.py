"""One student's report as a self-contained HTML page: inline CSS and SVG, no external assets.

Every string that came from a teacher or a student goes through `html.escape`; the page's fixed
words are in the family's language (`<html lang>` says which), and it prints cleanly on paper.
"""

from __future__ import annotations

from html import escape

from sheets_backend.i18n.words import Words
from sheets_backend.reports.content import (
    COLOUR_KEY,
    COLUMNS,
    NO_EVIDENCE,
    NOTHING_MISSING,
    REPORT_TITLE,
    SYMBOLS,
    WORK_TO_HAND_IN,
    OutcomeLine,
    StudentReport,
    as_of_line,
    evidence_text,
    headline,
    legend_text,
    next_step,
    sparkline_points,
    status_text,
)
from sheets_backend.reports.content import work_text as work_words

CSS = """
:root { color-scheme: light; }
body { font: 16px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans", "PingFang SC",
       "Microsoft YaHei", sans-serif; color: #202124; margin: 2rem auto; max-width: 60rem;
       padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
.as-of { color: #5f6368; margin: 0 0 .75rem; }
.headline { font-size: 1.1rem; }
.legend { display: flex; flex-wrap: wrap; gap: .5rem; padding: 0; list-style: none; }
.legend li, .status { border: 1px solid #80868b; border-radius: .3rem; padding: .15rem .5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #dadce0; padding: .4rem .5rem; text-align: left; vertical-align: top; }
th { background: #f1f3f4; }
td ul { margin: 0; padding-left: 1.1rem; }
.status { display: inline-block; white-space: nowrap; }
svg { display: block; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  tr, li { break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def render(report: StudentReport, words: Words) -> str:
    """The whole page for one student, in `words`' language."""
    name = report.student.name or report.student.id
    return page(f"{words.gettext(REPORT_TITLE)} · {name}", name, body(report, words), words)


def page(title: str, heading: str, parts: list[str], words: Words) -> str:
    """A self-contained page around already-escaped `parts`; `title` and `heading` are escaped."""
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{escape(words.language.replace("_", "-"))}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="robots" content="noindex, nofollow">',
        f"<title>{escape(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{escape(heading)}</h1>",
        *parts,
        "</main>", "</body>", "</html>", "",
    ])


def body(report: StudentReport, words: Words) -> list[str]:
    """One report's content below the name: as-of line, headline, legend, outcomes, work."""
    parts = []
    if report.as_of is not None:
        parts.append(f'<p class="as-of">{escape(as_of_line(words, report.as_of))}</p>')
    parts.append(f'<p class="headline">{escape(headline(words, report))}</p>')
    parts.append(_legend(report, words))
    parts.append(_table(report, words))
    parts.append(_work(report, words))
    return parts


def _legend(report: StudentReport, words: Words) -> str:
    items = "".join(
        f'<li style="background:{_css_colour(e.colour)}">{escape(legend_text(words, e))}</li>'
        for e in report.legend
    )
    label = escape(words.gettext(COLOUR_KEY))
    return f'<h2>{label}</h2>\n<ul class="legend" aria-label="{label}">{items}</ul>'


def _table(report: StudentReport, words: Words) -> str:
    head = "".join(f'<th scope="col">{escape(words.gettext(c))}</th>' for c in COLUMNS)
    body = "\n".join(_row(line, words) for line in report.outcomes)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _row(line: OutcomeLine, words: Words) -> str:
    trail = "".join(f"<li>{escape(evidence_text(words, e))}</li>" for e in line.evidence)
    evidence = f"<ul>{trail}</ul>" if trail else escape(words.gettext(NO_EVIDENCE))
    status = (
        f'<span class="status" data-status="{line.status.value}" '
        f'style="background:{_css_colour(line.colour)}">{escape(status_text(words, line))}</span>'
    )
    return (
        f'<tr><th scope="row">{escape(line.text)}</th><td>{status}</td><td>{evidence}</td>'
        f"<td>{_sparkline(line)}</td><td>{escape(next_step(words, line))}</td></tr>"
    )


def _work(report: StudentReport, words: Words) -> str:
    label = escape(words.gettext(WORK_TO_HAND_IN).rstrip(":："))
    if not report.work:
        return f"<h2>{label}</h2>\n<p>{escape(words.gettext(NOTHING_MISSING))}</p>"
    items = "".join(f"<li>{escape(work_words(words, item))}</li>" for item in report.work)
    return f"<h2>{label}</h2>\n<ul>{items}</ul>"


def _sparkline(line: OutcomeLine, width: int = 96, height: int = 24) -> str:
    """An inline SVG polyline of the counted results on the policy's scale (numbers only)."""
    low, high, points = sparkline_points(line)
    if len(points) < 2:
        return ""
    span = (high - low) or 1.0
    step = (width - 4) / (len(points) - 1)
    ys = [height - 2 - (min(max(v, low), high) - low) / span * (height - 4) for v in points]
    coords = " ".join(f"{2 + i * step:.1f},{y:.1f}" for i, y in enumerate(ys))
    values = ", ".join(f"{v:g}" for v in points)
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{values}"><polyline points="{coords}" fill="none" stroke="#3c78d8" '
        'stroke-width="2"/></svg>'
    )


def _css_colour(colour: str) -> str:
    """A policy colour as CSS: only `#rrggbb` passes (a policy is teacher input)."""
    value = colour.strip()
    ok = len(value) == 7 and value.startswith("#") and all(
        c in "0123456789abcdefABCDEF" for c in value[1:])
    return value if ok else "transparent"


__all__ = ["SYMBOLS", "body", "page", "render"]
