"""The screen's outputs for monitors: one HTML file (page crops embedded) and a JSON twin.

Both hold form ids and unit codes only, never a respondent's identity. For pattern and hand flags
the HTML shows the flagged forms side by side: a band of the satisfaction grid (the first rows) and
the digit fields, cut from the aligned page images; for the other flags, the numbers behind them.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import cv2
import numpy as np

from fieldwork.integrity import Flag, ScreenResult, satisfaction_items
from fieldwork.integrity_data import FormData, ScreenData
from fieldwork.integrity_hand import U8, PageImages, crop_mm
from fieldwork.private import write_private
from omr.formid import display_form_id
from omr.template.layout import Rect, layout_template
from omr.template.model import DigitsField, Template

MAX_FORMS_SHOWN = 8
GRID_ROWS_SHOWN = 8
_KIND_TITLE = {
    "pattern": "Answer patterns repeated beyond chance",
    "straight-lining": "Straight-lining",
    "collected-early": "Collected before delivered",
    "same-day-bulk": "Collected the day delivered, in bulk",
    "hand": "The same hand on many forms",
    "uniform": "Unusually uniform satisfaction",
}


def result_json(result: ScreenResult) -> str:
    """The screen as JSON (numbers, flags with evidence; form ids only)."""
    doc = asdict(result)
    doc["generated"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    doc["note"] = "Flags are questions for a monitor to judge, never automatic exclusions."
    return json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n"


def _union(rects: Sequence[Rect], margin: float = 1.5) -> Rect:
    x0 = min(r.x for r in rects) - margin
    y0 = min(r.y for r in rects) - margin
    x1 = max(r.right for r in rects) + margin
    y1 = max(r.bottom for r in rects) + margin
    return Rect(x0, y0, x1 - x0, y1 - y0)


class Crops:
    """Crops of a form's aligned pages: the first satisfaction-grid rows and the digit fields."""

    def __init__(self, data: ScreenData, template: Template) -> None:
        self.images = PageImages(data.workspace)
        self.forms = {f.form_id: f for f in data.forms}
        layout = layout_template(template)
        items = satisfaction_items(template)
        rows = set(items.grid_rows or items.codes)
        digit_codes = {f.code for f in template.fields() if isinstance(f, DigitsField)}
        self.grids: list[tuple[int, Rect]] = []
        self.digits: list[tuple[int, Rect]] = []
        for page in layout.pages:
            on_page = [b for b in page.boxes if b.field in rows and b.kind == "box"]
            first = list(dict.fromkeys(b.field for b in on_page))[:GRID_ROWS_SHOWN]
            grid = [b.rect for b in on_page if b.field in first]
            if grid:
                self.grids.append((page.number, _union(grid)))
            digits = [b.rect for b in page.boxes if b.field in digit_codes]
            if digits:
                self.digits.append((page.number, _union(digits)))

    def of(self, form_id: str) -> list[U8]:
        """The first satisfaction-grid rows of the first grid page the form has, then its digit fields."""
        form: FormData | None = self.forms.get(form_id)
        if form is None:
            return []
        paths = {p.number: p.image_path for p in form.pages}
        grid = next(((n, r) for n, r in self.grids if paths.get(n)), None)
        out: list[U8] = []
        for number, rect in ([grid] if grid else []) + [(n, r) for n, r in self.digits if paths.get(n)]:
            rel = paths.get(number)
            image = self.images.get(rel) if rel else None
            if image is not None:
                out.append(crop_mm(image, rect))
        return out


def _png(image: U8) -> str:
    ok, buf = cv2.imencode(".png", image)
    if not ok:
        return ""
    return "data:image/png;base64," + base64.b64encode(np.asarray(buf).tobytes()).decode("ascii")


def _flag_html(flag: Flag, crops: Crops) -> str:
    e = html.escape
    rows = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in flag.evidence[:60])
    more = f"<p>… {len(flag.evidence) - 60} more lines in the JSON.</p>" if len(flag.evidence) > 60 else ""
    p = f" — p = {flag.p_value:.2e}" if flag.p_value is not None else ""
    ids = ", ".join(display_form_id(f) for f in flag.forms[:40]) + (" …" if len(flag.forms) > 40 else "")
    out = [f"<section class='flag'><h3>Unit {e(flag.unit)}: {e(_KIND_TITLE[flag.kind])}{e(p)}</h3>",
           f"<p>{e(flag.summary)}</p><p class='ids'>Forms: {e(ids)}</p><table>{rows}</table>{more}"]
    if flag.kind in ("pattern", "hand"):
        out.append("<div class='side'>")
        for fid in flag.forms[:MAX_FORMS_SHOWN]:
            imgs = "".join(f"<img src='{_png(c)}' alt='{e(fid)} crop'>" for c in crops.of(fid) if c.size)
            out.append(f"<figure>{imgs}<figcaption>{e(display_form_id(fid))}</figcaption></figure>")
        out.append("</div>")
    out.append("</section>")
    return "".join(out)


def _num(v: object) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.2e}" if 0 < abs(v) < 1e-3 else f"{v:.3f}"
    return str(v)


def report_html(result: ScreenResult, data: ScreenData, template: Template) -> str:
    """One self-contained HTML page: the per-unit table, then every flag with its evidence."""
    e = html.escape
    crops = Crops(data, template)
    cols = ("unit", "forms", "pattern_pairs", "pattern_cluster", "pattern_max_share", "straight", "straight_p",
            "collected_early", "same_day", "hand_pairs", "hand_expected", "hand_cluster", "score_variance",
            "variance_ratio", "uniform_p")
    flagged = {(f.unit, f.kind) for f in result.flags}
    head = "".join(f"<th>{e(c.replace('_', ' '))}</th>" for c in cols) + "<th>flags</th>"
    body = []
    for u in result.units:
        d = asdict(u)
        kinds = ", ".join(k for k in _KIND_TITLE if (u.unit, k) in flagged)
        body.append("<tr>" + "".join(f"<td>{e(_num(d[c]))}</td>" for c in cols) + f"<td><b>{e(kinds)}</b></td></tr>")
    flags = "".join(_flag_html(f, crops) for f in result.flags) or "<p>No flags.</p>"
    share = "—" if result.straight_share is None else f"{result.straight_share:.1%}"
    without = (f"<p>{len(result.without_unit)} scanned form(s) had no unit of this survey and were left out.</p>"
               if result.without_unit else "")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Integrity screen — {e(result.survey)}</title>
<style>body{{font-family:sans-serif;margin:1.5em}}table{{border-collapse:collapse;font-size:13px}}
td,th{{border:1px solid #bbb;padding:2px 6px;text-align:left}}.flag{{border-top:2px solid #933;margin-top:1.5em}}
.side{{display:flex;flex-wrap:wrap;gap:10px}}figure{{margin:0;border:1px solid #ccc;padding:4px}}
figure img{{display:block;max-width:340px}}.ids{{font-family:monospace;font-size:12px}}</style></head><body>
<h1>Integrity screen — {e(result.survey)} ({e(result.template)})</h1>
<p><b>For monitors.</b> Flags are questions to judge (call the respondents, ask the postman), never automatic
exclusions: nothing here changes an answer, a state or a score. Form ids only; no identity.</p>
<p>{result.forms} scanned forms; {len(result.units)} units; straight-lined forms survey-wide: {share};
{len(result.flags)} flag(s).</p>{without}
<h2>Units</h2><table><tr>{head}</tr>{''.join(body)}</table>
<h2>Flags</h2>{flags}
</body></html>
"""


def write_report(result: ScreenResult, data: ScreenData, template: Template, out: Path) -> tuple[Path, Path]:
    """Write ``out/integrity.html`` and ``out/integrity.json`` (mode 0600); returns both paths."""
    out.mkdir(parents=True, exist_ok=True)
    page, doc = out / "integrity.html", out / "integrity.json"
    write_private(page, report_html(result, data, template).encode("utf-8"))
    write_private(doc, result_json(result).encode("utf-8"))
    return page, doc
