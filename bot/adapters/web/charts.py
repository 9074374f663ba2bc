"""Charts for the console, drawn on the server as SVG: no script, readable when printed or zoomed.

Small templates of our own rather than pygal: pygal's charts load their tooltips and interaction from
JavaScript modules served from kozea.github.com unless `js=[]` is set (github.com/s3rvac/pygal-toggle-graphs
lists them, checked 2026-12-07), its output is styled through embedded CSS classes we would have to
override for print, and the two charts here (bars per day, a step drop-off) are a hundred lines.

Each chart is a pure function returning one `<svg>` string with `role="img"`, a `<title>` and a `<desc>`
(named by `aria-labelledby`), a visible number beside every bar and a `<title>` per bar; every label
is HTML-escaped. Colours are dark enough on white for print; the numbers carry the meaning, not the colour.
The page puts the same figures in a table below the chart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from bot.app.stats import DayCount, Funnel
from bot.core.i18n import Texts

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
INK = "#1f2937"
GRID = "#d1d5db"
BLUE = "#1d4ed8"
ORANGE = "#b45309"
RED = "#b91c1c"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    hint: str = ""  # the bar's own tooltip (`<title>`); the label and value when empty


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _id(chart_id: str) -> str:
    """An id safe in an attribute and unique per chart on a page (the caller names the chart)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", chart_id) or "chart"


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    cid = _id(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{cid}-title {cid}-desc" font-family="{FONT}" font-size="12" fill="{INK}">',
        f'<title id="{cid}-title">{_e(title)}</title>',
        f'<desc id="{cid}-desc">{_e(desc)}</desc>',
        f'<text x="0" y="16" font-size="15" font-weight="bold">{_e(title)}</text>',
    ]


def _nice_max(value: int) -> int:
    """A round top for the axis: 1, 2, 5 × 10^k."""
    if value <= 0:
        return 1
    exp = 10 ** math.floor(math.log10(value))
    return int(next(m * exp for m in (1, 2, 5, 10) if m * exp >= value))


def bar_chart(chart_id: str, title: str, desc: str, bars: Sequence[Bar], *, width: int = 720, height: int = 280) -> str:
    """Vertical bars (e.g. questions per day), a number above each, labels below (thinned when many)."""
    left, top, bottom = 36, 40, 44
    plot_w, plot_h = width - left - 8, height - top - bottom
    top_value = _nice_max(max((b.value for b in bars), default=0))
    out = _open(chart_id, title, desc, width, height)
    for frac in (0, 0.5, 1):  # a light grid with its values
        y = top + plot_h * (1 - frac)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" stroke="{GRID}"/>')
        out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{_e(round(top_value * frac))}</text>')
    n = max(len(bars), 1)
    slot = plot_w / n
    every = max(1, math.ceil(n / 14))  # at most ~14 labels under the axis
    for i, b in enumerate(bars):
        h = plot_h * b.value / top_value
        x, y = left + i * slot + slot * 0.15, top + plot_h - h
        hint = b.hint or f"{b.label}: {b.value}"
        out.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{BLUE}">'
            f"<title>{_e(hint)}</title></rect>"
        )
        cx = x + slot * 0.35
        if n <= 31 or b.value:
            out.append(f'<text x="{cx:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="11">{_e(b.value)}</text>')
        if i % every == 0:
            out.append(f'<text x="{cx:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{_e(b.label)}</text>')
    out.append("</svg>")
    return "".join(out)


@dataclass(frozen=True)
class StepRow:
    label: str  # "Bước 1"
    reached: int
    stuck: int
    asked: int


def dropoff_chart(
    chart_id: str,
    title: str,
    desc: str,
    steps: Sequence[StepRow],
    legend: tuple[str, str, str],
    *,
    width: int = 720,
) -> str:
    """Horizontal bars per step: a thick bar for residents who reached it, thin ones for "stuck" and
    "asked staff", each with its number. `legend` names the three (reached, stuck, asked)."""
    left, top, row_h = 90, 56, 44
    height = top + row_h * max(len(steps), 1) + 8
    plot_w = width - left - 60
    top_value = max((s.reached for s in steps), default=0) or 1
    out = _open(chart_id, title, desc, width, height)
    x = 0
    for colour, name in zip((BLUE, ORANGE, RED), legend, strict=True):
        out.append(f'<rect x="{x}" y="26" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{x + 16}" y="36">{_e(name)}</text>')
        x += 24 + 8 * len(name)
    for i, s in enumerate(steps):
        y = top + i * row_h
        out.append(f'<text x="{left - 8}" y="{y + 14}" text-anchor="end" font-weight="bold">{_e(s.label)}</text>')
        for value, colour, dy, thick, name in (
            (s.reached, BLUE, 0, 18, legend[0]),
            (s.stuck, ORANGE, 21, 8, legend[1]),
            (s.asked, RED, 31, 8, legend[2]),
        ):
            w = plot_w * value / top_value
            out.append(
                f'<rect x="{left}" y="{y + dy}" width="{w:.1f}" height="{thick}" fill="{colour}">'
                f"<title>{_e(f'{s.label}, {name}: {value}')}</title></rect>"
            )
            out.append(
                f'<text x="{left + w + 4:.1f}" y="{y + dy + thick - 1}" font-size="{12 if thick > 10 else 10}">'
                f"{_e(value)}</text>"
            )
    out.append("</svg>")
    return "".join(out)


# --- the overview's two charts, in the viewer's language --------------------------------------------


def questions_chart(days: Sequence[DayCount], t: Texts, lang: str, chart_id: str = "questions") -> str:
    total = sum(d.questions for d in days)
    bars = [
        Bar(
            d.day.strftime("%d/%m"),
            d.questions,
            t(lang, "charts.questions_bar", day=d.day.strftime("%d/%m/%Y"), n=d.questions, unanswered=d.unanswered),
        )
        for d in days
    ]
    first, last = (days[0].day, days[-1].day) if days else (None, None)
    desc = t(
        lang,
        "charts.questions_desc",
        total=total,
        days=len(days),
        start=first.strftime("%d/%m/%Y") if first else "",
        end=last.strftime("%d/%m/%Y") if last else "",
    )
    return bar_chart(chart_id, t(lang, "charts.questions_title"), desc, bars)


def funnel_chart(funnel: Funnel, guide_title: str, t: Texts, lang: str, chart_id: str | None = None) -> str:
    rows = [StepRow(t(lang, "charts.step", n=s.step + 1), s.reached, s.stuck, s.asked) for s in funnel.steps]
    worst = max(funnel.steps, key=lambda s: (s.stuck + s.asked, -s.step), default=None)
    if worst is not None and worst.stuck + worst.asked:
        desc = t(lang, "charts.dropoff_desc", title=guide_title, n=worst.step + 1, stuck=worst.stuck, asked=worst.asked)
    else:
        desc = t(lang, "charts.dropoff_desc_none", title=guide_title)
    legend = (t(lang, "charts.legend_reached"), t(lang, "charts.legend_stuck"), t(lang, "charts.legend_asked"))
    return dropoff_chart(
        chart_id or f"dropoff-{funnel.guide_id}", t(lang, "charts.dropoff_title", title=guide_title), desc, rows, legend
    )
