"""A sample review workspace: real rendered forms, rasterised at 150 dpi, marked, read into the store.

For trying the review app (``make demo``), for its benchmark (``tools/bench_review.py``) and its
tests. Forms come from :func:`omr.render.render_pdf` and ``pdftoppm``; marks are drawn on the page
images with a fixed seed; box darkness is measured on the image and each field's value and status
follow from the box states under the template's marking rule (borderline marks make ambiguous
boxes, so those fields are flagged).
"""

from __future__ import annotations

import random
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from omr._tools import which_or_raise
from omr.errors import InputFileError
from omr.render import new_copies, render_pdf
from omr.store.db import Store
from omr.store.schema import AnswerRow, BoxRow, FormRow, InputFile, PageRow, ReviewItem
from omr.template.layout import Box, Rect, layout_template
from omr.template.model import AnyField, Template
from review_ui.geometry import ALIGNED_DPI, to_px
from review_ui.marking import decide

MARKED, EMPTY = 0.12, 0.03
"""Darkness above MARKED reads as marked, below EMPTY as empty, in between ambiguous."""


@dataclass(frozen=True)
class SampleWorkspace:
    store: Store
    template: Template
    form_ids: tuple[str, ...]
    page_ids: tuple[int, ...]
    flagged: int


def rasterise(pdf: bytes, *, dpi: float = ALIGNED_DPI) -> list[NDArray[np.uint8]]:
    """Every page of ``pdf`` as a gray image, by ``pdftoppm``."""
    exe = which_or_raise("pdftoppm", "poppler-utils")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        subprocess.run([str(exe), "-r", str(int(dpi)), "-gray", "-png", str(src), str(Path(tmp) / "p")],
                       check=True, capture_output=True)
        pages = []
        for p in sorted(Path(tmp).glob("p-*.png"), key=lambda q: int(q.stem.split("-")[-1])):
            img = cv2.imread(str(p), cv2.IMREAD_GRAYSCALE)
            if img is None:
                raise InputFileError(f"{p}: pdftoppm wrote an unreadable image")
            pages.append(np.asarray(img, dtype=np.uint8))
    return pages


def _cross(img: NDArray[np.uint8], rect: Rect, *, strength: float, rng: random.Random) -> None:
    r = to_px(rect)
    inset = max(1, int(r.w * (0.5 - 0.4 * strength)))
    ink = int(255 * (1 - min(1.0, 0.35 + strength)))
    thick = 1 if strength < 0.5 else 2
    j = rng.randint(-1, 1)
    cv2.line(img, (r.x + inset, r.y + inset + j), (r.x + r.w - inset, r.y + r.h - inset), ink, thick)
    cv2.line(img, (r.x + r.w - inset, r.y + inset), (r.x + inset, r.y + r.h - inset - j), ink, thick)


def darkness(img: NDArray[np.uint8], rect: Rect) -> float:
    """Ink coverage of a box interior (outline excluded), 0..1."""
    r = to_px(rect)
    m = max(2, r.w // 6)
    inner = img[r.y + m : r.y + r.h - m, r.x + m : r.x + r.w - m]
    return float(np.mean(inner < 160)) if inner.size else 0.0


def _state(d: float) -> str:
    return "marked" if d >= MARKED else "empty" if d <= EMPTY else "ambiguous"


def _write_in_chosen(session: Session, form_id: str, question: AnyField, code: str) -> bool:
    """Whether the option that owns write-in ``code`` was chosen (answers are added in print order)."""
    parent = session.scalar(select(AnswerRow.value).where(AnswerRow.form_id == form_id,
                                                          AnswerRow.field == question.code))
    owner = next((o.value for o in getattr(question, "options", []) if o.other == code), None)
    return parent is not None and owner is not None and owner in parent.split(";")


def build_sample_workspace(
    store: Store, template: Template, *, forms: int = 4, seed: int = 1, flag_share: float = 0.5
) -> SampleWorkspace:
    """Render ``forms`` copies, mark them, and store pages, boxes, answers and review items."""
    rng = random.Random(seed)
    copies = new_copies(forms, seed)
    images = rasterise(render_pdf(template, copies))
    layout = layout_template(template)
    kinds = template.answer_kinds()
    img_dir = store.workspace / "pages"
    img_dir.mkdir(parents=True, exist_ok=True)
    page_ids: list[int] = []
    flagged = 0
    with store.session() as s:
        src = InputFile(sha256=f"sample-{seed}-{forms}-{template.name}".ljust(64, "0")[:64], path="sample.pdf",
                        size=0, page_count=len(images), status="done")
        s.add(src)
        s.flush()
        for c, copy in enumerate(copies):
            s.add(FormRow(form_id=copy.form_id, template=template.name, version=template.version,
                          pages_expected=template.page_count, units={}, in_manifest=True))
            s.flush()
            for p, page_layout in enumerate(layout.pages):
                img = images[c * len(layout.pages) + p].copy()
                by_field: dict[str, list[Box]] = {}
                for b in page_layout.boxes:
                    by_field.setdefault(b.field, []).append(b)
                plans: dict[str, bool] = {}
                for code, boxes in by_field.items():
                    if boxes[0].kind != "box":
                        continue
                    hard = rng.random() < flag_share
                    plans[code] = hard
                    choice = rng.choice(boxes)
                    _cross(img, choice.rect, strength=0.9, rng=rng)
                    if kinds.get(code) == "multi" and rng.random() < 0.5:
                        _cross(img, rng.choice(boxes).rect, strength=0.9, rng=rng)
                    if hard:
                        other = rng.choice([b for b in boxes if b is not choice] or boxes)
                        _cross(img, other.rect, strength=rng.choice((0.2, 0.3, 0.4)), rng=rng)
                rel = f"pages/{copy.form_id}-p{p + 1}.png"
                cv2.imwrite(str(store.workspace / rel), img)
                page = PageRow(file_id=src.id, page_index=c * len(layout.pages) + p, outcome="read",
                               template=template.name, version=template.version, form_id=copy.form_id,
                               page_number=p + 1, image_path=rel, residual_px=0.0)
                s.add(page)
                s.flush()
                page_ids.append(page.id)
                page_flagged = False
                for code, boxes in by_field.items():
                    kind = kinds.get(code, "text")
                    if boxes[0].kind == "box":
                        states = {}
                        for b in boxes:
                            d = darkness(img, b.rect)
                            states[b.value] = _state(d)
                            conf = min(1.0, abs(d - (MARKED + EMPTY) / 2) / 0.1)
                            s.add(BoxRow(page_id=page.id, form_id=copy.form_id, field=code, value=b.value,
                                         state=states[b.value], confidence=round(conf, 3), darkness=round(d, 4)))
                        dec = decide(template, code, states)
                        value, status, reason = dec.value, "flagged" if dec.needs_review else "auto", dec.reason
                        conf = 0.5 if dec.needs_review else 0.99
                    elif kind == "digits":
                        value = "".join(str(rng.randint(0, 9)) for _ in boxes)
                        status, reason, conf = "flagged", "unsure digit", 0.6
                    else:
                        value, status, reason, conf = "", "flagged", "handwriting to transcribe", 0.0
                    q = template.question_of(code)
                    if kind == "text" and q.code != code and not _write_in_chosen(s, copy.form_id, q, code):
                        status, reason, conf = "auto", None, 0.99
                    s.add(AnswerRow(form_id=copy.form_id, field=code, kind=kind, value=value, machine_value=value,
                                    status=status, confidence=conf, reason=reason, page_id=page.id))
                    if status == "flagged":
                        flagged += 1
                        page_flagged = True
                        s.add(ReviewItem(kind="field", form_id=copy.form_id, field=code, question=q.code,
                                         page_id=page.id, reason=reason))
                if page_flagged:
                    page.outcome = "review"
    return SampleWorkspace(store, template, tuple(c.form_id for c in copies), tuple(page_ids), flagged)


