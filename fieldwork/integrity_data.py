"""What integrity screening reads from the store: each scanned form's unit, answers, page images and
ticked boxes, and the post's delivery and collection days from the ledger. Form ids only, no identity.

A form's unit is the ledger's (``fw_forms.unit`` of the survey, by form id); a form the ledger does not
know gets the most specific survey unit whose code its manifest units carry (``forms.units``: the
commune, district or province code, as the unit's level says); forms of neither are left out and
counted.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldwork.ledger import open_ledger
from fieldwork.ledger_schema import FieldworkEvent, FieldworkForm
from fieldwork.survey import Survey
from omr.store.db import Store
from omr.store.schema import AnswerRow, BoxRow, FormRow, PageRow, counted_form_page
from omr.template.model import Template

_LEVELS = {"commune": 0, "district": 1, "province": 2}
_CHUNK = 500


@dataclass(frozen=True)
class PageImage:
    """A counted page of a form and its aligned image (relative to the workspace)."""

    page_id: int
    number: int
    image_path: str | None


@dataclass(frozen=True)
class TickedBox:
    """A box the reader saw marked: where, and how dark its interior was (0..1)."""

    page_id: int
    field: str
    value: str
    darkness: float


@dataclass(frozen=True)
class FormData:
    """One scanned form of the survey, as the screen sees it."""

    form_id: str
    unit: str
    answers: tuple[tuple[str, str], ...]
    """(answer code, value) of the answers the screen uses."""
    pages: tuple[PageImage, ...]
    ticked: tuple[TickedBox, ...]

    def answer(self, code: str) -> str:
        return next((v for c, v in self.answers if c == code), "")


@dataclass(frozen=True)
class PostDays:
    """The post's days for one form: first delivered and first collected (None when not recorded)."""

    form_id: str
    unit: str
    delivered_on: dt.date | None
    collected_on: dt.date | None


@dataclass(frozen=True)
class ScreenData:
    """Everything the screen reads: forms by unit, post days, and forms that had no unit."""

    workspace: Path
    forms: tuple[FormData, ...]
    post: tuple[PostDays, ...]
    without_unit: tuple[str, ...]

    def units(self) -> list[str]:
        return sorted({f.unit for f in self.forms} | {p.unit for p in self.post})


def _chunks(ids: list[str]) -> list[list[str]]:
    return [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]


def manifest_unit(survey: Survey, units: dict[str, str]) -> str | None:
    """The most specific survey unit whose code the form's manifest units carry, or None."""
    hits = [u for u in survey.units if units.get(u.level) == u.code]
    return min(hits, key=lambda u: _LEVELS[u.level]).code if hits else None


def load_screen_data(store: Store, survey: Survey, template: Template, codes: set[str]) -> ScreenData:
    """Read the survey's scanned forms (answers of ``codes``), their pages and ticked boxes, and the
    ledger's post days."""
    open_ledger(store)
    with store.session() as s:
        ledger_units = {f.form_id: f.unit for f in s.scalars(select(FieldworkForm).where(
            FieldworkForm.survey == survey.name, FieldworkForm.form_id.is_not(None))) if f.form_id}
        pages: dict[str, list[PageImage]] = defaultdict(list)
        for p in s.scalars(select(PageRow).where(counted_form_page(), PageRow.template == template.name)):
            assert p.form_id is not None and p.page_number is not None
            pages[p.form_id].append(PageImage(p.id, p.page_number, p.image_path))
        ids = sorted(pages)
        units: dict[str, str] = {}
        without: list[str] = []
        answers: dict[str, list[tuple[str, str]]] = defaultdict(list)
        ticked: dict[str, list[TickedBox]] = defaultdict(list)
        for chunk in _chunks(ids):
            manifest = {f.form_id: f.units or {} for f in s.scalars(select(FormRow).where(FormRow.form_id.in_(chunk)))}
            for fid in chunk:
                unit = ledger_units.get(fid) or manifest_unit(survey, manifest.get(fid, {}))
                if unit is None:
                    without.append(fid)
                else:
                    units[fid] = unit
            for a in s.scalars(select(AnswerRow).where(AnswerRow.form_id.in_(chunk), AnswerRow.field.in_(codes))):
                answers[a.form_id].append((a.field, a.value))
            for b in s.scalars(select(BoxRow).where(BoxRow.form_id.in_(chunk), BoxRow.state == "marked")):
                ticked[b.form_id].append(TickedBox(b.page_id, b.field, b.value, b.darkness))
        post = _post_days(s, survey.name)
    forms = tuple(FormData(fid, units[fid], tuple(sorted(answers[fid])),
                           tuple(sorted(pages[fid], key=lambda p: p.number)), tuple(ticked[fid]))
                  for fid in ids if fid in units)
    return ScreenData(store.workspace, forms, post, tuple(without))


def _post_days(s: Session, survey: str) -> tuple[PostDays, ...]:
    slots = {f.id: f for f in s.scalars(select(FieldworkForm).where(FieldworkForm.survey == survey,
                                                                    FieldworkForm.form_id.is_not(None)))}
    if not slots:
        return ()
    first: dict[tuple[int, str], dt.date] = {}
    for e in s.scalars(select(FieldworkEvent).where(FieldworkEvent.state.in_(("delivered", "collected")),
                                                    FieldworkEvent.on.is_not(None))):
        if e.slot_id in slots and e.on is not None:
            key = (e.slot_id, e.state)
            first[key] = min(first.get(key, e.on), e.on)
    out = [PostDays(f.form_id or "", f.unit, first.get((sid, "delivered")), first.get((sid, "collected")))
           for sid, f in slots.items() if (sid, "delivered") in first or (sid, "collected") in first]
    return tuple(sorted(out, key=lambda p: p.form_id))
