"""The status as text: an aligned terminal table with Vietnamese and English headers, and as JSON."""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Any

from fieldwork.status import By, Counts, FieldworkStatus


@dataclass(frozen=True)
class Column:
    """A column of the status table: the :class:`Counts` field and its two header lines."""

    field: str
    vi: str
    en: str

    @property
    def rate(self) -> bool:
        return self.field.endswith("_rate")


COLUMNS: tuple[Column, ...] = (
    Column("drawn_official", "chính thức", "official"),
    Column("reserve_used", "dự phòng", "reserve"),
    Column("forms_out", "đã in", "out"),
    Column("handed", "giao BĐ", "handed"),
    Column("delivered", "đã phát", "delivered"),
    Column("unreachable", "không gặp", "unreach."),
    Column("refused", "từ chối", "refused"),
    Column("moved", "chuyển đi", "moved"),
    Column("collected", "đã thu", "collected"),
    Column("overdue", "quá hạn", "overdue"),
    Column("scanned", "đã quét", "scanned"),
    Column("verified", "đã duyệt", "verified"),
    Column("valid", "hợp lệ", "valid"),
    Column("invalid", "k. hợp lệ", "invalid"),
    Column("response_rate", "tỷ lệ thu", "response"),
    Column("substitution_rate", "tỷ lệ thay", "subst."),
    Column("valid_rate", "tỷ lệ HL", "valid %"),
)
"""The columns the terminal table and the web page show (the JSON has every field of Counts)."""
ROW_HEADER: dict[By, tuple[str, str]] = {
    "unit": ("đơn vị", "unit"),
    "stratum": ("lĩnh vực / thôn", "field / village"),
    "postman": ("bưu tá / tuyến", "postman / route"),
}
NAME_WIDTH = 32


def cell(counts: Counts, column: Column) -> str:
    """A count, or a rate as a percentage with one decimal (``—`` when undefined)."""
    value = getattr(counts, column.field)
    if column.rate:
        return "—" if value is None else f"{value * 100:.1f}%"
    return str(value)


def _width(text: str) -> int:
    return len(unicodedata.normalize("NFC", text))


def _fit(text: str, width: int) -> str:
    text = unicodedata.normalize("NFC", text)
    return text if len(text) <= width else text[: width - 1] + "…"


def table(status: FieldworkStatus, by: By) -> str:
    """The rows of ``by`` and the total, aligned, under a Vietnamese and an English header line."""
    rows = status.rows(by)
    names = [_fit(r.name if by == "postman" or r.name == r.key else f"{r.key} {r.name}", NAME_WIDTH) for r in rows]
    first = max([_width(n) for n in names] + [len(ROW_HEADER[by][0]), len(ROW_HEADER[by][1]), 12])
    body = [[cell(r.counts, c) for c in COLUMNS] for r in rows]
    total = [cell(status.total, c) for c in COLUMNS]
    widths = [max(_width(c.vi), _width(c.en), *(len(b[i]) for b in [*body, total])) for i, c in enumerate(COLUMNS)]

    def line(label: str, cells: list[str]) -> str:
        pad = first - _width(label)
        return (label + " " * pad + "  " + " ".join(" " * (w - _width(v)) + v for v, w in zip(cells, widths,
                                                                                             strict=True))).rstrip()

    out = [line(ROW_HEADER[by][0], [c.vi for c in COLUMNS]), line(ROW_HEADER[by][1], [c.en for c in COLUMNS])]
    out.append("-" * _width(out[1]))
    out += [line(n, b) for n, b in zip(names, body, strict=True)]
    out.append("-" * _width(out[1]))
    out.append(line("tổng / total", total))
    return "\n".join(out)


def report(status: FieldworkStatus, by: By) -> str:
    """The terminal report: heading, table, the Ministry's line in both languages, and the notes."""
    c = status.collect_by
    head = (f"survey {status.survey}{' · unit ' + status.unit if status.unit else ''} · "
            f"{status.today.isoformat()}" + (f" · thu trước / collect by {c.isoformat()}" if c else ""))
    lines = [head, "", table(status, by), "", status.ministry.line("vi"), status.ministry.line("en")]
    lines += [f"note: {n}" for n in status.notes]
    return "\n".join(lines)


def to_json(status: FieldworkStatus) -> dict[str, Any]:
    """The status as JSON-ready data (dates as ISO strings)."""
    def plain(value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    data: dict[str, Any] = plain(dataclasses.asdict(status))
    data["ministry_line"] = {"vi": status.ministry.line("vi"), "en": status.ministry.line("en")}
    return data
