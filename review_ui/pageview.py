"""The page view (SDAPS-style: the aligned page with every box reading overlaid) and the form view."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select

from omr.errors import NotFoundError, SipasError
from omr.formid import display_form_id, normalise_form_id
from omr.store.db import Store
from omr.store.schema import AnswerRow, AuditEvent, BoxRow, FormRow, PageRow, ReviewItem
from omr.template.model import GridField, MultiField, SingleField
from review_ui.audit import fmt_time
from review_ui.contexts import AnswerView, AuditView, FormContext, OverlayBox, PageContext, PagePresence
from review_ui.geometry import page_fraction
from review_ui.i18n import Lang
from review_ui.reasons import localise
from review_ui.templates_index import TemplateIndex


def _labels(index: TemplateIndex, template: str | None, code: str, value: str, lang: Lang) -> tuple[str, str]:
    """(question label with the grid row, label of the chosen option(s)) of an answer; empty when unknown."""
    if not template:
        return "", ""
    try:
        t = index.get(template).template
        q = t.question_of(code)
    except (KeyError, SipasError):
        return "", ""
    label = str(getattr(q.label, lang))
    if isinstance(q, GridField):
        label += " · " + next((str(getattr(r.label, lang)) for r in q.rows if r.code == code), code)
    opts = q.scale if isinstance(q, GridField) else q.options if isinstance(q, SingleField | MultiField) else []
    names = {o.value: str(getattr(o.label, lang)) for o in opts} if q.code == code or isinstance(q, GridField) else {}
    chosen = [names[v] for v in value.split(";") if v in names] if names else []
    return label, ", ".join(chosen)


def _answer(a: AnswerRow, index: TemplateIndex, template: str | None, lang: Lang) -> AnswerView:
    label, value_label = _labels(index, template, a.field, a.value, lang)
    return AnswerView(a.id, a.field, a.kind, a.value, a.machine_value, a.status, a.confidence,
                      localise(a.reason, lang), a.revision, a.page_id, label, value_label)


def page_context(store: Store, index: TemplateIndex, page_id: int, *, can_edit: bool = False,
                 lang: Lang = "vi") -> PageContext:
    """The page view of ``page_id``; ``can_edit`` says whether the viewer may edit answers."""
    with store.session() as s:
        page = s.get(PageRow, page_id)
        if page is None:
            raise NotFoundError(f"page {page_id} does not exist")
        boxes = s.scalars(select(BoxRow).where(BoxRow.page_id == page_id).order_by(BoxRow.id)).all()
        answers = s.scalars(select(AnswerRow).where(AnswerRow.page_id == page_id).order_by(AnswerRow.id)).all()
        form = s.get(FormRow, page.form_id) if page.form_id else None
        open_items = s.scalar(select(func.count()).where(ReviewItem.status == "open", or_(
            ReviewItem.page_id == page_id,
            and_(ReviewItem.kind == "field", ReviewItem.form_id == page.form_id,
                 ReviewItem.field.in_([a.field for a in answers]))))) or 0
    template = form.template if form else page.template
    overlay: list[OverlayBox] = []
    if page.template and page.page_number and page.image_path:
        layout = index.get(page.template).layout
        if page.page_number <= len(layout.pages):
            rects = {(b.field, b.value): b.rect for b in layout.page(page.page_number).boxes}
            for b in boxes:
                r = rects.get((b.field, b.value))
                if r is not None:
                    left, top, w, h = page_fraction(r, (layout.width, layout.height))
                    overlay.append(OverlayBox(b.id, b.field, b.value, b.state, b.confidence, b.darkness,
                                              left, top, w, h))
    kind = "aligned" if page.image_path else "raw" if page.raw_image_path else None
    return PageContext(
        page.id, page.outcome, localise(page.reason, lang), page.form_id,
        display_form_id(page.form_id) if page.form_id else None, page.page_number, page.template,
        f"/img/pages/{page.id}/{kind}.png" if kind else None, bool(page.image_path),
        tuple(overlay), tuple(_answer(a, index, template, lang) for a in answers), can_edit, int(open_items),
    )


def form_context(store: Store, index: TemplateIndex, form_text: str, *, can_edit: bool = False,
                 lang: Lang = "vi") -> FormContext:
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
        tuple(_answer(a, index, form.template, lang) for a in answers),
        tuple(AuditView(fmt_time(e.at), e.actor, e.action, e.field, e.page_id, e.old, e.new) for e in events),
        can_edit,
    )
