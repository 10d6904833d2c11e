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
    KEY,
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
    latest_text,
    legend_text,
    next_step,
    outcome_text,
    sparkline_points,
    status_text,
)
from sheets_backend.reports.content import work_text as work_words
from sheets_backend.reports.header import (
    from_line,
    grade_rule,
    grade_text,
    policy_text,
    scale_text,
)

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 16px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC",
       "PingFang SC", "Microsoft YaHei", sans-serif; color: #202124; margin: 1rem auto;
       max-width: 60rem; padding: 0 .75rem; overflow-wrap: anywhere; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.25rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 0 0 .5rem; }
.from, .as-of { color: #5f6368; margin: 0; }
.as-of { margin-bottom: .75rem; font-weight: 600; }
.headline { font-size: 1.1rem; }
.grade { font-size: 1.1rem; font-weight: 600; margin: .5rem 0 0; }
.grade-rule { color: #5f6368; margin: 0; }
.key { border: 1px solid #dadce0; border-radius: .5rem; padding: .5rem .75rem; }
.key p { margin: .25rem 0; }
.legend { display: flex; flex-wrap: wrap; gap: .5rem; padding: 0; margin: .25rem 0; list-style: none; }
.legend li, .status { border: 1px solid #80868b; border-radius: .3rem; padding: .15rem .5rem; }
.status { display: inline-block; }
.outcome { border: 1px solid #dadce0; border-radius: .5rem; padding: .75rem; margin: .75rem 0; }
.outcome .latest { font-weight: 600; margin: .5rem 0 0; }
.outcome .label { font-weight: 600; margin: .5rem 0 .15rem; }
.outcome ul { margin: 0; padding-left: 1.1rem; }
.outcome p { margin: .15rem 0; }
.parts { display: grid; grid-template-columns: 1fr; gap: 0 1rem; }
@media (min-width: 48rem) { .parts { grid-template-columns: 3fr 1fr 3fr; } }
svg { display: block; max-width: 100%; }
.student + .student { break-before: page; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  .outcome, .key, li { break-inside: avoid; }
  .parts { grid-template-columns: 3fr 1fr 3fr; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def render(report: StudentReport, words: Words) -> str:
    """The whole page for one student, in `words`' language."""
    name = report.student.name or report.student.id
    return page([(body(report, words), words)], f"{words.gettext(REPORT_TITLE)} · {name}",
                words.language)


def page(bodies: list[tuple[str, Words]], title: str, language: str) -> str:
    """A self-contained HTML document around one or more students' bodies (a class PDF has all
    of them, a page break between students)."""
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(language.replace("_", "-"))}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="robots" content="noindex, nofollow">',
        f"<title>{escape(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        *[text for text, _ in bodies],
        "</main>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)


def body(report: StudentReport, words: Words) -> str:
    """One student's report: header, headline, grade, key, a card per outcome, work to hand in."""
    lang = escape(words.language.replace("_", "-"))
    name = escape(report.student.name or report.student.id)
    parts = [f'<article class="student" lang="{lang}">', "<header>"]
    sender = from_line(words, report.about)
    if sender:
        parts.append(f'<p class="from">{escape(sender)}</p>')
    parts.append(f"<h1>{name}</h1>")
    if report.as_of is not None:
        parts.append(f'<p class="as-of">{escape(as_of_line(words, report.as_of))}</p>')
    parts.append("</header>")
    parts.append(f'<p class="headline">{escape(headline(words, report))}</p>')
    if report.report_card and report.card_policy is not None and report.card_policy.report_card:
        rule = grade_rule(words, report.card_policy.report_card, report.report_card)
        parts.append(f'<p class="grade">{escape(grade_text(words, report.report_card))}</p>')
        if rule:
            parts.append(f'<p class="grade-rule">{escape(rule)}</p>')
    parts.append(_key(report, words))
    parts.append(f"<h2>{escape(words.gettext(COLUMNS[0]))}</h2>")
    parts += [_card(line, words, report) for line in report.outcomes]
    parts.append(_work(report, words))
    parts.append("</article>")
    return "\n".join(parts)


def _key(report: StudentReport, words: Words) -> str:
    items = "".join(
        f'<li style="background:{_css_colour(e.colour)}">{escape(legend_text(words, e))}</li>'
        for e in report.legend
    )
    label = escape(words.gettext(COLOUR_KEY))
    policies = list({line.policy.name: line.policy for line in report.outcomes}.values())
    sentences = "".join(
        f"<p>{escape(scale_text(words, p))}</p><p>{escape(policy_text(words, p))}</p>"
        for p in policies
    )
    return (f'<section class="key"><h2>{escape(words.gettext(KEY))}</h2>'
            f'<ul class="legend" aria-label="{label}">{items}</ul>{sentences}</section>')


def _card(line: OutcomeLine, words: Words, report: StudentReport) -> str:
    trail = "".join(f"<li>{escape(evidence_text(words, e, report.names))}</li>"
                    for e in line.evidence)
    evidence = f"<ul>{trail}</ul>" if trail else f"<p>{escape(words.gettext(NO_EVIDENCE))}</p>"
    status = (
        f'<span class="status" data-status="{line.status.value}" '
        f'style="background:{_css_colour(line.colour)}">{escape(status_text(words, line))}</span>'
    )
    latest = latest_text(words, line, report.names)
    spark = _sparkline(line)

    def label(heading: str) -> str:
        return f'<p class="label">{escape(words.gettext(heading))}</p>'

    return "".join([
        f'<section class="outcome" data-outcome="{escape(line.outcome_id)}">',
        f"<h3>{escape(outcome_text(words, line))}</h3>",
        f"<p>{status}</p>",
        f'<p class="latest">{escape(latest)}</p>' if latest else "",
        '<div class="parts">',
        f"<div>{label(COLUMNS[2])}{evidence}</div>",
        f"<div>{label(COLUMNS[3])}{spark}</div>" if spark else "<div></div>",
        f"<div>{label(COLUMNS[4])}<p>{escape(next_step(words, line))}</p></div>",
        "</div></section>",
    ])


def _work(report: StudentReport, words: Words) -> str:
    label = escape(words.gettext(WORK_TO_HAND_IN).rstrip(":："))
    if not report.work:
        return f"<h2>{label}</h2>\n<p>{escape(words.gettext(NOTHING_MISSING))}</p>"
    items = "".join(f"<li>{escape(work_words(words, item, report.names))}</li>"
                    for item in report.work)
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
