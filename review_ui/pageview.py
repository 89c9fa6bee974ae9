"""The page view (SDAPS-style: the aligned page with every box reading overlaid) and the form view."""

from __future__ import annotations

from sqlalchemy import select

from omr.errors import NotFoundError
from omr.formid import display_form_id, normalise_form_id
from omr.store.db import Store
from omr.store.schema import AnswerRow, AuditEvent, BoxRow, FormRow, PageRow
from review_ui.audit import fmt_time
from review_ui.contexts import AnswerView, AuditView, FormContext, OverlayBox, PageContext, PagePresence
from review_ui.geometry import page_fraction
from review_ui.templates_index import TemplateIndex


def _answer(a: AnswerRow) -> AnswerView:
    return AnswerView(a.id, a.field, a.kind, a.value, a.machine_value, a.status, a.confidence, a.reason,
                      a.revision, a.page_id)


def page_context(store: Store, index: TemplateIndex, page_id: int, *, can_edit: bool = False) -> PageContext:
    """The page view of ``page_id``; ``can_edit`` says whether the viewer may edit answers."""
    with store.session() as s:
        page = s.get(PageRow, page_id)
        if page is None:
            raise NotFoundError(f"page {page_id} does not exist")
        boxes = s.scalars(select(BoxRow).where(BoxRow.page_id == page_id).order_by(BoxRow.id)).all()
        answers = s.scalars(select(AnswerRow).where(AnswerRow.page_id == page_id).order_by(AnswerRow.id)).all()
    overlay: list[OverlayBox] = []
    if page.template and page.page_number and page.image_path:
        layout = index.get(page.template).layout
        if page.page_number <= len(layout.pages):
            rects = {(b.field, b.value): b.rect for b in layout.page(page.page_number).boxes}
            for b in boxes:
                r = rects.get((b.field, b.value))
                if r is not None:
                    left, top, w, h = page_fraction(r)
                    overlay.append(OverlayBox(b.id, b.field, b.value, b.state, b.confidence, b.darkness,
                                              left, top, w, h))
    kind = "aligned" if page.image_path else "raw" if page.raw_image_path else None
    return PageContext(
        page.id, page.outcome, page.reason, page.form_id,
        display_form_id(page.form_id) if page.form_id else None, page.page_number, page.template,
        f"/img/pages/{page.id}/{kind}.png" if kind else None, bool(page.image_path),
        tuple(overlay), tuple(_answer(a) for a in answers), can_edit,
    )


def form_context(store: Store, form_text: str, *, can_edit: bool = False) -> FormContext:
    """The form view of ``form_text`` (typed with or without the dash, any case)."""
    form_id = normalise_form_id(form_text) or form_text
    with store.session() as s:
        form = s.get(FormRow, form_id)
        if form is None:
            raise NotFoundError(f"form {form_text} does not exist in this workspace")
        pages = s.scalars(
            select(PageRow).where(PageRow.form_id == form_id, PageRow.duplicate_of.is_(None)).order_by(PageRow.id)
        ).all()
        answers = s.scalars(
            select(AnswerRow).outerjoin(PageRow, PageRow.id == AnswerRow.page_id)
            .where(AnswerRow.form_id == form_id).order_by(PageRow.page_number, AnswerRow.id)
        ).all()
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.form_id == form_id).order_by(AuditEvent.id.desc()).limit(500)
        ).all()
    by_number = {p.page_number: p for p in pages if p.page_number and p.outcome != "rejected"}
    presence = tuple(
        PagePresence(n, by_number[n].id if n in by_number else None, by_number[n].outcome if n in by_number else None)
        for n in range(1, form.pages_expected + 1)
    )
    return FormContext(
        form.form_id, display_form_id(form.form_id), form.template, form.version, presence,
        tuple(p.number for p in presence if p.page_id is None),
        tuple(_answer(a) for a in answers),
        tuple(AuditView(fmt_time(e.at), e.actor, e.action, e.field, e.page_id, e.old, e.new) for e in events),
        can_edit,
    )
