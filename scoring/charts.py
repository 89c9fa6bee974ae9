"""Inline SVG charts for the report (no plotting library): labelled horizontal bar charts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

BAR_H = 18
GAP = 6
LABEL_W = 230
VALUE_W = 64
CHART_W = 720
COLOURS = {"normal": "#2f6db5", "top": "#1a8a4a", "bottom": "#c0392b", "mean": "#555555"}


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value (0–100) and an optional rank printed before the label."""

    label: str
    value: float
    rank: int | None = None
    tone: str = "normal"


def _fmt(v: float) -> str:
    return f"{v:.2f}".replace(".", ",")


def bar_chart(bars: Sequence[Bar], *, title: str, reference: float | None = None,
              reference_label: str = "", decimal_comma: bool = True, lo: float | None = None) -> str:
    """A horizontal bar chart as an ``<svg>`` element: one row per bar, value printed at its end.

    The axis starts at ``lo`` (default: 10 below the smallest value, rounded down to 10, at least 0)
    so differences between units stay visible; the start is printed on the axis.
    """
    if not bars:
        return ""
    fmt = _fmt if decimal_comma else (lambda v: f"{v:.2f}")
    vmin = min(b.value for b in bars)
    start = lo if lo is not None else max(0.0, (int(vmin) // 10) * 10 - 10.0)
    span = max(100.0 - start, 1e-9)
    plot_w = CHART_W - LABEL_W - VALUE_W
    top = 28
    height = top + len(bars) * (BAR_H + GAP) + 24
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {CHART_W} {height}" '
             f'width="{CHART_W}" height="{height}" aria-label="{escape(title)}">',
             f'<title>{escape(title)}</title>',
             f'<text x="0" y="16" class="chart-title" font-weight="bold" font-size="14">{escape(title)}</text>']
    for i, b in enumerate(bars):
        y = top + i * (BAR_H + GAP)
        w = max(0.0, (min(b.value, 100.0) - start) / span * plot_w)
        label = f"{b.rank}. {b.label}" if b.rank is not None else b.label
        colour = COLOURS.get(b.tone, COLOURS["normal"])
        parts.append(f'<text x="{LABEL_W - 6}" y="{y + BAR_H - 5}" text-anchor="end" font-size="12">'
                     f'{escape(label[:40])}</text>')
        parts.append(f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H}" fill="{colour}">'
                     f'<title>{escape(label)}: {fmt(b.value)}</title></rect>')
        parts.append(f'<text x="{LABEL_W + w + 4:.1f}" y="{y + BAR_H - 5}" font-size="12">{fmt(b.value)}</text>')
    axis_y = top + len(bars) * (BAR_H + GAP)
    parts.append(f'<line x1="{LABEL_W}" y1="{top - 4}" x2="{LABEL_W}" y2="{axis_y}" stroke="#333"/>')
    for tick in range(int(start), 101, 10 if span > 30 else 5):
        x = LABEL_W + (tick - start) / span * plot_w
        parts.append(f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 4}" stroke="#333"/>'
                     f'<text x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle" font-size="10">{tick}</text>')
    if reference is not None and start <= reference <= 100:
        x = LABEL_W + (reference - start) / span * plot_w
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{axis_y}" stroke="{COLOURS["mean"]}" '
                     f'stroke-dasharray="4 3"><title>{escape(reference_label)}: {fmt(reference)}</title></line>')
        parts.append(f'<text x="{x + 3:.1f}" y="{top - 8}" font-size="10" fill="{COLOURS["mean"]}">'
                     f'{escape(reference_label)} {fmt(reference)}</text>')
    parts.append("</svg>")
    return "".join(parts)
