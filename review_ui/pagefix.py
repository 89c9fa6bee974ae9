"""Settle page items: give an unidentified page its identity, an unaligned page its corners.

Both leave the page in outcome ``review`` with a reason saying it must be read again; the scan
driver re-reads such pages (see the ``identify`` / ``corners`` audit events).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omr.errors import BadArgumentsError, ConflictError, NotFoundError
from omr.formid import display_form_id, new_form_id, normalise_form_id
from omr.store.records import CountedCopy, counted_copy
from omr.store.schema import FormRow, PageRow
from omr.template.layout import PAGE_H, PAGE_W, frame_fiducials
from omr.template.model import Template
from review_ui.audit import Event, record
from review_ui.geometry import PX_PER_MM
from review_ui.images import read_gray, safe_path

REREAD_REASON = "needs re-reading"
ALIGNED_DIR = "review/aligned"


def identify_page(session: Session, page_id: int, form_text: str, page_number: int, *, actor: str) -> PageRow:
    """Give page ``page_id`` the identity typed by a reviewer (validated against the forms table).

    Raises :class:`~omr.errors.ConflictError` (naming the other copy's file and page) when another page
    already counts as that form page, also when another reviewer gave it to another page at the same
    moment; the session is then rolled back.
    """
    form_id = normalise_form_id(form_text)
    if form_id is None:
        raise BadArgumentsError(
            f"{form_text!r} is not a valid form id: 8 characters as printed under the QR (e.g. K7M2-Q9XH); "
            "check the last character"
        )
    page = session.get(PageRow, page_id)
    if page is None:
        raise NotFoundError(f"page {page_id} does not exist")
    form = session.get(FormRow, form_id)
    if form is None:
        raise NotFoundError(f"form {display_form_id(form_id)} is not in this workspace; check the id on the paper")
    if not 1 <= page_number <= form.pages_expected:
        raise BadArgumentsError(f"form {display_form_id(form_id)} has pages 1–{form.pages_expected}, not {page_number}")
    other = counted_copy(session, form_id, page_number, other_than=page_id)
    if other is not None:
        raise ConflictError(_already_counted(form_id, page_number, other))
    old = f"{page.form_id or ''}#{page.page_number or ''}"
    page.form_id, page.page_number = form_id, page_number
    page.template, page.version = form.template, form.version
    page.reason = f"identified by {actor}; {REREAD_REASON}"
    record(session, Event(actor, "identify", form_id, None, page_id, old, f"{form_id}#{page_number}"))
    try:
        session.flush()  # another reviewer who has just given a page this identity wins here (unique index)
    except IntegrityError as exc:
        session.rollback()
        other = counted_copy(session, form_id, page_number, other_than=page_id)
        if other is None:
            raise
        raise ConflictError(_already_counted(form_id, page_number, other)) from exc
    return page


def new_form_for_page(session: Session, page_id: int, template: Template, page_number: int, *,
                      actor: str) -> PageRow:
    """Make page ``page_id`` page ``page_number`` of a new form of ``template`` (a form that prints no id).

    A form we did not print carries no form id: a page the reader could not tell apart gets one here,
    derived from the page and the template (the same page asked again gets the same id).
    """
    if template.layout is None:
        raise BadArgumentsError(
            f"template {template.name} is a form we print: type the form id printed under its QR code instead")
    if not 1 <= page_number <= template.page_count:
        raise BadArgumentsError(f"template {template.name} has pages 1–{template.page_count}, not {page_number}")
    page = session.get(PageRow, page_id)
    if page is None:
        raise NotFoundError(f"page {page_id} does not exist")
    seed = hashlib.sha256(f"{page.file_id}|{page.page_index}|{template.name}|{template.version}".encode()).hexdigest()
    rng = random.Random(seed)
    form_id = new_form_id(rng)
    while (form := session.get(FormRow, form_id)) is not None and (form.template, form.version) != (
            template.name, template.version):
        form_id = new_form_id(rng)
    if form is None:
        session.add(FormRow(form_id=form_id, template=template.name, version=template.version,
                            pages_expected=template.page_count, units={}, in_manifest=False))
        session.flush()
    return identify_page(session, page_id, form_id, page_number, actor=actor)


def _already_counted(form_id: str, page_number: int, other: CountedCopy) -> str:
    return (
        f"page {page_number} of form {display_form_id(form_id)} is already counted from {other.key} "
        f"(page #{other.page_id}); check the form id and page number against the paper. If they are right, "
        "this sheet is a second copy of that page: skip this item and set the sheet aside"
    )


def marker_centres_mm() -> list[tuple[float, float]]:
    """Centres of the four corner markers in template mm: top-left, top-right, bottom-right, bottom-left."""
    order = ("top-left", "top-right", "bottom-right", "bottom-left")
    by_corner = {f.corner: f.rect.centre for f in frame_fiducials()}
    return [by_corner[c] for c in order]  # type: ignore[index]


def _convex(points: Sequence[tuple[float, float]]) -> bool:
    signs = []
    for i in range(4):
        (x0, y0), (x1, y1), (x2, y2) = points[i], points[(i + 1) % 4], points[(i + 2) % 4]
        signs.append((x1 - x0) * (y2 - y1) - (y1 - y0) * (x2 - x1))
    return all(s > 0 for s in signs) or all(s < 0 for s in signs)


def set_corners(
    session: Session, workspace: Path, page_id: int, corners: Sequence[tuple[float, float]], *, actor: str
) -> PageRow:
    """Store the homography (template mm → raw-image px) from four clicked marker centres.

    Also writes the aligned page image (so the page view and crops work at once).
    """
    page = session.get(PageRow, page_id)
    if page is None:
        raise NotFoundError(f"page {page_id} does not exist")
    raw_path = safe_path(workspace, page.raw_image_path, what=f"page {page_id}")
    raw = read_gray(raw_path)
    h, w = raw.shape
    pts = [(float(x), float(y)) for x, y in corners]
    if any(not (0 <= x <= w and 0 <= y <= h) for x, y in pts):
        raise BadArgumentsError(f"page {page_id}: a corner lies outside the {w}×{h} image; click again")
    if not _convex(pts):
        raise BadArgumentsError(
            f"page {page_id}: the four clicks do not form a page outline; click top-left, top-right, "
            "bottom-right, bottom-left in that order"
        )
    src = np.array(marker_centres_mm(), dtype=np.float32)
    dst = np.array(pts, dtype=np.float32)
    hmat = cv2.getPerspectiveTransform(src, dst)
    scale = np.diag([1 / PX_PER_MM, 1 / PX_PER_MM, 1.0])
    aligned = cv2.warpPerspective(
        raw, hmat @ scale, (int(round(PAGE_W * PX_PER_MM)), int(round(PAGE_H * PX_PER_MM))),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderValue=255,
    )
    rel = f"{ALIGNED_DIR}/page-{page_id}.png"
    out = workspace / rel
    out.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(out), aligned):
        raise BadArgumentsError(f"cannot write {out}")
    old = None if page.homography is None else ",".join(f"{v:.4g}" for v in page.homography)
    page.homography = [float(v) for v in hmat.reshape(-1)]
    page.image_path = rel
    page.reason = f"corners set by {actor}; {REREAD_REASON}"
    record(session, Event(actor, "corners", page.form_id, None, page_id, old,
                          ";".join(f"{x:.1f},{y:.1f}" for x, y in pts)))
    return page
