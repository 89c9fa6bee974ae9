"""Reading and writing the spreadsheets units and the post send: cells of a CSV (UTF-8 or Windows-1258,
``,`` ``;`` or tab) or of every sheet of an ``.xlsx``, and ``.xlsx`` bytes that do not change between runs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from omr.errors import InputFileError

Cell = str | int | float | dt.date | dt.datetime | None


def csv_cells(path: Path) -> list[list[Cell]]:
    """The rows of a CSV file; the delimiter is the commonest of ``,;\\t`` in its first lines."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = path.read_text(encoding="cp1258")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputFileError(f"{path}: not UTF-8 or Windows-1258 text: save it as CSV UTF-8") from exc
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read: {exc.strerror}") from exc
    head = "\n".join(text.splitlines()[:10])
    delimiter = max(",;\t", key=head.count)  # Excel writes ; where the decimal mark is a comma
    return [list(r) for r in csv.reader(text.splitlines(), delimiter=delimiter)]


def xlsx_tables(path: Path) -> list[tuple[str, list[list[Cell]]]]:
    """Every sheet of a workbook: (title, rows of cell values)."""
    import openpyxl  # imported here: start-up time

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise InputFileError(f"{path}: not a readable .xlsx workbook ({type(exc).__name__})") from exc
    try:
        return [(ws.title, [list(r) for r in ws.iter_rows(values_only=True)]) for ws in book.worksheets]
    finally:
        book.close()


def fixed_stamps(xlsx: bytes) -> bytes:
    """The workbook with fixed zip timestamps and no creation date: the same input gives the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>", b"", data)
            dst.writestr(zipfile.ZipInfo(info.filename, (2020, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()
