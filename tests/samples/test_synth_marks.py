"""Marks, digits and text as people make them, and the printed page they go on."""

from __future__ import annotations

import numpy as np
import pytest
import zxingcpp

from omr.formid import PageIdentity, parse_payload
from omr.template.layout import layout_template
from omr.template.load import load_template
from samples.synth.answers import BoxIntent, FormAnswers
from samples.synth.fill import Hand, fill_page
from samples.synth.handdigits import digit_alpha, digit_bank, draw_digits
from samples.synth.handtext import draw_text, text_alpha
from samples.synth.ink import Pen, Sheet, restroke, stroke_width, strokes_alpha
from samples.synth.marks import MarkStyle, draw_box_mark, draw_stray_marks, random_style
from samples.synth.paper import foreign_document, id_text_rect, printed_page

BALLPOINT = Pen("ballpoint-black", 0.1, 0.35)
PENCIL = Pen("pencil", 0.6, 0.4, grain=0.55)
STEADY = MarkStyle("cross", size=0.8, oversize_share=0.0, wobble=0.2, angle_sd=3.0)
BOX = (40.0, 40.0, 53.0, 53.0)  # a 4.5 mm checkbox at 300 dpi

QR = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def _sheet() -> Sheet:
    return Sheet(np.full((140, 140), 255, np.uint8))


def _inside(img: np.ndarray, rect: tuple[float, float, float, float], inset: int = 4) -> np.ndarray:
    x, y, w, h = (int(round(v)) for v in rect)
    return img[y + inset : y + h - inset, x + inset : x + w - inset]


def test_strokes_have_the_asked_width_and_soft_edges() -> None:
    line = np.array([[5.0, 20.0], [35.0, 20.0]], np.float32)
    alpha = strokes_alpha([line], width=3.0, shape=(40, 40), taper=0.0)
    assert alpha[:, 20].sum() == pytest.approx(3.0, abs=0.4)
    assert 0 < alpha[18, 20] < 1 or 0 < alpha[22, 20] < 1 or alpha[:, 20].max() == pytest.approx(1.0)
    assert stroke_width(alpha) == pytest.approx(3.0, abs=0.8)
    fat = restroke(alpha, width=7.0)
    assert stroke_width(fat) == pytest.approx(7.0, abs=1.2)
    assert stroke_width(np.zeros((5, 5), np.float32)) == 0.0


@pytest.mark.parametrize("shape", ["cross", "tick", "slash"])
def test_checks_ink_the_box_lightly(shape: str) -> None:
    sheet = _sheet()
    draw_box_mark(sheet, BOX, style=STEADY, pen=BALLPOINT, rng=np.random.default_rng(1), shape=shape)  # type: ignore[arg-type]
    cover = (_inside(sheet.image, BOX) < 128).mean()
    assert 0.03 < cover < 0.45


def test_fill_blots_out_the_box() -> None:
    sheet = _sheet()
    draw_box_mark(sheet, BOX, style=STEADY, pen=BALLPOINT, rng=np.random.default_rng(2), shape="fill")
    assert (_inside(sheet.image, BOX) < 128).mean() > 0.7


def test_oversized_marks_overflow_the_box() -> None:
    big = MarkStyle("cross", size=0.8, oversize_share=1.0, wobble=0.2, angle_sd=3.0)
    sheet = _sheet()
    draw_box_mark(sheet, BOX, style=big, pen=BALLPOINT, rng=np.random.default_rng(3), shape="cross")
    ink = np.argwhere(sheet.image < 128)
    assert ink[:, 0].min() < BOX[1] - 3 or ink[:, 0].max() > BOX[1] + BOX[3] + 3


def test_pencil_is_lighter_and_grainy() -> None:
    pen_sheet, pencil_sheet = _sheet(), _sheet()
    draw_box_mark(pen_sheet, BOX, style=STEADY, pen=BALLPOINT, rng=np.random.default_rng(4), shape="fill")
    draw_box_mark(pencil_sheet, BOX, style=STEADY, pen=PENCIL, rng=np.random.default_rng(4), shape="fill")
    pen_core, pencil_core = _inside(pen_sheet.image, BOX, 10), _inside(pencil_sheet.image, BOX, 10)
    assert pencil_core.mean() > pen_core.mean() + 60
    assert pencil_core.std() > pen_core.std()


def test_stray_marks_keep_clear_of_every_box() -> None:
    sheet = Sheet(np.full((400, 400), 255, np.uint8))
    boxes = [(100.0, 100.0, 53.0, 53.0), (250.0, 250.0, 53.0, 53.0)]
    drawn = draw_stray_marks(sheet, boxes, avoid=boxes, count=6, pen=BALLPOINT, rng=np.random.default_rng(5))
    assert drawn > 0
    assert (sheet.image < 250).any()
    for box in boxes:
        x, y, w, h = (int(v) for v in box)
        assert (sheet.image[y - 10 : y + h + 10, x - 10 : x + w + 10] == 255).all()


def test_digits_fit_their_cell_with_the_pens_stroke() -> None:
    bank = digit_bank()
    assert len(bank.images) >= 1000 and set(np.unique(bank.labels)) == set(range(10))
    rng = np.random.default_rng(6)
    for digit in range(10):
        alpha = digit_alpha(bank.pick(digit, rng), cell=(94, 71), pen=BALLPOINT, rng=rng)
        assert alpha.shape == (94, 71)
        rows = np.flatnonzero(alpha.max(axis=1) > 0.5)
        assert 30 < rows.max() - rows.min() < 90  # a digit, sized to the cell
        if digit != 1:
            assert stroke_width(alpha) == pytest.approx(BALLPOINT.width_px * 1.2, rel=0.45)
    sheet = Sheet(np.full((120, 300), 255, np.uint8))
    cells = [(10.0 + 71 * k, 10.0, 71.0, 94.0) for k in range(4)]
    draw_digits(sheet, cells, "2024", pen=BALLPOINT, rng=rng, bank=bank)
    for x, y, w, h in cells:
        assert (sheet.image[int(y) : int(y + h), int(x) : int(x + w)] < 128).sum() > 40


def test_text_is_written_whole_or_not_at_all() -> None:
    rng = np.random.default_rng(7)
    alpha = text_alpha("Cán bộ nhiệt tình, chu đáo", area=(170, 2000), line_height=88.0, rng=rng)
    assert alpha is not None and (alpha > 0.5).sum() > 500
    assert text_alpha("x" * 400, area=(20, 40), line_height=20.0, rng=rng) is None
    sheet = Sheet(np.full((100, 900), 255, np.uint8))
    assert draw_text(sheet, (0.0, 0.0, 900.0, 80.0), "Làm nông", line_height=76.0, pen=BALLPOINT, rng=rng)
    assert (sheet.image < 128).sum() > 100


def test_printed_page_carries_its_own_qr_and_id() -> None:
    template = load_template("tests/fixtures/mini.yaml")
    a, b = printed_page(template, "84G7ZWY6", 1), printed_page(template, "355QAKG7", 1)
    result = zxingcpp.read_barcodes(a, formats=QR)
    ident = parse_payload(result[0].text)
    assert ident == PageIdentity("mini", "1", "84G7ZWY6", 1, 1)
    # Copies differ only in the QR code and the printed id.
    page = layout_template(template).page(1)
    diff = np.argwhere(a != b)
    k = 300 / 25.4
    qr, text = page.qr, id_text_rect(page, ident)
    for row, col in diff:
        in_qr = qr.x * k - 2 <= col <= qr.right * k + 2 and qr.y * k - 2 <= row <= qr.bottom * k + 2
        in_text = text.x * k - 2 <= col <= text.right * k + 2 and text.y * k - 2 <= row <= text.bottom * k + 2
        assert in_qr or in_text, (row, col)


def test_fill_page_marks_the_intended_boxes() -> None:
    template = load_template("tests/fixtures/mini.yaml")
    answers = FormAnswers(
        truth=(("A1", "2"),), boxes=(BoxIntent("A1", "2", "mark"), BoxIntent("A1", "1", "cancel")),
        digits=(("DATE", "01022024"),), texts=(("OPINION", "Hài lòng với cách phục vụ"),),
    )
    hand = Hand(BALLPOINT, STEADY, strays_per_page=0.0)
    img = fill_page(template, "84G7ZWY6", 1, answers, hand=hand, rng=np.random.default_rng(8))
    blank = printed_page(template, "84G7ZWY6", 1)
    k = 300 / 25.4
    cover = {}
    for box in layout_template(template).page(1).boxes:
        x, y, w, h = box.rect.x * k, box.rect.y * k, box.rect.w * k, box.rect.h * k
        cover[(box.field, box.value)] = float((_inside(img, (x, y, w, h), 5) < 128).mean()
                                              - (_inside(blank, (x, y, w, h), 5) < 128).mean())
    assert 0.03 < cover[("A1", "2")] < 0.5
    assert cover[("A1", "1")] > 0.7
    assert all(cover[key] == 0 for key in cover if key[0] in ("Q2", "Q9_1", "Q9_2"))
    assert all(cover[("DATE", str(p))] > 0.03 for p in range(1, 9))
    assert cover[("OPINION", "")] > 0.005
    unfilled = FormAnswers(truth=(), boxes=answers.boxes, digits=(), texts=(), blank_pages=(1,))
    np.testing.assert_array_equal(
        fill_page(template, "84G7ZWY6", 1, unfilled, hand=hand, rng=np.random.default_rng(8)), blank
    )


def test_foreign_document_has_no_qr() -> None:
    page = foreign_document(np.random.default_rng(9))
    assert page.shape == (3508, 2480)
    assert (page < 128).mean() > 0.005
    assert not zxingcpp.read_barcodes(page, formats=QR)


def test_every_mark_puts_ink_inside_its_box_however_sloppy() -> None:
    rng = np.random.default_rng(10)
    for _ in range(80):
        style = random_style(rng)
        style = MarkStyle(style.shape, style.size, oversize_share=0.5, wobble=1.0, angle_sd=12.0)
        sheet = Sheet(np.full((200, 200), 255, np.uint8))
        box = (73.0, 73.0, 53.0, 53.0)
        draw_box_mark(sheet, box, style=style, pen=BALLPOINT, rng=rng)
        assert (_inside(sheet.image, box) < 200).mean() >= 0.03
