"""Give a from-scan template the codes of a template we know, matching box by box.

``sipas template from-scan`` proposes codes Q1, Q2, … and values 1..n; a survey manager replaces them
with the form's own numbering and fixes the kinds (``multi``) and the marking rule. For the bench
(:mod:`tools.bench_fromscan`) the form *is* one of ours, so these corrections can be made exactly and
mechanically:

1. :func:`match_boxes` pairs every box of the known template with the proposed box at the same place
   (each edge within ``tol_mm``, default 1 mm): a mapping (code, value) → (code, value), plus the boxes
   left unpaired on either side.
2. :func:`recode` rewrites the proposal with the known codes, values and kinds (and the known marking
   rule) wherever the proposal's grouping allows it: a proposed answer code whose boxes all pair with
   boxes of one known answer code takes that code. Proposed fields that cannot be recoded (a box not
   paired, a proposed field spanning two known questions, a grid whose columns map differently from
   row to row) keep their boxes under the code ``FS_<proposed code>`` and are listed.

Box positions, shapes, the blank images and the alignment stay exactly as proposed: only names change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from omr.template.layout import FormLayout
from omr.template.model import (
    AnyField,
    DigitsField,
    GridField,
    GridRow,
    MultiField,
    Option,
    PlacedBox,
    SingleField,
    Template,
    TextField,
)

__all__ = ["KEPT_PREFIX", "BoxMatch", "BoxPair", "Recoded", "match_boxes", "recode"]

KEPT_PREFIX = "FS_"
"""Prefix of the proposed codes that could not be recoded (kept apart from the known codes)."""

Code = tuple[str, str]
"""(answer code, value) of one box; value "" for a writing area."""


@dataclass(frozen=True)
class BoxPair:
    """A known box and the proposed box at the same place."""

    page: int
    """The known template's page number."""
    known: Code
    proposed: Code
    offset_mm: float
    """The largest distance between corresponding edges."""


@dataclass(frozen=True)
class BoxMatch:
    """Known boxes paired with proposed boxes, and those left unpaired on either side."""

    pairs: tuple[BoxPair, ...]
    unmatched_known: tuple[tuple[int, str, str], ...]
    """(known page, code, value) of every known box with no proposed box within the tolerance."""
    unmatched_proposed: tuple[tuple[int, str, str], ...]
    """(proposed page, code, value) of every proposed box no known box pairs with."""

    @property
    def mapping(self) -> dict[Code, Code]:
        """Proposed (code, value) → known (code, value)."""
        return {p.proposed: p.known for p in self.pairs}

    @property
    def max_offset_mm(self) -> float:
        return max((p.offset_mm for p in self.pairs), default=0.0)


def _offset(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """The largest distance between corresponding edges of two rects (x, y, w, h)."""
    return max(abs(a[0] - b[0]), abs(a[1] - b[1]), abs(a[0] + a[2] - b[0] - b[2]), abs(a[1] + a[3] - b[1] - b[3]))


def match_boxes(known: FormLayout, pages: Sequence[int], proposed: Template, tol_mm: float = 1.0) -> BoxMatch:
    """Pair the known template's boxes with the proposal's, page by page, closest pairs first.

    Parameters
    ----------
    known : FormLayout
        The layout of the template we know (our own form).
    pages : sequence of int
        The known page number of each proposed page, in order.
    proposed : Template
        The from-scan proposal (a fixed-layout template).
    tol_mm : float, optional
        Each edge of a pair within this distance.

    Returns
    -------
    BoxMatch
    """
    if proposed.layout is None or len(proposed.layout.pages) != len(pages):
        raise ValueError(f"the proposal has {len(proposed.layout.pages) if proposed.layout else 0} placed pages, "
                         f"not {len(pages)}")
    pairs: list[BoxPair] = []
    lone_known: list[tuple[int, str, str]] = []
    lone_proposed: list[tuple[int, str, str]] = []
    for i, number in enumerate(pages):
        ours = known.page(number).boxes
        theirs = proposed.layout.pages[i].boxes
        candidates = sorted(
            (_offset((b.rect.x, b.rect.y, b.rect.w, b.rect.h), p.rect), k, j)
            for k, b in enumerate(ours) for j, p in enumerate(theirs)
        )
        used_k: set[int] = set()
        used_j: set[int] = set()
        for d, k, j in candidates:
            if d > tol_mm:
                break
            if k in used_k or j in used_j:
                continue
            used_k.add(k)
            used_j.add(j)
            pairs.append(BoxPair(number, (ours[k].field, ours[k].value), (theirs[j].field, theirs[j].value),
                                 round(d, 3)))
        lone_known += [(number, b.field, b.value) for k, b in enumerate(ours) if k not in used_k]
        lone_proposed += [(i + 1, p.field, p.value) for j, p in enumerate(theirs) if j not in used_j]
    pairs.sort(key=lambda p: (p.page, p.proposed))
    return BoxMatch(tuple(pairs), tuple(lone_known), tuple(lone_proposed))


@dataclass(frozen=True)
class Recoded:
    """A proposal recoded with the known template's codes, and what could not be."""

    template: Template
    codes: dict[str, str]
    """Proposed answer code → known answer code, for every recoded answer code."""
    kinds_changed: tuple[str, ...]
    """Fields whose kind was corrected, e.g. ``Q7 single → Q2 multi``."""
    kept: tuple[str, ...]
    """Proposed fields left as proposed (renamed FS_…), each with why."""


class _Codes:
    """Which proposed answer codes map onto one known answer code, and their values."""

    def __init__(self, proposed: Template, match: BoxMatch) -> None:
        assert proposed.layout is not None
        mapping = match.mapping
        boxes: dict[str, list[PlacedBox]] = {}
        for page in proposed.layout.pages:
            for b in page.boxes:
                boxes.setdefault(b.field, []).append(b)
        self.code: dict[str, str] = {}
        self.values: dict[str, dict[str, str]] = {}
        self.why: dict[str, str] = {}
        for code, group in boxes.items():
            known = [mapping.get((b.field, b.value)) for b in group]
            if any(k is None for k in known):
                self.why[code] = f"{sum(k is None for k in known)} of its {len(group)} boxes pair with no known box"
                continue
            targets = {k[0] for k in known if k is not None}
            values = {b.value: k[1] for b, k in zip(group, known, strict=True) if k is not None}
            if len(targets) != 1:
                self.why[code] = f"its boxes belong to {len(targets)} known answer codes ({', '.join(sorted(targets))})"
            elif len(set(values.values())) != len(values):
                self.why[code] = "two of its boxes pair with boxes of the same known value"
            else:
                self.code[code] = targets.pop()
                self.values[code] = values


def _kept(f: AnyField) -> AnyField:
    """A proposed field under FS_-prefixed codes."""
    data = f.model_dump()
    data["code"] = KEPT_PREFIX + f.code
    if isinstance(f, GridField):
        data["rows"] = [{**r, "code": KEPT_PREFIX + r["code"]} for r in data["rows"]]
    if isinstance(f, SingleField | MultiField):
        data["options"] = [{**o, "other": KEPT_PREFIX + o["other"] if o.get("other") else None}
                           for o in data["options"]]
    return type(f).model_validate(data)


def _choice(f: SingleField | MultiField, codes: _Codes, known: Template) -> tuple[AnyField, str | None] | str:
    if f.code not in codes.code:
        return f"{f.code}: {codes.why.get(f.code, 'not paired')}"
    target = codes.code[f.code]
    values = codes.values[f.code]
    question = known.question_of(target)
    multi = isinstance(question, MultiField) and question.code == target
    others = [o.other for o in f.options if o.other]
    if any(o not in codes.code for o in others):
        return f"{f.code}: its write-in {others[0]} pairs with no known writing area"
    options = [Option(value=values[o.value], label=o.label, other=codes.code[o.other] if o.other else None)
               for o in f.options]
    new: AnyField
    if multi:
        assert isinstance(question, MultiField)
        new = MultiField(kind="multi", code=target, label=f.label, options=options, max_choices=question.max_choices)
    else:
        new = SingleField(kind="single", code=target, label=f.label, options=options)
    changed = f"{f.code} {f.kind} → {target} {new.kind}" if new.kind != f.kind else None
    return new, changed


def _grid(f: GridField, codes: _Codes, known: Template) -> AnyField | str:
    missing = [r.code for r in f.rows if r.code not in codes.code]
    if missing:
        return f"{f.code}: row {missing[0]}: {codes.why.get(missing[0], 'not paired')}"
    questions = {known.question_of(codes.code[r.code]).code for r in f.rows}
    if len(questions) != 1:
        return f"{f.code}: its rows belong to {len(questions)} known questions ({', '.join(sorted(questions))})"
    columns = {tuple(sorted(codes.values[r.code].items())) for r in f.rows}
    if len(columns) != 1:
        return f"{f.code}: its columns pair with different known values from row to row"
    values = codes.values[f.rows[0].code]
    if any(s.value not in values for s in f.scale):
        return f"{f.code}: a column has no paired box"
    scale = [Option(value=values[s.value], label=s.label) for s in f.scale]
    rows = [GridRow(code=codes.code[r.code], label=r.label) for r in f.rows]
    return GridField(kind="grid", code=questions.pop(), label=f.label, scale=scale, rows=rows)


def _other(f: DigitsField | TextField, codes: _Codes) -> AnyField | str:
    if f.code not in codes.code:
        return f"{f.code}: {codes.why.get(f.code, 'not paired')}"
    values = codes.values[f.code]
    if any(k != v for k, v in values.items()):
        return f"{f.code}: its cells pair with cells at other positions"
    return f.model_copy(update={"code": codes.code[f.code]})


def recode(proposed: Template, known: Template, match: BoxMatch) -> Recoded:
    """The proposal with the known codes, values, kinds and marking rule wherever its grouping allows.

    Parameters
    ----------
    proposed : Template
        The from-scan proposal.
    known : Template
        The template whose codes to take.
    match : BoxMatch
        From :func:`match_boxes`.

    Returns
    -------
    Recoded
    """
    assert proposed.layout is not None
    codes = _Codes(proposed, match)
    applied: dict[str, str] = {}
    kinds: list[str] = []
    kept: list[str] = []
    used: set[str] = set()
    pages: list[dict[str, Any]] = []
    for page in proposed.pages:
        fields: list[AnyField] = []
        for f in page.fields:
            result: AnyField | str
            if isinstance(f, SingleField | MultiField):
                got = _choice(f, codes, known)
                if isinstance(got, tuple):
                    result, changed = got
                    if changed:
                        kinds.append(changed)
                else:
                    result = got
            elif isinstance(f, GridField):
                result = _grid(f, codes, known)
            else:
                result = _other(f, codes)
            if not isinstance(result, str):
                new_codes = [result.code, *_answer_codes(result)]
                if any(c in used for c in new_codes):
                    result = f"{f.code}: the known code {result.code} is taken by another proposed field"
            if isinstance(result, str):
                kept.append(result)
                result = _kept(f)
            else:
                for old, new in zip(_answer_codes(f), _answer_codes(result), strict=True):
                    applied[old] = new
            used.update([result.code, *_answer_codes(result)])
            fields.append(result)
        pages.append({**page.model_dump(exclude={"fields"}), "fields": [x.model_dump() for x in fields]})
    placed: list[dict[str, Any]] = []
    for p in proposed.layout.pages:
        boxes = []
        for b in p.boxes:
            if b.field in applied:
                value = codes.values[b.field][b.value] if b.value else ""
                boxes.append(b.model_copy(update={"field": applied[b.field], "value": value}))
            else:
                boxes.append(b.model_copy(update={"field": KEPT_PREFIX + b.field}))
        placed.append({**p.model_dump(exclude={"boxes"}), "boxes": [b.model_dump() for b in boxes]})
    data = proposed.model_dump()
    data["pages"] = pages
    data["layout"]["pages"] = placed
    data["marking"] = known.marking.model_dump()
    return Recoded(Template.model_validate(data), applied, tuple(kinds), tuple(kept))


def _answer_codes(f: AnyField) -> list[str]:
    """The answer codes a field holds (its code, a grid's row codes, write-ins), in order."""
    if isinstance(f, GridField):
        return [r.code for r in f.rows]
    out = [f.code]
    if isinstance(f, SingleField | MultiField):
        out += [o.other for o in f.options if o.other]
    return out
