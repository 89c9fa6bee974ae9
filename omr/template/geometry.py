"""The geometry JSON: every fiducial, QR and box of a template in pixels at a given dpi.

This is a published contract (see README, "Geometry JSON"); extend it, never change it. Rectangles
are ``[x, y, width, height]`` in pixels from the top-left corner of the page, to 2 decimals; a box
rectangle is the outer edge of its printed outline.
"""

from __future__ import annotations

from typing import Any

from omr.template.layout import FormLayout, Rect
from omr.template.model import Template

GEOMETRY_FORMAT = "sipas-geometry/1"


def _px(rect: Rect, dpi: float) -> list[float]:
    return [round(v, 2) for v in rect.to_px(dpi)]


def geometry_json(template: Template, layout: FormLayout, dpi: float) -> dict[str, Any]:
    """The geometry document of a template at ``dpi``."""
    kinds = template.answer_kinds()
    k = dpi / 25.4
    return {
        "format": GEOMETRY_FORMAT,
        "template": template.name,
        "version": template.version,
        "dpi": dpi,
        "page_size_mm": [layout.width, layout.height],
        "page_size_px": [round(layout.width * k, 2), round(layout.height * k, 2)],
        "pages": [
            {
                "page": page.number,
                "fiducials": [
                    {"marker_id": f.marker_id, "dictionary": "DICT_4X4_50", "corner": f.corner,
                     "rect": _px(f.rect, dpi)}
                    for f in page.fiducials
                ],
                "qr": {"rect": _px(page.qr, dpi)} if page.qr else None,
                "form_id_text": {"rect": _px(page.id_text, dpi)} if page.id_text else None,
                "boxes": [
                    {"field": b.field, "field_kind": kinds.get(b.field, ""), "box_kind": b.kind,
                     "value": b.value, "rect": _px(b.rect, dpi), "shape": b.shape}
                    for b in page.boxes
                ],
            }
            for page in layout.pages
        ],
    }
