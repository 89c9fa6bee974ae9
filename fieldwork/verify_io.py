"""Call sheets for monitors (xlsx and PDF, one per unit) and reading them back once filled.

Identities come from the dispatch (``<fieldwork>/dispatch/identities/forms.identities.csv``) and from
substitutes' forms (``<fieldwork>/substitutions/*/identities/*.identities.csv``), joined by form id.
Sheets hold names and phones: they are written 0600 into a 0700 folder.

Layout of a sheet (the import relies on it): row 1 the title, row 2 ``survey · unit`` (machine-read),
row 3 the headers (Vietnamese, English below), row 4 ``Có / Yes`` and ``Không / No`` under each
question, the calls from row 5. A question is answered by ticking (any mark) one of its two cells.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fieldwork.verify import QUESTIONS, Outcome
from omr.cells import neutralise
from omr.errors import InputFileError
from omr.formid import display_form_id, normalise_form_id

QUESTION_TEXT: tuple[tuple[str, str], ...] = (
    ("Ông/Bà có nhận được phiếu không?", "Did you receive the form?"),
    ("Ông/Bà có tự điền phiếu không?", "Did you fill it in yourself?"),
    ("Có ai bảo Ông/Bà trả lời thế nào không?", "Did anyone tell you what to answer?"),
    ("Phiếu có được thu đúng ngày hẹn không?", "Was it collected on the day?"),
)
FIXED = (("STT", "No."), ("Mã phiếu", "Form id"), ("Họ và tên", "Name"), ("Điện thoại", "Phone"),
         ("Địa chỉ", "Address"))
TAIL = (("Không liên lạc được", "Not reached"), ("Ghi chú", "Note"))
FIRST_ROW = 5
FORM_COL = 2  # 1-based column of the form id
Q_COL = len(FIXED) + 1  # first yes column; question i: yes at Q_COL + 2i, no at Q_COL + 2i + 1
NOT_REACHED_COL = Q_COL + 2 * len(QUESTIONS)
NOTE_COL = NOT_REACHED_COL + 1


@dataclass(frozen=True)
class Identity:
    form_id: str
    name: str
    address: str
    phone: str


@dataclass(frozen=True)
class Call:
    """One line of a call sheet."""

    form_id: str
    identity: Identity | None


@dataclass(frozen=True)
class SheetRow:
    """One filled line read back: the outcome, or why it cannot be one."""

    file: str
    row: int
    form_id: str
    outcome: Outcome | None
    problem: str | None


def identity_files(folder: Path) -> list[Path]:
    """The identity files of ``folder`` (the fieldwork folder): dispatch first, then substitutions."""
    main = folder / "dispatch" / "identities" / "forms.identities.csv"
    subs = sorted(folder.glob("substitutions/*/identities/*.identities.csv"))
    return [p for p in (main, *subs) if p.is_file()]


def read_identities(files: Iterable[Path], wanted: set[str]) -> dict[str, Identity]:
    """Identities of the ``wanted`` form ids (others are not kept in memory)."""
    out: dict[str, Identity] = {}
    for path in files:
        try:
            with path.open(encoding="utf-8", newline="") as fh:
                for r in csv.DictReader(fh):
                    fid = (r.get("form_id") or "").strip()
                    if fid in wanted:
                        out[fid] = Identity(fid, r.get("name") or "", r.get("address") or "", r.get("phone") or "")
        except (OSError, csv.Error, UnicodeDecodeError) as exc:
            raise InputFileError(f"{path}: cannot read identities: {exc}") from exc
    return out


def _headers() -> tuple[list[str], list[str]]:
    top, sub = [], []
    for vi, en in FIXED:
        top.append(f"{vi}\n{en}")
        sub.append("")
    for vi, en in QUESTION_TEXT:
        top += [f"{vi}\n{en}", ""]
        sub += ["Có / Yes", "Không / No"]
    for vi, en in TAIL:
        top.append(f"{vi}\n{en}")
        sub.append("")
    return top, sub


def title(survey_title: str, unit_name: str) -> str:
    return f"Phiếu phúc tra — {survey_title} — {unit_name} / Re-verification call sheet"


def sheet_xlsx(survey: str, unit: str, heading: str, calls: Sequence[Call]) -> bytes:
    """One unit's call sheet."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = f"Phuc tra {unit}"[:31]
    ws.append([heading])
    ws.append([f"survey: {survey}", f"unit: {unit}"])
    top, sub = _headers()
    ws.append(top)
    ws.append(sub)
    for i in range(len(QUESTIONS)):
        col = Q_COL + 2 * i
        ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + 1)
    for row in (ws[3], ws[4]):
        for cell in row:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for n, call in enumerate(sorted(calls, key=lambda c: c.form_id), start=1):
        who = call.identity or Identity(call.form_id, "", "", "")
        ws.append([n, display_form_id(call.form_id), *(neutralise(v) for v in (who.name, who.phone, who.address))])
    widths = [5, 13, 24, 13, 40] + [7] * (2 * len(QUESTIONS)) + [11, 30]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width = w
    ws.row_dimensions[3].height = 75
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=FORM_COL + 1)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def sheet_pdf(heading: str, calls: Sequence[Call]) -> bytes:
    """The same sheet on A4 landscape, to fill in by hand."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    from omr.fonts import pdf_font

    regular, bold = pdf_font("regular"), pdf_font("bold")
    cell = ParagraphStyle("cell", fontName=regular, fontSize=7.5, leading=9)
    hcell = ParagraphStyle("hcell", fontName=bold, fontSize=7, leading=8.5)
    head = ParagraphStyle("head", fontName=bold, fontSize=11, leading=14)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=10 * mm, rightMargin=10 * mm,
                            topMargin=10 * mm, bottomMargin=10 * mm, title=heading, author="sipas", invariant=1)
    top, sub = _headers()
    data: list[list[object]] = [[Paragraph(t.replace("\n", "<br/>"), hcell) for t in top], list(sub)]
    for n, call in enumerate(sorted(calls, key=lambda c: c.form_id), start=1):
        who = call.identity or Identity(call.form_id, "", "", "")
        data.append([str(n), display_form_id(call.form_id), Paragraph(who.name, cell), who.phone,
                     Paragraph(who.address, cell), *([""] * (2 * len(QUESTIONS) + 2))])
    widths = [8, 22, 34, 22, 52] + [11] * (2 * len(QUESTIONS)) + [16, 35]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=2)
    spans = [("SPAN", (Q_COL - 1 + 2 * i, 0), (Q_COL + 2 * i, 0)) for i in range(len(QUESTIONS))]
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, 1), bold, 7), ("FONT", (0, 2), (-1, -1), regular, 8),
                               ("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               *spans]))
    doc.build([Paragraph(heading, head), table])
    return buf.getvalue()


def _tick(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def read_sheet(path: Path) -> tuple[str, list[SheetRow]]:
    """The survey name and every line with a form id of a filled call sheet."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputFileError(f"{path}: not a call sheet workbook (.xlsx): {exc}") from exc
    try:
        ws = book.worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
    finally:
        book.close()
    survey = str(rows[1][0] or "") if len(rows) > 1 and rows[1] else ""
    if not survey.startswith("survey: ") or len(rows) < FIRST_ROW - 1:
        raise InputFileError(f"{path}: row 2 does not say 'survey: NAME'; import the sheet written by "
                             "`sipas fieldwork verify sheet`, with its first four rows kept")
    out = []
    for n, r in enumerate(rows[FIRST_ROW - 1:], start=FIRST_ROW):
        cells = list(r) + [None] * (NOTE_COL - len(r))
        written = str(cells[FORM_COL - 1] or "").strip()
        if not written:
            continue
        form_id = normalise_form_id(written)
        if form_id is None:
            out.append(SheetRow(path.name, n, written, None, f"{written!r} is not a form id (check the digits)"))
            continue
        out.append(_row(path.name, n, form_id, cells))
    return survey.removeprefix("survey: ").strip(), out


def _row(file: str, n: int, form_id: str, cells: list[object]) -> SheetRow:
    answers: list[bool | None] = []
    for i, q in enumerate(QUESTIONS):
        yes, no = _tick(cells[Q_COL - 1 + 2 * i]), _tick(cells[Q_COL + 2 * i])
        if yes and no:
            return SheetRow(file, n, form_id, None, f"{q}: both yes and no are ticked; keep one")
        answers.append(True if yes else False if no else None)
    note = str(cells[NOTE_COL - 1]).strip() if _tick(cells[NOTE_COL - 1]) else None
    reached = not _tick(cells[NOT_REACHED_COL - 1])
    if reached and all(a is None for a in answers) and note is None:
        return SheetRow(file, n, form_id, None, "nothing entered: not called yet")
    received, self_filled, told_answers, on_day = answers
    return SheetRow(file, n, form_id, Outcome(reached, received, self_filled, told_answers, on_day, note), None)
