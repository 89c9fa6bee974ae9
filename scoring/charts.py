"""Inline SVG charts for the report (no plotting library): labelled horizontal bar charts.

The label column is as wide as the longest label needs (up to :data:`MAX_LABEL_SHARE` of the
chart); longer labels wrap onto a second line and are shortened with "…" only beyond that, the full
text staying in the bar's tooltip. Values are printed at the end of each bar; the national (or any
reference) value is a dashed line explained in the legend, so no text ever sits on the bars.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

CHART_W = 860
FONT = 12
CHAR_W = 0.6 * FONT
"""Average advance of a DejaVu/Noto Sans character at :data:`FONT` px (a safe over-estimate)."""
MAX_LABEL_SHARE = 0.42
VALUE_W = 56
BAR_H = 16
LINE_H = 14
ROW_GAP = 7
COLOURS = {"normal": "#2f6db5", "top": "#1a8a4a", "bottom": "#c0392b", "mean": "#444444", "grid": "#e3e6eb"}


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value (0–100) and an optional rank printed before the label."""

    label: str
    value: float
    rank: int | None = None
    tone: str = "normal"


def number(value: float, *, decimal_comma: bool) -> str:
    """Two decimals, with a decimal comma for Vietnamese."""
    text = f"{value:.2f}"
    return text.replace(".", ",") if decimal_comma else text


def _width(text: str) -> float:
    return len(text) * CHAR_W


def wrap_label(text: str, max_width: float) -> tuple[str, ...]:
    """``text`` on one line, or two lines split between words; "…" ends a second line too long."""
    if _width(text) <= max_width:
        return (text,)
    words = text.split()
    first = ""
    while words and _width((first + " " + words[0]).strip()) <= max_width:
        first = (first + " " + words.pop(0)).strip()
    if not first:  # one very long word
        cut = max(1, int(max_width // CHAR_W) - 1)
        first, words = text[:cut] + "-", [text[cut:]]
    second = " ".join(words)
    if _width(second) > max_width:
        keep = max(1, int(max_width // CHAR_W) - 1)
        second = second[:keep].rstrip() + "…"
    return (first, second)


def _legend(items: Sequence[tuple[str, str]], y: float) -> list[str]:
    """Legend entries from the left: a swatch (tone ``mean`` = dashed line) and its text."""
    out: list[str] = []
    x = 0.0
    for tone, text in items:
        if tone == "mean":
            out.append(f'<line x1="{x:.1f}" y1="{y - 4}" x2="{x + 18:.1f}" y2="{y - 4}" stroke="{COLOURS["mean"]}" '
                       'stroke-width="1.5" stroke-dasharray="4 3"/>')
        else:
            out.append(f'<rect x="{x:.1f}" y="{y - 10}" width="12" height="12" fill="{COLOURS[tone]}"/>')
        out.append(f'<text x="{x + 24:.1f}" y="{y}" font-size="11" fill="#333">{escape(text)}</text>')
        x += 24 + _width(text) * 11 / FONT + 22
    return out


def _axis(ticks: list[int], x_of: Callable[[float], float], plot_x: float, top: float, axis_y: float) -> list[str]:
    out = [f'<line x1="{plot_x:.1f}" y1="{top - 4}" x2="{plot_x:.1f}" y2="{axis_y}" stroke="#333"/>',
           f'<line x1="{plot_x:.1f}" y1="{axis_y}" x2="{x_of(100):.1f}" y2="{axis_y}" stroke="#333"/>']
    for tick in ticks:
        x = x_of(tick)
        out.append(f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 4}" stroke="#333"/>'
                   f'<text x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle" font-size="10" fill="#333">{tick}</text>')
    return out


def bar_chart(bars: Sequence[Bar], *, title: str, reference: float | None = None, reference_label: str = "",
              legend: Sequence[tuple[str, str]] = (), decimal_comma: bool = True, lo: float | None = None) -> str:
    """A horizontal bar chart as an ``<svg>`` element: one row per bar, value printed at its end.

    The axis starts at ``lo`` (default: 10 below the smallest value, rounded down to 10, at least 0)
    so differences between units stay visible; the start is printed on the axis. ``reference`` draws
    a dashed line, named with its value in the legend; ``legend`` adds (tone, text) entries.
    """
    if not bars:
        return ""
    vmin = min(b.value for b in bars)
    start = lo if lo is not None else max(0.0, (int(vmin) // 10) * 10 - 10.0)
    span = max(100.0 - start, 1e-9)
    texts = [f"{b.rank}. {b.label}" if b.rank is not None else b.label for b in bars]
    label_w = min(max(_width(t) for t in texts) + 10, MAX_LABEL_SHARE * CHART_W)
    lines = [wrap_label(t, label_w - 10) for t in texts]
    plot_x = label_w
    plot_w = CHART_W - label_w - VALUE_W
    entries = list(legend)
    if reference is not None:
        entries.insert(0, ("mean", f"{reference_label}: {number(reference, decimal_comma=decimal_comma)}"))
    top = 26 + (22 if entries else 0)
    rows_y: list[float] = []
    y = float(top)
    for ls in lines:
        rows_y.append(y)
        y += max(BAR_H, len(ls) * LINE_H) + ROW_GAP
    axis_y = y
    height = axis_y + 22

    def x_of(v: float) -> float:
        return plot_x + (min(max(v, start), 100.0) - start) / span * plot_w

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {CHART_W} {height:.0f}" '
             f'width="{CHART_W}" height="{height:.0f}" font-family="DejaVu Sans, Noto Sans, Arial, sans-serif" '
             f'aria-label="{escape(title)}">',
             f'<title>{escape(title)}</title>',
             f'<text x="0" y="15" font-weight="bold" font-size="13" fill="#1b1b1b">{escape(title)}</text>']
    if entries:
        parts += _legend(entries, 38)
    step = 10 if span > 30 else 5
    ticks = list(range(int(start), 101, step))
    parts += [f'<line x1="{x_of(t):.1f}" y1="{top - 4}" x2="{x_of(t):.1f}" y2="{axis_y}" stroke="{COLOURS["grid"]}"/>'
              for t in ticks]
    values: list[str] = []
    for b, full, ls, ry in zip(bars, texts, lines, rows_y, strict=True):
        row_h = max(BAR_H, len(ls) * LINE_H)
        bar_y = ry + (row_h - BAR_H) / 2
        w = x_of(b.value) - plot_x
        first_y = ry + row_h / 2 - (len(ls) - 1) * LINE_H / 2 + 4
        spans = "".join(f'<tspan x="{plot_x - 8:.1f}" y="{first_y + k * LINE_H:.1f}">{escape(t)}</tspan>'
                        for k, t in enumerate(ls))
        value = number(b.value, decimal_comma=decimal_comma)
        parts.append(f'<text text-anchor="end" font-size="{FONT}" fill="#1b1b1b">{spans}</text>')
        parts.append(f'<rect x="{plot_x:.1f}" y="{bar_y:.1f}" width="{w:.1f}" height="{BAR_H}" '
                     f'fill="{COLOURS.get(b.tone, COLOURS["normal"])}"><title>{escape(full)}: {value}</title></rect>')
        values.append(f'<text x="{plot_x + w + 4:.1f}" y="{bar_y + BAR_H - 4:.1f}" font-size="11" fill="#1b1b1b" '
                      f'stroke="#fff" stroke-width="3" paint-order="stroke">{value}</text>')
    parts += _axis(ticks, x_of, plot_x, top, axis_y)
    if reference is not None and start <= reference <= 100:
        x = x_of(reference)
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{axis_y}" stroke="{COLOURS["mean"]}" '
                     f'stroke-width="1.5" stroke-dasharray="4 3"><title>{escape(reference_label)}: '
                     f'{number(reference, decimal_comma=decimal_comma)}</title></line>')
    parts += values  # last, so that neither the reference line nor a grid line crosses a printed value
    parts.append("</svg>")
    return "".join(parts)
