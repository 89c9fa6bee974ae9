"""Dispatch: personalised forms for the official list, and what the post needs to deliver them.

Forms are printed by the same path as ``sipas template render --sample-list`` (a sample list CSV →
:func:`omr.render.copies_from_sample_list` → PDF and manifest). Two folders keep identities apart:

``forms/``       ``forms.pdf`` and ``forms.manifest.csv`` (form ids and unit codes: travels with the answers);
``identities/``  (0700, files 0600) the sample list, ``forms.identities.csv``, ``delivery.xlsx`` and
                 ``delivery.pdf`` (per postman route: the village, or the residence commune) and
                 ``labels.pdf`` (envelope labels, 3 × 8 on A4).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from fieldwork.delivery import Delivery, delivery_pdf, delivery_xlsx, labels_pdf
from fieldwork.private import make_private, write_private
from fieldwork.survey import Survey
from fieldwork.units import commune_name
from omr.errors import InputFileError
from omr.render import (
    IDENTITY_COLUMNS,
    FormCopy,
    copies_from_sample_list,
    new_copies,
    render_pdf,
    write_identities,
    write_manifest,
)
from omr.template.load import load_template


@dataclass(frozen=True)
class PrintedForm:
    """A form printed for an official slot (no identity): what the ledger records as ``printed``."""

    form_id: str
    stratum: str
    rank: int
    route: str


@dataclass(frozen=True)
class DispatchResult:
    forms: int
    forms_pdf: Path
    manifest: Path
    routes: tuple[str, ...]
    delivery_xlsx: Path
    delivery_pdf: Path
    labels_pdf: Path
    printed: tuple[PrintedForm, ...] = ()


def _read_official(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise InputFileError(f"{path}: no official list here; run `sipas fieldwork draw` first") from exc
    if not rows:
        raise InputFileError(f"{path}: the official list is empty")
    return rows


def _units(survey: Survey, row: dict[str, str]) -> dict[str, str]:
    """Sample-unit codes a form carries (the template's ``sample_units``): never identities."""
    return {"province": row["province"], "district": row["district"], "commune": row["commune"],
            "village": row["group"] if survey.population == "household" else ""}


def _route(survey: Survey, row: dict[str, str]) -> str:
    if survey.population == "household":
        unit = next(u for u in survey.units if u.code == row["unit"])
        village = next(v for v in unit.villages if v.code == row["group"])
        return f"{unit.name} — {village.name}"
    return f"{commune_name(survey.scheme, row['commune'])} ({row['commune']})"


def dispatch(survey: Survey, official: Path, dest: Path, seed: int | None = None) -> DispatchResult:
    """Write forms and delivery lists for the official list ``official`` into ``dest``."""
    rows = _read_official(official)
    template = load_template(survey.instrument)
    codes = [u.code for u in template.sample_units]
    forms_dir, ids_dir = dest / "forms", dest / "identities"
    forms_dir.mkdir(parents=True, exist_ok=True)
    ids_dir.mkdir(parents=True, exist_ok=True)
    ids_dir.chmod(0o700)
    sample = ids_dir / "sample_list.csv"
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*codes, *IDENTITY_COLUMNS, "stratum", "rank"])
    for r in rows:
        units = _units(survey, r)
        w.writerow([*(units.get(c, "") for c in codes), r["name"], r["address"], r["phone"], r["stratum"], r["rank"]])
    write_private(sample, buf.getvalue().encode("utf-8"))
    if all(_units(survey, r).get(c) for r in rows for c in codes):
        copies = copies_from_sample_list(template, sample, seed)
    else:  # 2025 surveys: no district; the template keeps that code empty
        ids = new_copies(len(rows), seed)
        copies = [FormCopy(c.form_id, {k: _units(survey, r).get(k, "") for k in codes},
                           {"name": r["name"], "address": r["address"], "phone": r["phone"]})
                  for c, r in zip(ids, rows, strict=True)]
    pdf, manifest = forms_dir / "forms.pdf", forms_dir / "forms.manifest.csv"
    pdf.write_bytes(render_pdf(template, copies))
    write_manifest(template, copies, manifest)
    identities = ids_dir / "forms.identities.csv"
    write_identities(copies, identities)
    make_private(identities)
    deliveries = [Delivery(_route(survey, r), c.form_id, r["name"], r["address"], r["phone"])
                  for c, r in zip(copies, rows, strict=True)]
    title = f"{survey.name} ({survey.year}) — {survey.province.name}"
    out_xlsx, out_pdf, out_labels = ids_dir / "delivery.xlsx", ids_dir / "delivery.pdf", ids_dir / "labels.pdf"
    write_private(out_xlsx, delivery_xlsx(deliveries))
    write_private(out_pdf, delivery_pdf(deliveries, title))
    write_private(out_labels, labels_pdf(deliveries))
    routes = tuple(sorted({d.route for d in deliveries}))
    printed = tuple(PrintedForm(c.form_id, r["stratum"], int(r["rank"]), d.route)
                    for c, r, d in zip(copies, rows, deliveries, strict=True))
    return DispatchResult(len(copies), pdf, manifest, routes, out_xlsx, out_pdf, out_labels, printed)
