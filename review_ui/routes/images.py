"""Images for logged-in users only, and only files inside the workspace."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import select

from omr.errors import NotFoundError
from omr.store.schema import AnswerRow, BoxRow, FormRow, PageRow
from review_ui.bounds import Id
from review_ui.deps import CurrentUser, SettingsDep
from review_ui.geometry import context_rects
from review_ui.images import crop_bands, crop_box, png_bytes, read_gray, safe_path
from review_ui.permissions import require

router = APIRouter(prefix="/img", tags=["images"])
CACHE = {"Cache-Control": "private, max-age=60"}


@router.get("/pages/{page_id}/{which}.png")
def page_image(page_id: Id, which: Literal["aligned", "raw"], settings: SettingsDep, user: CurrentUser) -> Response:
    """The aligned page image, or the raw one (unidentified / unaligned pages)."""
    require(user, "view-pages")
    with settings.store.session() as s:
        page = s.get(PageRow, page_id)
    if page is None:
        raise NotFoundError(f"page {page_id} does not exist")
    stored = page.image_path if which == "aligned" else page.raw_image_path
    path = safe_path(settings.workspace, stored, what=f"page {page_id} ({which})")
    if path.suffix.lower() == ".png":
        return Response(path.read_bytes(), media_type="image/png", headers=CACHE)
    return Response(png_bytes(read_gray(path)), media_type="image/png", headers=CACHE)


@router.get("/answers/{answer_id}.png")
def answer_crop(answer_id: Id, settings: SettingsDep, user: CurrentUser) -> Response:
    """The field with its context (grid header and row, or the whole question), boxes outlined by state."""
    require(user, "view-pages")
    with settings.store.session() as s:
        ans = s.get(AnswerRow, answer_id)
        page = s.get(PageRow, ans.page_id) if ans and ans.page_id else None
        form = s.get(FormRow, ans.form_id) if ans else None
        boxes = s.scalars(select(BoxRow).where(BoxRow.form_id == ans.form_id, BoxRow.field == ans.field)).all() \
            if ans else []
    if ans is None or page is None or form is None or page.page_number is None:
        raise NotFoundError(f"answer {answer_id} has no aligned page to show")
    info = settings.templates.get(form.template)
    layout_page = info.layout.page(page.page_number)
    bands = context_rects(info.template, layout_page, ans.field)
    if not bands:
        raise NotFoundError(f"{ans.field} has no boxes on page {page.page_number}")
    rects = {(b.field, b.value): b.rect for b in layout_page.boxes}
    outlines = [(rects[(b.field, b.value)], b.state) for b in boxes if (b.field, b.value) in rects]
    image = read_gray(safe_path(settings.workspace, page.image_path, what=f"page {page.id}"))
    return Response(png_bytes(crop_bands(image, bands=bands, outlines=outlines)), media_type="image/png",
                    headers=CACHE)


@router.get("/boxes/{box_id}.png")
def box_crop(box_id: Id, settings: SettingsDep, user: CurrentUser) -> Response:
    """One box with a little margin (for the bulk grid)."""
    require(user, "view-pages")
    with settings.store.session() as s:
        box = s.get(BoxRow, box_id)
        page = s.get(PageRow, box.page_id) if box else None
        form = s.get(FormRow, box.form_id) if box else None
    if box is None or page is None or form is None or page.page_number is None:
        raise NotFoundError(f"box {box_id} has no aligned page")
    layout_page = settings.templates.get(form.template).layout.page(page.page_number)
    rect = next((b.rect for b in layout_page.boxes if b.field == box.field and b.value == box.value), None)
    if rect is None:
        raise NotFoundError(f"box {box_id} ({box.field}={box.value}) is not on page {page.page_number}")
    image = read_gray(safe_path(settings.workspace, page.image_path, what=f"page {page.id}"))
    return Response(png_bytes(crop_box(image, rect=rect)), media_type="image/png", headers=CACHE)
