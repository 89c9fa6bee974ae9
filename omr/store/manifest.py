"""Import the forms manifest written by ``sipas template render`` (``<out>.manifest.csv``).

The manifest lists every printed form: ``form_id,template,version,pages`` and one column per sample
unit (``province,district,…``). It never holds respondent identities. Importing it lets the store
say which forms have not come back, and gives each form its unit codes for the indices by unit.
Re-importing the same manifest changes nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from omr.errors import InputFileError
from omr.formid import display_form_id, normalise_form_id
from omr.idmatch import KnownForms
from omr.store.db import Store
from omr.store.schema import FormRow

REQUIRED_COLUMNS = ("form_id", "template", "version", "pages")
_CHUNK = 500


@dataclass(frozen=True)
class ManifestForm:
    """One line of a manifest."""

    form_id: str
    template: str
    version: str
    pages: int
    units: dict[str, str]


@dataclass(frozen=True)
class ManifestImport:
    """How many forms a manifest added, completed (first seen in a scan) or already had."""

    path: Path
    added: int
    updated: int
    unchanged: int


def read_manifest(path: Path) -> list[ManifestForm]:
    """Parse and check a manifest; an :class:`InputFileError` names the line at fault."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = list(reader.fieldnames or [])
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputFileError(f"{path}: cannot read the manifest: {exc}") from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputFileError(f"{path}: not a forms manifest: the column(s) {', '.join(missing)} are missing "
                             "(give the .manifest.csv written by `sipas template render`)")
    unit_columns = [c for c in header if c not in REQUIRED_COLUMNS]
    forms: list[ManifestForm] = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        raw_id = (row.get("form_id") or "").strip()
        fid = normalise_form_id(raw_id)
        if fid is None:
            raise InputFileError(f"{path}: line {line}: {raw_id!r} is not a valid form id")
        if fid in seen:
            raise InputFileError(f"{path}: line {line}: form {display_form_id(fid)} is listed twice")
        seen.add(fid)
        pages = (row.get("pages") or "").strip()
        if not pages.isdigit() or int(pages) < 1:
            raise InputFileError(f"{path}: line {line}: pages {pages!r} is not a positive number")
        template, version = (row.get("template") or "").strip(), (row.get("version") or "").strip()
        if not template or not version:
            raise InputFileError(f"{path}: line {line}: template and version must not be empty")
        units = {c: (row.get(c) or "").strip() for c in unit_columns}
        forms.append(ManifestForm(fid, template, version, int(pages), units))
    return forms


def import_manifest(store: Store, path: Path) -> ManifestImport:
    """Add the manifest's forms to the store (in one transaction; nothing is imported on error)."""
    forms = read_manifest(path)
    added = updated = unchanged = 0
    with store.session() as s:
        known: dict[str, FormRow] = {}
        ids = [f.form_id for f in forms]
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            known.update((f.form_id, f) for f in s.scalars(select(FormRow).where(FormRow.form_id.in_(chunk))))
        for form in forms:
            row = known.get(form.form_id)
            if row is None:
                s.add(FormRow(form_id=form.form_id, template=form.template, version=form.version,
                              pages_expected=form.pages, units=form.units, in_manifest=True))
                added += 1
                continue
            if (row.template, row.version, row.pages_expected) != (form.template, form.version, form.pages):
                raise InputFileError(
                    f"{path}: form {display_form_id(form.form_id)} is listed as {form.template} v{form.version} "
                    f"({form.pages} pages) but the workspace already has it as {row.template} v{row.version} "
                    f"({row.pages_expected} pages); is this the manifest of another print run?")
            if row.in_manifest and dict(row.units) == form.units:
                unchanged += 1
                continue
            row.units, row.in_manifest = dict(form.units), True
            updated += 1
    return ManifestImport(path, added, updated, unchanged)


def known_forms(store: Store) -> KnownForms:
    """Every form id the workspace knows (imported from manifests or first seen in a scan), and whether
    any came from a manifest. The reader matches a misread printed id against these (two queries)."""
    with store.session() as s:
        ids = frozenset(s.scalars(select(FormRow.form_id)))
        manifest = s.scalar(select(FormRow.form_id).where(FormRow.in_manifest).limit(1)) is not None
    return KnownForms(ids, manifest)
