"""Delivery lists for the post (xlsx and PDF, one section per route) and envelope labels."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from omr.cells import neutralise
from omr.formid import display_form_id

HEADERS = ("STT", "Mã phiếu", "Họ và tên", "Địa chỉ", "Điện thoại", "Ngày phát", "Ngày thu", "Ký nhận")


@dataclass(frozen=True)
class Delivery:
    """One form to deliver: the route (village or commune), form id and who gets it."""

    route: str
    form_id: str
    name: str
    address: str
    phone: str


def _by_route(items: Sequence[Delivery]) -> dict[str, list[Delivery]]:
    out: dict[str, list[Delivery]] = {}
    for d in sorted(items, key=lambda d: (d.route, d.address, d.form_id)):
        out.setdefault(d.route, []).append(d)
    return out


def delivery_xlsx(items: Sequence[Delivery]) -> bytes:
    """One sheet per route: form id, name, address, phone, and columns the postman fills in."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    book.remove(book.active)
    for i, (route, rows) in enumerate(_by_route(items).items(), start=1):
        ws = book.create_sheet(f"{i:02d} {route}"[:31].replace("/", "-"))
        ws.append([route])
        ws.append(list(HEADERS))
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for n, d in enumerate(rows, start=1):
            who = [neutralise(v) for v in (d.name, d.address, d.phone)]
            ws.append([n, display_form_id(d.form_id), *who, "", "", ""])
        for col, width in zip("ABCDEFGH", (5, 12, 26, 48, 13, 11, 11, 14), strict=True):
            ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def delivery_pdf(items: Sequence[Delivery], title: str) -> bytes:
    """A4 landscape, one section per route starting on a new page."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    from omr.fonts import pdf_font

    regular, bold = pdf_font("regular"), pdf_font("bold")
    cell = ParagraphStyle("cell", fontName=regular, fontSize=8, leading=9.5)
    head = ParagraphStyle("head", fontName=bold, fontSize=12, leading=15)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=title, author="sipas",
                            invariant=1)
    story: list[object] = []
    for route, rows in _by_route(items).items():
        if story:
            story.append(PageBreak())
        story.append(Paragraph(f"{title}<br/>Danh sách phát phiếu — {route} ({len(rows)} phiếu)", head))
        data = [list(HEADERS)] + [[str(n), display_form_id(d.form_id), Paragraph(d.name, cell),
                                   Paragraph(d.address, cell), d.phone, "", "", ""] for n, d in enumerate(rows, 1)]
        table = Table(data, colWidths=[10 * mm, 24 * mm, 45 * mm, 95 * mm, 26 * mm, 20 * mm, 20 * mm, 30 * mm],
                      repeatRows=1)
        table.setStyle(TableStyle([("FONT", (0, 0), (-1, 0), bold, 8), ("FONT", (0, 1), (-1, -1), regular, 8),
                                   ("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(table)
    doc.build(story)
    return buf.getvalue()


def labels_pdf(items: Sequence[Delivery]) -> bytes:
    """Envelope labels, 3 columns × 8 rows on A4 (70 × 37 mm), in delivery order."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen.canvas import Canvas

    from omr.fonts import pdf_font

    regular, bold, mono = pdf_font("regular"), pdf_font("bold"), pdf_font("mono")
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1)
    ordered = [d for rows in _by_route(items).values() for d in rows]
    for i, d in enumerate(ordered):
        if i and i % 24 == 0:
            c.showPage()
        col, row = i % 3, (i % 24) // 3
        x, y = col * 70 * mm + 4 * mm, A4[1] - (row * 37 + 8) * mm - 4.5 * mm
        c.setFont(mono, 9)
        c.drawString(x, y, display_form_id(d.form_id))
        c.setFont(bold, 9)
        c.drawString(x, y - 4.5 * mm, d.name[:40])
        c.setFont(regular, 8)
        for k, line in enumerate(simpleSplit(d.address, regular, 8, 62 * mm)[:3]):
            c.drawString(x, y - (9 + 3.6 * k) * mm, line)
        c.drawString(x, y - 21 * mm, f"ĐT: {d.phone}   {d.route[:28]}")
    c.showPage()
    c.save()
    return buf.getvalue()
