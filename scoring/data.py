"""Load verified records into a typed, wide :class:`Dataset` (one row per form).

Two sources: the workspace store (only *verified* forms: every page scanned and no answer still
``flagged``) and a ground-truth ``truth.csv`` with its ``forms.manifest.csv`` (to score what the
synthetic forms really say, or answers keyed elsewhere).
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs in the venv
from sqlalchemy import select

from omr.errors import BadArgumentsError, InputFileError, NotFoundError
from omr.store.db import Store
from omr.store.schema import AnswerRow, FormRow, PageRow
from omr.store.templates import load_workspace_template
from omr.template.load import load_template
from omr.template.model import Template

FORM_ID = "form_id"
COUNTED_PAGE_OUTCOMES = ("read", "review")
LeftOutReason = Literal["incomplete", "review"]


@dataclass(frozen=True)
class LeftOut:
    """A returned form that is not scored yet, and why."""

    form_id: str
    reason: LeftOutReason
    detail: str
    """``missing pages 2, 3`` or ``4 flagged answers``."""
    flagged: int = 0


@dataclass(frozen=True)
class Dataset:
    """Verified answers of one template: ``frame`` has one row per form (sorted by form id).

    Columns: ``form_id``, then one per sample unit of the template (``province``, ``district``…),
    then one per answer code in print order. Every column has pandas 3's ``str`` dtype; a blank
    answer is the empty string, a multi-choice answer joins its value codes with ``;`` and an
    unresolved double mark is :data:`omr.types.MULTIPLE` (``*``).
    """

    template: Template
    frame: pd.DataFrame
    left_out: tuple[LeftOut, ...] = ()
    not_returned: int = 0
    """Forms known from the manifest of which no page has been scanned."""
    flagged_answers: int = 0
    """Answers still waiting in the review queue (in the forms left out)."""
    source: str = ""
    flagged_fields: frozenset[tuple[str, str]] = frozenset()
    """(form id, answer code) of every answer of ``frame`` still ``flagged`` (only with unverified forms)."""

    @property
    def unit_columns(self) -> list[str]:
        return [u.code for u in self.template.sample_units]

    @property
    def answer_columns(self) -> list[str]:
        return list(dict.fromkeys(self.template.answer_codes()))

    @property
    def forms_used(self) -> int:
        return len(self.frame)

    def left_out_counts(self) -> dict[str, int]:
        """Forms left out per reason (``incomplete``, ``review``)."""
        return dict(Counter(lo.reason for lo in self.left_out))


def _frame(template: Template, rows: dict[str, dict[str, str]], units: dict[str, dict[str, str]]) -> pd.DataFrame:
    unit_cols = [u.code for u in template.sample_units]
    answer_cols = list(dict.fromkeys(template.answer_codes()))
    clash = sorted(set(unit_cols) & set(answer_cols) | ({FORM_ID} & set(answer_cols + unit_cols)))
    if clash:
        raise BadArgumentsError(
            f"template {template.name}: {', '.join(clash)} is both a sample unit (or form_id) and an "
            "answer code; rename one of them in the template"
        )
    ids = sorted(rows)
    data: dict[str, list[str]] = {FORM_ID: ids}
    for col in unit_cols:
        data[col] = [units.get(fid, {}).get(col, "") for fid in ids]
    for col in answer_cols:
        data[col] = [rows[fid].get(col, "") for fid in ids]
    return pd.DataFrame(data, columns=[FORM_ID, *unit_cols, *answer_cols], dtype="str")


def store_templates(store: Store) -> dict[str, int]:
    """Template names in the store with their number of forms, most forms first."""
    with store.session() as s:
        names = Counter(s.scalars(select(FormRow.template)).all())
    return dict(names.most_common())


def choose_template(store: Store, name: str | None) -> Template:
    """The template to score: ``name``, or the only template of the store's forms (the workspace's copy of a
    template file it was scanned with, else the built-in one)."""
    if name is not None:
        return load_workspace_template(store.workspace, name)
    names = store_templates(store)
    if not names:
        raise NotFoundError(f"{store.safe_url}: no forms in this workspace yet; run `sipas scan` first")
    if len(names) > 1:
        listing = ", ".join(f"{n} ({c} forms)" for n, c in names.items())
        raise BadArgumentsError(
            f"the workspace holds forms of several templates: {listing}; choose one with --template"
        )
    return load_workspace_template(store.workspace, next(iter(names)))


def load_store_dataset(store: Store, template: Template, *, include_unverified: bool = False) -> Dataset:
    """The verified forms of ``template`` in the store.

    A form is used only when it is complete (pages ``1..pages_expected`` each have a page row with
    outcome ``read`` or ``review``) and none of its answers is still ``flagged`` (``auto`` and
    ``reviewed`` count). Forms with no scanned page at all are counted as not returned. With
    ``include_unverified`` every returned form is kept (the left-out list still says why).
    """
    with store.session() as s:
        forms = s.execute(
            select(FormRow.form_id, FormRow.pages_expected, FormRow.units).where(FormRow.template == template.name)
        ).all()
        pages = s.execute(
            select(PageRow.form_id, PageRow.page_number)
            .join(FormRow, FormRow.form_id == PageRow.form_id)
            .where(FormRow.template == template.name, PageRow.outcome.in_(COUNTED_PAGE_OUTCOMES))
        ).all()
        answers = s.execute(
            select(AnswerRow.form_id, AnswerRow.field, AnswerRow.value, AnswerRow.status)
            .join(FormRow, FormRow.form_id == AnswerRow.form_id)
            .where(FormRow.template == template.name)
        ).all()
    present: dict[str, set[int]] = defaultdict(set)
    for fid, number in pages:
        if number is not None and fid is not None:
            present[fid].add(int(number))
    values: dict[str, dict[str, str]] = defaultdict(dict)
    flagged: Counter[str] = Counter()
    flagged_pairs: set[tuple[str, str]] = set()
    for fid, fld, value, status in answers:
        values[str(fid)][fld] = value or ""
        if status == "flagged":
            flagged[fid] += 1
            flagged_pairs.add((str(fid), str(fld)))
    kept: dict[str, dict[str, str]] = {}
    units: dict[str, dict[str, str]] = {}
    left_out: list[LeftOut] = []
    not_returned = 0
    for fid, expected, form_units in forms:
        if not present.get(fid) and not values.get(fid):
            not_returned += 1
            continue
        missing = sorted(set(range(1, expected + 1)) - present.get(fid, set()))
        if missing:
            pages_txt = ", ".join(str(p) for p in missing)
            left_out.append(LeftOut(fid, "incomplete", f"missing page{'s' if len(missing) > 1 else ''} {pages_txt}",
                                    flagged[fid]))
        elif flagged[fid]:
            n = flagged[fid]
            left_out.append(LeftOut(fid, "review", f"{n} flagged answer{'s' if n > 1 else ''}", n))
        if include_unverified or not (missing or flagged[fid]):
            kept[fid] = values.get(fid, {})
            units[fid] = {str(k): str(v) for k, v in (form_units or {}).items()}
    return Dataset(
        template=template,
        frame=_frame(template, kept, units),
        left_out=tuple(sorted(left_out, key=lambda lo: lo.form_id)),
        not_returned=not_returned,
        flagged_answers=sum(flagged.values()),
        source=store.safe_url,
        flagged_fields=frozenset(p for p in flagged_pairs if p[0] in kept),
    )


def _read_csv(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            rows = list(reader)
            header = reader.fieldnames or []
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputFileError(f"{path}: cannot read it: {exc}") from exc
    missing = [c for c in required if c not in header]
    if missing:
        raise InputFileError(f"{path}: lacks the column(s) {', '.join(missing)} (needs {', '.join(required)})")
    return rows


def load_truth_dataset(truth: Path, manifest: Path, template: Template | None = None) -> Dataset:
    """Ground truth as a dataset: ``truth.csv`` (``form_id,field,value``) and its manifest.

    The manifest (``form_id,template,version,pages,<unit codes>``, written by ``sipas template
    render`` and ``sipas synth``) names the template and gives each form its unit codes. Every form
    of ``truth.csv`` counts as verified; forms of the manifest with no truth row are not returned.
    Note that a synthetic form that came back with a page missing is in ``truth.csv`` with that page's
    answers blank: it is counted among the forms used (indices are unaffected, blanks being left
    out), whereas scoring the scanned store leaves it out as incomplete.
    """
    man_rows = _read_csv(manifest, (FORM_ID, "template"))
    if template is None:
        names = sorted({r["template"] for r in man_rows})
        if len(names) != 1:
            raise InputFileError(f"{manifest}: expected forms of one template, found {', '.join(names) or 'none'}")
        template = load_template(names[0])
    unit_codes = [u.code for u in template.sample_units]
    units = {r[FORM_ID]: {c: (r.get(c) or "") for c in unit_codes} for r in man_rows}
    values: dict[str, dict[str, str]] = defaultdict(dict)
    for line, r in enumerate(_read_csv(truth, (FORM_ID, "field", "value")), start=2):
        fid = r[FORM_ID]
        if fid not in units:
            raise InputFileError(f"{truth}: line {line}: form {fid} is not in the manifest {manifest}")
        values[fid][r["field"]] = r["value"] or ""
    return Dataset(
        template=template,
        frame=_frame(template, dict(values), units),
        not_returned=len(set(units) - set(values)),
        source=str(truth),
    )
