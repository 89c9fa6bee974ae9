"""Exports: the long ``answers`` file and the de-identified analyst dataset (CSV, XLSX, Parquet, SAV, DTA).

The analyst dataset is ready to use: one 0/1 variable per option of a multi-choice question beside
the joined codes, dates as dates (the digits as read in ``<code>_raw``), unit names beside unit codes
in the scheme of the survey's year, and in SPSS and Stata clean variable labels, value labels and (SPSS)
measure levels. Its codebook says which variables hold values still flagged for review.

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
from omr.store.templates import load_workspace_template
from omr.types import MULTIPLE
from scoring.codebook import CodebookContext, Variable, variables, write_codebook
from scoring.data import FORM_ID, Dataset
from scoring.provinces import Scheme
from scoring.unitnames import LEVELS, SCHEME_TEXT, UnitLevel, scheme_for_date, scheme_for_year, unit_name

ExportFormat = Literal["answers", "csv", "xlsx", "parquet", "sav", "dta"]
ANSWERS_HEADER = ("form_id", "field", "value", "status", "confidence")
MULTIPLE_CODE = -1
"""SPSS/Excel code of an unresolved double mark (declared user-missing in the .sav)."""

IDENTITY_TOKENS = frozenset({
    "name", "names", "fullname", "firstname", "lastname", "surname", "hoten", "ten",
    "address", "addr", "street", "diachi", "phone", "telephone", "tel", "mobile", "dienthoai",
    "sdt", "email", "mail", "cmnd", "cccd", "passport", "birthdate", "dob",
})
_IDENTITY_JOINED = ("ho_ten", "dia_chi", "dien_thoai", "so_dien_thoai", "full_name", "phone_number")
UNIT_NAME_COLUMNS = frozenset(f"{level}_name" for level in LEVELS)
"""Names of administrative units (not of people): added by the export from the unit codes."""
SPSS_LABEL_BYTES = 255
STATA_LABEL_CHARS = 80
STATA_MULTIPLE = "a"
"""Stata extended missing value ``.a`` stands for an unresolved double mark."""


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
    if low in UNIT_NAME_COLUMNS:
        return False
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
    scheme: SchemeChoice | None = None


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
            codes = load_workspace_template(store.workspace, name).answer_codes()
            order[name] = {c: i for i, c in enumerate(dict.fromkeys(codes))}
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


@dataclass(frozen=True)
class SchemeChoice:
    """The administrative-unit scheme the unit names are given in, and how it was chosen."""

    scheme: Scheme
    basis: str

    @property
    def note(self) -> str:
        return f"{self.scheme} scheme ({SCHEME_TEXT[self.scheme]}), {self.basis}."


def _dates(raw: pd.Series) -> pd.Series:
    """``01062025`` → 2025-06-01 (``datetime64``); anything that is not a valid ddmmyyyy date → missing."""
    text = raw.fillna("").astype(str).str.strip()
    ok = text.str.fullmatch(r"\d{8}")
    return pd.to_datetime(text.where(ok), format="%d%m%Y", errors="coerce").astype("datetime64[ns]")


def choose_scheme(dataset: Dataset, year: int | None = None) -> SchemeChoice:
    """The unit scheme of the survey's year: ``year`` when given, else the forms' median date, else the
    year in the template name, else ``legacy``."""
    if year is not None:
        return SchemeChoice(scheme_for_year(year), f"for survey year {year} (--year)")
    found = [v for v in variables(dataset.template, unit_names=False) if v.kind == "date"]
    days = pd.concat([_dates(dataset.frame[v.name]) for v in found if v.name in dataset.frame.columns]
                     or [pd.Series([], dtype="datetime64[ns]")]).dropna()
    if len(days):
        median = days.sort_values().iloc[(len(days) - 1) // 2].date()
        return SchemeChoice(scheme_for_date(median),
                            f"from the median date written on the forms ({median.isoformat()}, {len(days)} dates)")
    m = re.search(r"(19|20)\d{2}", dataset.template.name)
    if m:
        return SchemeChoice(scheme_for_year(int(m.group())),
                            f"from the year in the template name {dataset.template.name} (give --year to change)")
    return SchemeChoice("legacy", "as no survey year is known (give --year to change)")


def _unit_names(codes: pd.Series, scheme: Scheme, level: UnitLevel) -> pd.Series:
    names = [(u.name if (u := unit_name(scheme, level, str(c))) else None) if pd.notna(c) else None for c in codes]
    return pd.Series(pd.array(names, dtype="str"), index=codes.index)


def _options(joined: pd.Series, value: str) -> pd.Series:
    """1 when ``value`` is among the ``;``-joined codes, 0 when not, missing when the answer is blank."""
    text = joined.fillna("").astype(str)
    ticked = [None if t in ("", MULTIPLE) else int(value in t.split(";")) for t in text]
    return pd.Series(pd.array(ticked, dtype="Int8"), index=joined.index)


def _derived(base: pd.DataFrame, v: Variable, scheme: Scheme) -> pd.Series | None:
    """The column of a derived variable computed from ``base``, or ``None`` when its source is absent."""
    source = v.field or ""
    if source not in base.columns:
        return None
    if v.kind == "unit-name":
        return _unit_names(base[source], scheme, source)  # type: ignore[arg-type]  # source is one of LEVELS
    if v.kind == "option":
        return _options(base[source], v.option or "")
    if v.kind == "date":
        return _dates(base[source])
    if v.kind == "digits":
        return pd.to_numeric(base[source].where(base[source].fillna("").str.fullmatch(r"\d+")), errors="coerce")
    return base[source].copy()  # raw


def analyst_frame(dataset: Dataset, *, with_status: bool = False,
                  scheme: Scheme | None = None) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The analyst table and the identity-like columns left out of it.

    Codes stay strings (``1``, ``1;4``, ``*``); derived columns are typed: option variables ``Int8``
    (0/1, missing), dates ``datetime64``, digits numbers, unit names strings (missing when unknown).
    """
    base = dataset.frame.copy()
    if with_status:
        status = {lo.form_id: lo.reason for lo in dataset.left_out}
        base.insert(1 + len(dataset.unit_columns), "status",
                    pd.array([status.get(f, "verified") for f in base[FORM_ID]], dtype="str"))
    dropped = tuple(c for c in base.columns if c != FORM_ID and is_identity_column(c))
    base = base.drop(columns=list(dropped))
    chosen = scheme or choose_scheme(dataset).scheme
    columns: dict[str, pd.Series] = {}
    for v in variables(dataset.template, status_column=with_status):
        if v.kind in ("unit-name", "option", "date", "digits", "raw"):
            col = _derived(base, v, chosen)
            if col is not None:
                columns[v.name] = col
        elif v.name in base.columns:
            columns[v.name] = base[v.name]
    for c in base.columns:  # columns the template does not describe are kept as they are
        columns.setdefault(c, base[c])
    return pd.DataFrame(columns, index=base.index), dropped


def _numeric(df: pd.DataFrame, specs: dict[str, Variable]) -> pd.DataFrame:
    """Choice columns with whole-number codes as numbers (blank → missing, ``*`` → -1); 0/1 as floats."""
    out = df.copy()
    for col in df.columns:
        v = specs.get(col)
        if v is None or not v.numeric_codes:
            continue
        if v.kind == "option":
            out[col] = df[col].astype("Float64").astype("float64")
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


def _stat_table(df: pd.DataFrame, specs: dict[str, Variable]) -> pd.DataFrame:
    """The table SPSS and Stata get: numbers for codes, ``datetime.date`` for dates, ``""`` for blank text."""
    table = _numeric(df, specs)
    for col in table.columns:
        v = specs.get(col)
        if v is not None and v.kind == "date":
            table[col] = pd.Series([d.date() if pd.notna(d) else None for d in df[col]], index=df.index, dtype=object)
        elif not pd.api.types.is_numeric_dtype(table[col]):
            table[col] = table[col].astype(object).where(table[col].notna(), "")
    return table


def _write_sav(df: pd.DataFrame, specs: dict[str, Variable], out: Path, lang: str) -> None:
    import pyreadstat

    table = _stat_table(df, specs)
    labels = [specs[c].short_label(lang, 250, SPSS_LABEL_BYTES) if c in specs else c for c in table.columns]
    value_labels = {c: _value_labels(specs[c], lang) for c in table.columns if c in specs and specs[c].numeric_codes}
    missing: dict[str, list[Any]] = {c: [float(MULTIPLE_CODE)] for c in value_labels if specs[c].kind != "option"}
    measure: dict[str, str] = {
        c: specs[c].measure if c in specs else ("scale" if pd.api.types.is_numeric_dtype(table[c]) else "nominal")
        for c in table.columns}
    pyreadstat.write_sav(table, str(out), column_labels=labels, variable_value_labels=value_labels,
                         missing_ranges=missing, variable_measure=measure)


def _write_dta(df: pd.DataFrame, specs: dict[str, Variable], out: Path, lang: str) -> None:
    import pyreadstat

    table = _stat_table(df, specs)
    missing: dict[str, list[str]] = {}
    value_labels: dict[str, dict[int | float, str]] = {}
    for c in table.columns:
        v = specs.get(c)
        if v is None or not v.numeric_codes:
            continue
        value_labels[c] = {int(k): lab for k, lab in _value_labels(v, lang).items() if k != float(MULTIPLE_CODE)}
        if (table[c] == float(MULTIPLE_CODE)).any():
            table[c] = table[c].astype(object).where(table[c] != float(MULTIPLE_CODE), STATA_MULTIPLE)
            missing[c] = [STATA_MULTIPLE]
    labels = [specs[c].short_label(lang, STATA_LABEL_CHARS) if c in specs else c for c in table.columns]
    pyreadstat.write_dta(table, str(out), column_labels=labels, variable_value_labels=value_labels,
                         missing_user_values=missing)


def _labels_sheet(specs: dict[str, Variable], columns: list[str], lang: str,
                  flagged: dict[str, int]) -> pd.DataFrame:
    header = ["variable", "question", "label", "value", "value_label", "provisional", "measure", "flagged_values"]
    rows = []
    for c in columns:
        v = specs.get(c)
        if v is None:
            continue
        rows.append({"variable": c, "question": v.question or "", "label": v.label(lang), "value": "",
                     "value_label": "", "provisional": "yes" if v.provisional else "", "measure": v.measure,
                     "flagged_values": str(flagged.get(c, "")) if flagged.get(c) else ""})
        for code, label in v.value_labels(lang).items():
            rows.append({"variable": c, "question": "", "label": "",
                         "value": str(MULTIPLE_CODE) if code == MULTIPLE and v.numeric_codes else code,
                         "value_label": label, "provisional": "", "measure": "", "flagged_values": ""})
    return pd.DataFrame(rows, columns=header)


def _flagged_counts(dataset: Dataset, df: pd.DataFrame, specs: dict[str, Variable]) -> dict[str, int]:
    """Exported values per variable that are still flagged for review (derived variables count their source)."""
    if not dataset.flagged_fields or FORM_ID not in df.columns:
        return {}
    ids = set(df[FORM_ID])
    per_field: dict[str, int] = {}
    for fid, fld in dataset.flagged_fields:
        if fid in ids:
            per_field[fld] = per_field.get(fld, 0) + 1
    return {c: per_field[v.field] for c, v in specs.items()
            if c in df.columns and v.field in per_field and v.kind not in ("unit", "unit-name")}


def _parquet_table(df: pd.DataFrame, specs: dict[str, Variable]) -> pd.DataFrame:
    """Dates as ``datetime.date`` so that Parquet stores them as ``date32`` (a date, not a timestamp)."""
    out = df.copy()
    for col in out.columns:
        if col in specs and specs[col].kind == "date":
            out[col] = pd.Series([d.date() if pd.notna(d) else None for d in df[col]], index=df.index, dtype=object)
    return out


def export_dataset(dataset: Dataset, out: Path, fmt: ExportFormat, *, lang: str = "vi",
                   include_unverified: bool = False, year: int | None = None) -> ExportResult:
    """Write the analyst dataset in ``fmt`` and its codebook next to it.

    ``year`` is the survey year that decides the unit names' scheme (default: see :func:`choose_scheme`).
    """
    if lang not in ("vi", "en"):
        raise BadArgumentsError(f"--lang {lang!r}: use vi or en")
    choice = choose_scheme(dataset, year)
    df, dropped = analyst_frame(dataset, with_status=include_unverified, scheme=choice.scheme)
    specs = {v.name: v for v in variables(dataset.template, status_column=include_unverified)}
    flagged = _flagged_counts(dataset, df, specs)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        if fmt == "csv":
            _inert(df).to_csv(out, index=False, encoding="utf-8", lineterminator="\n", date_format="%Y-%m-%d")
        elif fmt == "parquet":
            _parquet_table(df, specs).to_parquet(out, index=False)
        elif fmt == "xlsx":
            with pd.ExcelWriter(out, engine="openpyxl", date_format="YYYY-MM-DD",
                                datetime_format="YYYY-MM-DD") as xw:
                _inert(_numeric(df, specs)).to_excel(xw, sheet_name="data", index=False)
                _inert(_labels_sheet(specs, list(df.columns), lang, flagged)).to_excel(xw, sheet_name="labels",
                                                                                       index=False)
        elif fmt == "sav":
            _write_sav(df, specs, out, lang)
        elif fmt == "dta":
            _write_dta(df, specs, out, lang)
        else:
            raise BadArgumentsError(f"--format {fmt!r}: use answers, csv, xlsx, parquet, sav or dta")
    except OSError as exc:
        raise StorageError(f"{out}: cannot write the {fmt} export: {exc}") from exc
    except ValueError as exc:  # pyreadstat and pandas refuse a value they cannot store
        raise StorageError(f"{out}: cannot write the {fmt} export: {exc}") from exc
    context = CodebookContext(include_unverified, dropped, tuple(sorted(flagged.items())), choice.note)
    books = write_codebook(dataset.template, list(df.columns), out, context)
    return ExportResult(out, len(df), len(df.columns), dropped, books, choice)
