"""Where to cut the review crops: field, grid-row and box rectangles in pixels of the aligned page.

The aligned page image is the page warped onto the template frame at :data:`ALIGNED_DPI`, so a
rectangle in template mm maps to pixels by scaling alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from omr.template.layout import CONTENT_LEFT, CONTENT_RIGHT, PAGE_H, PAGE_W, Box, PageLayout, Rect
from omr.template.model import GridField, Template

ALIGNED_DPI = 150.0
PX_PER_MM = ALIGNED_DPI / 25.4
LABEL_ABOVE_MM = 9.0
"""How far above a question's first box its printed label starts (context for the reviewer)."""
GRID_HEADER_MM = 14.0
PAD_MM = 1.5


@dataclass(frozen=True)
class PxRect:
    """An integer pixel rectangle (x, y, width, height) on the aligned page."""

    x: int
    y: int
    w: int
    h: int


def to_px(rect: Rect) -> PxRect:
    x0, y0 = int(rect.x * PX_PER_MM), int(rect.y * PX_PER_MM)
    x1, y1 = int(round(rect.right * PX_PER_MM)), int(round(rect.bottom * PX_PER_MM))
    return PxRect(x0, y0, max(1, x1 - x0), max(1, y1 - y0))


def _union(boxes: list[Box]) -> Rect:
    x0 = min(b.rect.x for b in boxes)
    y0 = min(b.rect.y for b in boxes)
    x1 = max(b.rect.right for b in boxes)
    y1 = max(b.rect.bottom for b in boxes)
    return Rect(x0, y0, x1 - x0, y1 - y0)


def _band(top: float, bottom: float, page: PageLayout) -> Rect:
    """A full-width band of the page's content between ``top`` and ``bottom`` (mm)."""
    if page.qr is None:  # a form we did not print: its content may use the whole page
        top, bottom = max(0.0, top), min(page.used_bottom, bottom)
        right = max((b.label or b.rect).right for b in page.boxes) + PAD_MM
        return Rect(0.0, top, right, max(1.0, bottom - top))
    top, bottom = max(0.0, top), min(PAGE_H, bottom)
    return Rect(CONTENT_LEFT - 2, top, CONTENT_RIGHT - CONTENT_LEFT + 4, max(1.0, bottom - top))


def field_boxes(page: PageLayout, code: str) -> list[Box]:
    return [b for b in page.boxes if b.field == code]


def context_rects(template: Template, page: PageLayout, code: str) -> list[Rect]:
    """The bands to show for answer ``code``: the grid header and the row, or the whole question.

    Returns an empty list when the code has no boxes on this page.
    """
    own = field_boxes(page, code)
    if not own:
        return []
    question = template.question_of(code)
    if isinstance(question, GridField):
        row = _union(own)
        first = field_boxes(page, question.rows[0].code) or own
        head_bottom = min(b.rect.y for b in first) - PAD_MM
        header = _band(head_bottom - GRID_HEADER_MM, head_bottom, page)
        band = _band(row.y - PAD_MM, row.bottom + PAD_MM, page)
        return [header, band] if header.bottom <= band.y else [band]
    codes = {question.code} | {code}
    if hasattr(question, "options"):
        codes |= {o.other for o in question.options if o.other}
    area = _union([b for b in page.boxes if b.field in codes])
    return [_band(area.y - LABEL_ABOVE_MM, area.bottom + PAD_MM, page)]


def page_fraction(rect: Rect, size_mm: tuple[float, float] = (PAGE_W, PAGE_H)) -> tuple[float, float, float, float]:
    """A rectangle as percentages of the page (left, top, width, height) for HTML overlays."""
    w, h = size_mm
    return (100 * rect.x / w, 100 * rect.y / h, 100 * rect.w / w, 100 * rect.h / h)
