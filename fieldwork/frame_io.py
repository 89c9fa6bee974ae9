"""The frame on disk: ``frame.csv`` in canonical form (its hash is what a draw records), the rejects
workbook that goes back to the units, and a summary without identities."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from dataclasses import astuple, fields
from pathlib import Path

from fieldwork.frame_check import REASONS, Frame, FrameRecord, Rejection
from fieldwork.private import write_private
from omr.cells import neutralise
from omr.errors import InputFileError

COLUMNS = tuple(f.name for f in fields(FrameRecord))


PROVENANCE = ("source", "row")
"""Where a record was read: kept in frame.csv, left out of the frame's content hash and of the lists."""


def canonical_csv(records: tuple[FrameRecord, ...], *, provenance: bool = True) -> bytes:
    """Records sorted by stratum and person, fixed columns, UTF-8, ``\\n`` line ends: one byte string per frame."""
    cols = COLUMNS if provenance else COLUMNS[: -len(PROVENANCE)]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for rec in sorted(records, key=lambda r: (r.stratum, r.person)):
        w.writerow(astuple(rec)[: len(cols)])
    return buf.getvalue().encode("utf-8")


def frame_hash(records: tuple[FrameRecord, ...]) -> str:
    """``sha256:`` of the canonical CSV without provenance: the same people give the same hash, whatever
    files, sheets and row order they came in."""
    return "sha256:" + hashlib.sha256(canonical_csv(records, provenance=False)).hexdigest()


def write_frame(records: tuple[FrameRecord, ...], path: Path) -> None:
    write_private(path, canonical_csv(records))


def read_frame(path: Path) -> tuple[FrameRecord, ...]:
    """Read a ``frame.csv`` written by :func:`write_frame`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{path}: cannot read the frame: {exc}") from exc
    rows = list(csv.reader(text.splitlines()))
    if not rows or tuple(rows[0]) != COLUMNS:
        raise InputFileError(f"{path}: not a frame written by `sipas fieldwork frame` (columns {','.join(COLUMNS)})")
    out = []
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != len(COLUMNS) or not row[-1].isdigit():
            raise InputFileError(f"{path}: line {n}: {len(row)} columns, expected {len(COLUMNS)}")
        person, stratum, unit, group, name, address, phone, date, province, district, commune, source, _ = row
        out.append(FrameRecord(person, stratum, unit, group, name, address, phone, date, province, district, commune,
                               source, int(row[-1])))
    return tuple(out)


def reason_counts(rejections: tuple[Rejection, ...]) -> dict[str, int]:
    counts = Counter(r.reason for r in rejections)
    return {reason: counts[reason] for reason in REASONS if counts[reason]}


def write_summary(frame: Frame, rows_read: int, path: Path) -> dict[str, object]:
    """Counts only (no identities): rows read, accepted, rejected by reason, people per stratum."""
    summary: dict[str, object] = {
        "format": "sipas-frame-summary/1",
        "rows": rows_read,
        "accepted": len(frame.records),
        "rejected": len(frame.rejections),
        "rejected_by_reason": reason_counts(frame.rejections),
        "strata": dict(sorted(Counter(r.stratum for r in frame.records).items())),
        "frame_hash": frame_hash(frame.records),
    }
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return summary


def write_rejects(rejections: tuple[Rejection, ...], path: Path) -> None:
    """One sheet per unit (and one for rows with no known unit): what was written, the reason, what to do."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    book.remove(book.active)
    by_unit: dict[str, list[Rejection]] = {}
    for r in rejections:
        by_unit.setdefault(r.unit or "khong-ro-don-vi", []).append(r)
    for unit, rows in sorted(by_unit.items()) or [("none", [])]:
        ws = book.create_sheet(unit[:31])
        headers = sorted({h for r in rows for h, _ in r.original}, key=lambda h: _first_index(rows, h))
        ws.append(["Tệp / file", "Dòng / row", "Lý do / reason", "Mã / code", "Chi tiết / detail", *headers])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in rows:
            values = dict(r.original)
            where = r.source + (f" [{r.sheet}]" if r.sheet else "")
            cells = (where, r.row, REASONS[r.reason], r.reason, r.detail, *(values.get(h, "") for h in headers))
            ws.append([neutralise(x) for x in cells])
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    book.save(buf)
    write_private(path, buf.getvalue())


def _first_index(rows: list[Rejection], header: str) -> int:
    for r in rows:
        for i, (h, _) in enumerate(r.original):
            if h == header:
                return i
    return 0


def check_frame_file(path: Path) -> None:
    if not path.is_file():
        raise InputFileError(f"{path}: no frame here; run `sipas fieldwork frame` first")
