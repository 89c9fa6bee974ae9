"""Exports: the long ``answers`` file and the de-identified analyst dataset (CSV, XLSX, Parquet, SAV).

Analyst exports never carry respondent identity. The store holds none (names, addresses and phones
live only in the identities file written next to the printed forms), and as a second guard every
column whose name looks like identity (:data:`IDENTITY_TOKENS`) is dropped before writing.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs in the venv
from sqlalchemy import select

from omr.cells import neutralise
from omr.errors import BadArgumentsError, SipasError, StorageError
from omr.store.db import Store
from omr.store.schema import AnswerRow, FormRow
from omr.template.load import load_template
from omr.types import MULTIPLE
from scoring.codebook import Variable, variables, write_codebook
from scoring.data import FORM_ID, Dataset

ExportFormat = Literal["answers", "csv", "xlsx", "parquet", "sav"]
ANSWERS_HEADER = ("form_id", "field", "value", "status", "confidence")
MULTIPLE_CODE = -1
"""SPSS/Excel code of an unresolved double mark (declared user-missing in the .sav)."""

IDENTITY_TOKENS = frozenset({
    "name", "names", "fullname", "firstname", "lastname", "surname", "hoten", "ten",
    "address", "addr", "street", "diachi", "phone", "telephone", "tel", "mobile", "dienthoai",
    "sdt", "email", "mail", "cmnd", "cccd", "passport", "birthdate", "dob",
})
_IDENTITY_JOINED = ("ho_ten", "dia_chi", "dien_thoai", "so_dien_thoai", "full_name", "phone_number")




def _inert(df: pd.DataFrame) -> pd.DataFrame:
    """Every text cell of ``df`` passed through :func:`neutralise`."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    return out


def is_identity_column(name: str) -> bool:
    """True when a column name looks like a respondent's name, address, phone or id number."""
    low = name.lower()
    if any(j in low for j in _IDENTITY_JOINED):
        return True
    tokens = [t for t in re.split(r"[^a-z0-9]+", low) if t]
    return any(t in IDENTITY_TOKENS for t in tokens) or low.replace("_", "") in IDENTITY_TOKENS


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    columns: int
    dropped: tuple[str, ...]
    codebook: tuple[Path, ...] = ()


def export_answers(store: Store, out: Path) -> ExportResult:
    """Every answer of every form (flagged ones too): ``form_id,field,value,status,confidence``.

    Sorted by form id, then by the template's print order of the answer codes.
    """
    with store.session() as s:
        rows = list(s.execute(
            select(AnswerRow.form_id, AnswerRow.field, AnswerRow.value, AnswerRow.status,
                   AnswerRow.confidence, FormRow.template).join(FormRow, FormRow.form_id == AnswerRow.form_id)
        ).all())
    order: dict[str, dict[str, int]] = {}
    for name in {r[5] for r in rows}:
        try:
            order[name] = {c: i for i, c in enumerate(dict.fromkeys(load_template(name).answer_codes()))}
        except SipasError:  # an unknown template still exports, in code order
            order[name] = {}
    rows.sort(key=lambda r: (r[0], order[r[5]].get(r[1], 1 << 30), r[1]))
    try:
        with out.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(ANSWERS_HEADER)
            for fid, fld, value, status, conf, _ in rows:
                w.writerow([neutralise(fid), neutralise(fld), neutralise(value or ""), status, f"{float(conf):.4f}"])
    except OSError as exc:
        raise StorageError(f"{out}: cannot write the answers export: {exc}") from exc
    return ExportResult(out, len(rows), len(ANSWERS_HEADER), ())


def analyst_frame(dataset: Dataset, *, with_status: bool = False) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The analyst table (value codes as strings) and the identity-like columns left out of it."""
    df = dataset.frame.copy()
    if with_status:
        status = {lo.form_id: lo.reason for lo in dataset.left_out}
        pos = 1 + len(dataset.unit_columns)
        df.insert(pos, "status", pd.array([status.get(f, "verified") for f in df[FORM_ID]], dtype="str"))
    dropped = tuple(c for c in df.columns if c != FORM_ID and is_identity_column(c))
    return df.drop(columns=list(dropped)), dropped


def _numeric(df: pd.DataFrame, specs: dict[str, Variable]) -> pd.DataFrame:
    """Single-choice columns with whole-number codes as numbers (blank → missing, ``*`` → -1)."""
    out = df.copy()
    for col in df.columns:
        v = specs.get(col)
        if v is None or not v.numeric_codes:
            continue
        s = df[col].fillna("")
        nums = pd.to_numeric(s.where(~s.isin(["", MULTIPLE])), errors="coerce").astype("float64")
        out[col] = nums.where(s != MULTIPLE, float(MULTIPLE_CODE))
    return out


def _value_labels(v: Variable, lang: str) -> dict[float, str]:
    labels = {}
    for code, label in v.value_labels(lang).items():
        labels[float(MULTIPLE_CODE) if code == MULTIPLE else float(code)] = label
    return labels


def _write_sav(df: pd.DataFrame, specs: dict[str, Variable], out: Path, lang: str) -> None:
    import pyreadstat

    table = _numeric(df, specs)
    for col in table.columns:
        if not (specs.get(col) and specs[col].numeric_codes):
            table[col] = table[col].astype(object).where(table[col].notna(), "")
    labels = [specs[c].label(lang) if c in specs else c for c in table.columns]
    value_labels = {c: _value_labels(specs[c], lang) for c in table.columns if c in specs and specs[c].numeric_codes}
    missing: dict[str, list[Any]] = {c: [float(MULTIPLE_CODE)] for c in value_labels}
    pyreadstat.write_sav(table, str(out), column_labels=labels, variable_value_labels=value_labels,
                         missing_ranges=missing, variable_measure={c: "nominal" for c in value_labels})


def _labels_sheet(specs: dict[str, Variable], columns: list[str], lang: str) -> pd.DataFrame:
    rows = []
    for c in columns:
        v = specs.get(c)
        if v is None:
            continue
        rows.append({"variable": c, "question": v.question or "", "label": v.label(lang), "value": "",
                     "value_label": "", "provisional": "yes" if v.provisional else ""})
        for code, label in v.value_labels(lang).items():
            rows.append({"variable": c, "question": "", "label": "",
                         "value": str(MULTIPLE_CODE) if code == MULTIPLE and v.numeric_codes else code,
                         "value_label": label, "provisional": ""})
    return pd.DataFrame(rows, columns=["variable", "question", "label", "value", "value_label", "provisional"])


def export_dataset(dataset: Dataset, out: Path, fmt: ExportFormat, *, lang: str = "vi",
                   include_unverified: bool = False) -> ExportResult:
    """Write the analyst dataset in ``fmt`` and its codebook next to it."""
    if lang not in ("vi", "en"):
        raise BadArgumentsError(f"--lang {lang!r}: use vi or en")
    df, dropped = analyst_frame(dataset, with_status=include_unverified)
    specs = {v.name: v for v in variables(dataset.template, status_column=include_unverified)}
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        if fmt == "csv":
            _inert(df).to_csv(out, index=False, encoding="utf-8", lineterminator="\n")
        elif fmt == "parquet":
            df.to_parquet(out, index=False)
        elif fmt == "xlsx":
            with pd.ExcelWriter(out, engine="openpyxl") as xw:
                _inert(_numeric(df, specs)).to_excel(xw, sheet_name="data", index=False)
                _inert(_labels_sheet(specs, list(df.columns), lang)).to_excel(xw, sheet_name="labels", index=False)
        elif fmt == "sav":
            _write_sav(df, specs, out, lang)
        else:
            raise BadArgumentsError(f"--format {fmt!r}: use answers, csv, xlsx, parquet or sav")
    except OSError as exc:
        raise StorageError(f"{out}: cannot write the {fmt} export: {exc}") from exc
    books = write_codebook(dataset.template, list(df.columns), out, status_column=include_unverified,
                           dropped=dropped)
    return ExportResult(out, len(df), len(df.columns), dropped, books)
