"""Read the post office's outcome sheet (xlsx or csv, one row per form id) into typed rows.

Headers may be Vietnamese or English, with or without accents, in any case and order, below a
title block (the first of the first 10 rows that names the form id column). Cells are kept as
written: :mod:`fieldwork.returns` decides what they mean and rejects a row with its reason.

==========================  ==============================  =========================
column                      Vietnamese                      English
==========================  ==============================  =========================
``form_id`` (required)      mã phiếu                        form id
``postman``                 bưu tá                          postman
``handed``                  ngày giao bưu điện              handed
``delivered``               ngày phát                       delivered
``outcome``                 kết quả                         outcome
``collected``               ngày thu                        collected
``note``                    ghi chú                         note
==========================  ==============================  =========================
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fieldwork.sheets import Cell, csv_cells, xlsx_tables
from fieldwork.text import clean, fold
from omr.errors import InputFileError

HEADERS: dict[str, tuple[str, ...]] = {
    "form_id": ("mã phiếu", "mã số phiếu", "số phiếu", "form id", "form_id", "form"),
    "postman": ("bưu tá", "nhân viên bưu điện", "người phát", "postman", "postwoman", "carrier"),
    "handed": ("ngày giao bưu điện", "ngày giao", "ngày nhận phiếu", "handed", "handed on", "handed to post",
               "handed to the post"),
    "delivered": ("ngày phát", "ngày phát phiếu", "delivered", "delivered on", "delivery date"),
    "outcome": ("kết quả", "kết quả phát", "outcome", "result"),
    "collected": ("ngày thu", "ngày thu hồi", "ngày thu phiếu", "collected", "collected on", "collection date"),
    "note": ("ghi chú", "note", "notes", "remark"),
}
"""Accepted header spellings per column (matched folded: no case, accents or punctuation)."""
_FOLDED = {col: {fold(h) for h in names} for col, names in HEADERS.items()}


@dataclass(frozen=True)
class ReturnsRow:
    """One data row of the sheet as written, with where it came from."""

    sheet: str
    line: int
    form_id: str
    postman: str
    handed: Cell
    delivered: Cell
    outcome: str
    collected: Cell
    note: str

    @property
    def where(self) -> str:
        return f"{self.sheet + ' ' if self.sheet else ''}row {self.line}"


def _mapping(header: list[Cell]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, h in enumerate(header):
        key = fold(h)
        for col, names in _FOLDED.items():
            if key in names and col not in found:
                found[col] = i
    return found


def _rows(sheet: str, table: list[list[Cell]]) -> list[ReturnsRow] | None:
    """The sheet's rows, or None when it has no header naming the form id (a notes sheet)."""
    found = [(h, _mapping(header)) for h, header in enumerate(table[:10])]
    h, mapping = next(((h, m) for h, m in found if "form_id" in m), (-1, {}))
    if h < 0:
        return None

    def cell(cells: list[Cell], col: str) -> Cell:
        i = mapping.get(col)
        return cells[i] if i is not None and i < len(cells) else None

    out: list[ReturnsRow] = []
    for offset, cells in enumerate(table[h + 1:]):
        if not any(clean(c) for c in cells):
            continue  # an empty line
        out.append(ReturnsRow(sheet, h + 2 + offset, clean(cell(cells, "form_id")), clean(cell(cells, "postman")),
                              cell(cells, "handed"), cell(cells, "delivered"), clean(cell(cells, "outcome")),
                              cell(cells, "collected"), clean(cell(cells, "note"))))
    return out


def read_returns(path: Path) -> list[ReturnsRow]:
    """Every data row of the post's sheet (``.xlsx``: every sheet with a form id column; ``.csv``)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        tables = xlsx_tables(path)
    elif suffix in (".csv", ".txt"):
        tables = [("", csv_cells(path))]
    else:
        raise InputFileError(f"{path}: give the post's outcome sheet as .xlsx or .csv")
    rows: list[ReturnsRow] = []
    seen = False
    for sheet, table in tables:
        rows_of = _rows(sheet, table)
        if rows_of is not None:
            seen = True
            rows.extend(rows_of)
    if not seen:
        raise InputFileError(f"{path}: no header row with a form id column (mã phiếu / form id) in the first "
                             f"10 rows; the columns are {', '.join(n[0] for n in HEADERS.values())}")
    return rows
