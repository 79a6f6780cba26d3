"""Charts as inline SVG, drawn here in Python: no JavaScript library, no font, no network.

Each chart is an accessible image (`role="img"` with a title and a description that states
the numbers), sized by its viewBox so that it scales with the page and prints sharply.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from markupsafe import Markup, escape

from cvrule.model import Outcome
from cvrule.report.views import LINKAGE_LABELS, LINKAGE_ORDER, ReportData, outcome_label

__all__ = ["LINKAGE_COLOURS", "OUTCOME_COLOURS", "country_bars", "linkage_bars", "outcome_bar", "timeline"]

OUTCOME_COLOURS = {
    Outcome.prohibited: "#c62828",
    Outcome.indeterminate: "#e08a00",
    Outcome.authorized: "#6a3fc8",
    Outcome.exempt: "#1f6feb",
    Outcome.allowed: "#2e8540",
    Outcome.out_of_scope: "#8c959f",
}

LINKAGE_COLOURS = {
    "linked": "#c62828",
    "indeterminate": "#e08a00",
    "unresolved": "#57606a",
    "not_linked": "#2e8540",
}

_CHAR = 6.6
"""Rough width of one character at 12px in a sans-serif font, to lay out labels."""


def _svg(width: int, height: int, title: str, desc: str, body: list[str], ident: str) -> Markup:
    head = (
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'class="chart" role="img" aria-labelledby="{ident}-t {ident}-d" {_FONT}>'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


_STYLES = {
    # styles as presentation attributes: PDF renderers do not apply the page's CSS classes inside SVG
    "": 'font-size="12" fill="#1f2328"',
    "muted": 'font-size="12" fill="#59636e"',
    "small": 'font-size="10" fill="#59636e"',
    "on-fill": 'font-size="12" fill="#ffffff" font-weight="bold"',
}
_GRID = 'stroke="#d8dee4" stroke-width="1"'
_AS_OF = 'stroke="#0e2a47" stroke-width="1.5" stroke-dasharray="4 3"'
_LEAD = 'stroke="#8c959f" stroke-width="2"'
_BAND = 'fill="#f6f8fa"'
_FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, Arial, sans-serif"'


def _text(x: float, y: float, text: str, *, anchor: str = "start", cls: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {_STYLES[cls]}>{escape(text)}</text>'


def _rect(x: float, y: float, w: float, h: float, fill: str, label: str = "", rx: float = 0) -> str:
    tip = f"<title>{escape(label)}</title>" if label else ""
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" rx="{rx}" fill="{fill}">{tip}</rect>'


def outcome_bar(data: ReportData) -> Markup:
    """One bar split by outcome: the share of decisions in each, worst first."""
    counts = data.outcome_counts
    total = sum(n for _, n in counts) or 1
    width, bar_w, x0 = 600, 580, 10
    body = []
    x = x0
    for outcome, n in counts:
        w = bar_w * n / total
        body.append(_rect(x, 8, w, 26, OUTCOME_COLOURS[outcome], f"{outcome_label(outcome)}: {n}"))
        if w > 26:
            body.append(_text(x + w / 2, 26, str(n), anchor="middle", cls="on-fill"))
        x += w
    lx, ly = x0, 56
    for outcome, n in counts:
        label = f"{outcome_label(outcome)} {n} ({100 * n / total:.0f}%)"
        span = 18 + len(label) * _CHAR + 18
        if lx + span > width:
            lx, ly = x0, ly + 20
        body.append(_rect(lx, ly - 10, 12, 12, OUTCOME_COLOURS[outcome], rx=2))
        body.append(_text(lx + 17, ly, label))
        lx += span
    desc = "; ".join(f"{outcome_label(o)}: {n} of {total}" for o, n in counts) or "no decisions"
    return _svg(width, ly + 10, "Decisions by outcome", desc, body, "chart-outcomes")


def linkage_bars(data: ReportData) -> Markup:
    """Components (weighted by how many each stands for) by the linkage of their parties."""
    tally: dict[str, int] = defaultdict(int)
    for component in data.components:
        tally[component.linkage] += component.count
    total = sum(tally.values()) or 1
    rows = [(k, tally[k]) for k in LINKAGE_ORDER]
    label_w, bar_w, row_h = 110, 390, 30
    width = label_w + bar_w + 110
    biggest = max((n for _, n in rows), default=0) or 1
    body = []
    for i, (linkage, n) in enumerate(rows):
        y = 6 + i * row_h
        body.append(_text(label_w - 8, y + 15, LINKAGE_LABELS[linkage], anchor="end"))
        w = bar_w * n / biggest
        body.append(_rect(label_w, y + 2, w, 18, LINKAGE_COLOURS[linkage], f"{LINKAGE_LABELS[linkage]}: {n}", rx=2))
        body.append(_text(label_w + w + 6, y + 15, f"{n}  ({100 * n / total:.0f}%)", cls="muted"))
    desc = "; ".join(f"{LINKAGE_LABELS[k]}: {n} of {total}" for k, n in rows)
    return _svg(width, 10 + len(rows) * row_h, "Components by linkage of their parties", desc, body, "chart-linkage")


def country_bars(data: ReportData, limit: int = 12) -> Markup:
    """For each country, the components that have a party there, split by the component's
    linkage. A component with parties in two countries counts in both."""
    per_country: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for component in data.components:
        for country in data.component_countries.get(component.id, []):
            per_country[country][component.linkage] += component.count
    ordered = sorted(per_country.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    if len(ordered) > limit:
        rest: dict[str, int] = defaultdict(int)
        for _, split in ordered[limit - 1:]:
            for k, n in split.items():
                rest[k] += n
        ordered = ordered[: limit - 1] + [("other", rest)]
    label_w, bar_w, row_h = 170, 360, 26
    width = label_w + bar_w + 70
    biggest = max((sum(s.values()) for _, s in ordered), default=0) or 1
    body = []
    descs = []
    for i, (country, split) in enumerate(ordered):
        y = 6 + i * row_h
        body.append(_text(label_w - 8, y + 14, _country_name(country), anchor="end"))
        x = label_w
        for linkage in LINKAGE_ORDER:
            n = split.get(linkage, 0)
            if not n:
                continue
            w = bar_w * n / biggest
            tip = f"{_country_name(country)}, {LINKAGE_LABELS[linkage]}: {n}"
            body.append(_rect(x, y + 2, w, 16, LINKAGE_COLOURS[linkage], tip))
            x += w
        n_all = sum(split.values())
        body.append(_text(x + 6, y + 14, str(n_all), cls="muted"))
        parts = ", ".join(f"{LINKAGE_LABELS[k]} {split[k]}" for k in LINKAGE_ORDER if split.get(k))
        descs.append(f"{_country_name(country)}: {n_all} ({parts})")
    height = 10 + max(len(ordered), 1) * row_h
    if not ordered:
        body.append(_text(10, 20, "No component names a party.", cls="muted"))
    return _svg(width, height, "Components by country of their parties", "; ".join(descs) or "none", body, "chart-countries")


def _country_name(code: str) -> str:
    if code in ("unknown", "other"):
        return "country unknown" if code == "unknown" else "other countries"
    try:
        import pycountry

        country = pycountry.countries.get(alpha_2=code)
    except (ImportError, LookupError):
        country = None
    name = getattr(country, "common_name", None) or getattr(country, "name", None)
    return f"{code} {name}" if name else code


def timeline(data: ReportData) -> Markup:
    """Per line: the first import or sale of each model year (circle) and the Declaration of
    Conformity due before it (diamond), joined by the lead time; a dashed rule at the
    evaluation date when the assessment has one."""
    rows = data.timeline
    days = [m.day for r in rows for m in r.marks]
    as_of = data.assessment.as_of
    if as_of:
        days.append(as_of)
    if not days:
        empty = [_text(10, 24, "Nothing is due.", cls="muted")]
        return _svg(600, 40, "Timeline of obligations", "no dated obligations", empty, "chart-timeline")
    first = date(min(days).year, 1, 1)
    last = date(max(days).year + 1, 1, 1)
    label_w, row_h, top = 170, 38, 34
    plot_w = max(480, min(900, 150 * (last.year - first.year)))
    width = label_w + plot_w + 20
    span = (last - first).days or 1

    def x_of(day: date) -> float:
        return label_w + plot_w * (day - first).days / span

    height = top + len(rows) * row_h + 34
    body = []
    for year in range(first.year, last.year + 1):
        x = x_of(date(year, 1, 1))
        body.append(f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{height - 30}" {_GRID}/>')
        if year < last.year:
            body.append(_text(x + plot_w / max(last.year - first.year, 1) / 2, top - 14, str(year), anchor="middle", cls="muted"))
    if as_of:
        x = x_of(as_of)
        body.append(f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{height - 30}" {_AS_OF}/>')
        body.append(_text(x + 4, height - 18, f"evaluated as of {as_of.isoformat()}", cls="muted"))
    descs = []
    for i, row in enumerate(rows):
        y = top + i * row_h + row_h / 2
        if i % 2 == 0:
            body.append(f'<rect x="0" y="{y - row_h / 2:.1f}" width="{width}" height="{row_h}" {_BAND}/>')
        body.append(_text(label_w - 10, y + 4, _clip(row.label, 24), anchor="end"))
        starts = {m.label: m for m in row.marks if m.kind == "start"}
        for mark in row.marks:
            if mark.kind == "due" and mark.label in starts:
                x1, x2 = x_of(mark.day), x_of(starts[mark.label].day)
                body.append(f'<line x1="{x1:.1f}" y1="{y:.1f}" x2="{x2:.1f}" y2="{y:.1f}" {_LEAD}/>')
        label_ends: list[float] = []
        for mark in row.marks:
            x = x_of(mark.day)
            colour = OUTCOME_COLOURS[mark.outcome]
            if mark.kind == "start":
                what = "first import or sale" if row.labelled else "transaction"
                tip = f"{row.label} {mark.label}: {what} {mark.day.isoformat()} ({outcome_label(mark.outcome)})"
                body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{colour}"><title>{escape(tip)}</title></circle>')
                if row.labelled:
                    half = len(mark.label) * 3.3
                    below = bool(label_ends) and x - half < label_ends[-1] + 2
                    body.append(_text(x, y + 17 if below else y - 9, mark.label, anchor="middle", cls="small"))
                    if not below:
                        label_ends.append(x + half)
            elif mark.kind == "evidence":
                tip = f"{mark.label}: evidence due {mark.day.isoformat()}"
                body.append(f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="#fff" stroke="{colour}" '
                            f'stroke-width="2.5"><title>{escape(tip)}</title></rect>')
            elif mark.kind == "expires":
                tip = f"{mark.label}: ends or must be reassessed {mark.day.isoformat()}"
                body.append(f'<path d="M{x - 6:.1f},{y - 6:.1f} L{x + 6:.1f},{y + 6:.1f} M{x + 6:.1f},{y - 6:.1f} '
                            f'L{x - 6:.1f},{y + 6:.1f}" stroke="{colour}" stroke-width="2.5"><title>{escape(tip)}</title></path>')
            else:
                tip = f"{row.label} {mark.label}: Declaration of Conformity due {mark.day.isoformat()}"
                points = f"{x:.1f},{y - 7:.1f} {x + 7:.1f},{y:.1f} {x:.1f},{y + 7:.1f} {x - 7:.1f},{y:.1f}"
                body.append(f'<polygon points="{points}" fill="#fff" stroke="{colour}" stroke-width="2.5">'
                            f'<title>{escape(tip)}</title></polygon>')
            descs.append(tip)
    ly = height - 6
    kinds = {m.kind for r in rows for m in r.marks}
    if kinds & {"evidence", "expires"}:
        lx2 = label_w + 16 + 82 * _CHAR
        body.append(f'<rect x="{lx2 - 5}" y="{ly - 9}" width="10" height="10" fill="#fff" stroke="#57606a" stroke-width="2"/>')
        body.append(_text(lx2 + 10, ly, "evidence due", cls="muted"))
        lx3 = lx2 + 10 + 16 * _CHAR
        body.append(f'<path d="M{lx3 - 5},{ly - 9} L{lx3 + 5},{ly + 1} M{lx3 + 5},{ly - 9} L{lx3 - 5},{ly + 1}" '
                    'stroke="#57606a" stroke-width="2"/>')
        body.append(_text(lx3 + 10, ly, "authorization ends", cls="muted"))
    body.append(f'<circle cx="{label_w + 6}" cy="{ly - 4}" r="5" fill="#57606a"/>')
    body.append(_text(label_w + 16, ly, "first import or sale of the model year", cls="muted"))
    lx = label_w + 16 + 40 * _CHAR
    diamond = f"{lx},{ly - 10} {lx + 6},{ly - 4} {lx},{ly + 2} {lx - 6},{ly - 4}"
    body.append(f'<polygon points="{diamond}" fill="#fff" stroke="#57606a" stroke-width="2"/>')
    body.append(_text(lx + 12, ly, "Declaration of Conformity due (791.305)", cls="muted"))
    return _svg(width, height, "Timeline of obligations", "; ".join(descs), body, "chart-timeline")


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
