"""Read one-stop-shop exports and household lists (xlsx or csv) into raw rows.

Headers are matched to the survey's column mapping ignoring case, accents, spacing and
punctuation; the header row may sit below a title block (the first row, within the first 10, that
holds the name column). Every data row is kept, blank ones too (they are rejected later), with its
file, sheet and row number.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fieldwork.sheets import Cell, csv_cells, xlsx_tables
from fieldwork.survey import Columns
from fieldwork.text import clean, fold
from omr.errors import InputFileError

CANONICAL = ("name", "address", "phone", "date", "field", "unit", "village")
REQUIRED = ("name", "address", "phone")


@dataclass(frozen=True)
class RawRow:
    """One data row as written, with where it came from."""

    source: str
    sheet: str
    row: int
    values: tuple[tuple[str, Cell], ...]
    """(canonical column, cell) for the mapped columns."""
    original: tuple[tuple[str, str], ...]
    """(header, text) of every column, for the rejects report."""

    def get(self, column: str) -> Cell:
        return next((v for c, v in self.values if c == column), None)


def _header_map(headers: list[str], columns: Columns) -> dict[str, int]:
    wanted = {c: {fold(h) for h in getattr(columns, c)} for c in CANONICAL}
    found: dict[str, int] = {}
    for i, h in enumerate(headers):
        key = fold(h)
        for c, names in wanted.items():
            if key in names and c not in found:
                found[c] = i
    return found


def _find_header(rows: list[list[Cell]], columns: Columns) -> tuple[int, dict[str, int]]:
    for i, row in enumerate(rows[:10]):
        mapping = _header_map([clean(v) for v in row], columns)
        if "name" in mapping:
            return i, mapping
    return -1, {}


def _rows_of(headers: list[str], body: list[list[Cell]], mapping: dict[str, int], source: str, sheet: str,
             first: int) -> Iterator[RawRow]:
    for offset, cells in enumerate(body):
        if not any(clean(c) for c in cells):
            continue  # an empty line is not a respondent
        values = tuple((c, cells[i] if i < len(cells) else None) for c, i in mapping.items())
        original = tuple((h, clean(cells[i]) if i < len(cells) else "") for i, h in enumerate(headers) if h)
        yield RawRow(source, sheet, first + offset, values, original)


def _check(path: Path, sheet: str, mapping: dict[str, int], header_row: int, columns: Columns) -> None:
    missing = [c for c in REQUIRED if c not in mapping]
    if header_row < 0 or missing:
        want = "; ".join(f"{c}: {' | '.join(getattr(columns, c))}" for c in missing or REQUIRED)
        raise InputFileError(
            f"{path}{f' (sheet {sheet})' if sheet else ''}: no header row with the columns {want}; "
            "rename the headers or map them under `columns:` in the survey file"
        )


def read_table(path: Path, columns: Columns) -> list[RawRow]:
    """Every data row of ``path`` (``.xlsx`` every sheet with a header row, or ``.csv``)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path, columns)
    if suffix in (".csv", ".txt"):
        return _read_csv(path, columns)
    raise InputFileError(f"{path}: not a list this command reads: give .xlsx or .csv files")


def _read_csv(path: Path, columns: Columns) -> list[RawRow]:
    rows = csv_cells(path)
    header_row, mapping = _find_header(rows, columns)
    _check(path, "", mapping, header_row, columns)
    headers = [clean(h) for h in rows[header_row]]
    return list(_rows_of(headers, rows[header_row + 1:], mapping, path.name, "", header_row + 2))


def _read_xlsx(path: Path, columns: Columns) -> list[RawRow]:
    out: list[RawRow] = []
    seen_header = False
    for title, rows in xlsx_tables(path):
        header_row, mapping = _find_header(rows, columns)
        if header_row < 0:
            continue  # a notes or summary sheet
        seen_header = True
        _check(path, title, mapping, header_row, columns)
        headers = [clean(h) for h in rows[header_row]]
        out.extend(_rows_of(headers, rows[header_row + 1:], mapping, path.name, title, header_row + 2))
    if not seen_header:
        _check(path, "", {}, -1, columns)
    return out
