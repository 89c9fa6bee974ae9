"""Why the machine asked, in the reviewer's language: the reader's reasons are English sentences of a
few fixed shapes; each shape has a Vietnamese form here (an unknown shape is shown as it is)."""

from __future__ import annotations

import re

from review_ui.i18n import Lang

_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), vi) for p, vi in (
    (r"^handwriting to transcribe$", "chữ viết tay cần gõ lại"),
    (r"^(\d+) marks \((.+)\)$", "{0} ô được đánh dấu ({1})"),
    (r"^two marks$", "hai ô được đánh dấu"),
    (r"^ambiguous box$", "ô không rõ có được đánh dấu hay không"),
    (r"^unclear mark at value (\S+)$", "dấu không rõ ở giá trị {0}"),
    (r"^a cross or tick where a fill is expected \(value (\S+)\)$", "đánh dấu chéo/tích thay vì tô kín (giá trị {0})"),
    (r"^(\d+) choices, at most (\d+) allowed$", "{0} lựa chọn, chỉ được chọn tối đa {1}"),
    (r"^a box filled over and no other mark$", "một ô bị tô kín (xoá) và không có dấu nào khác"),
    (r"^(\d+) boxes filled over and no other mark$", "{0} ô bị tô kín (xoá) và không có dấu nào khác"),
    (r"^filled box with no other mark$", "ô bị tô kín (xoá) và không có dấu nào khác"),
    (r"^dots in the empty box at value (\S+): a faint mark lost in the scan\?$",
     "có chấm mực trong ô trống ở giá trị {0}: dấu mờ bị mất khi quét?"),
    (r"^(\d+) of (\d+) questions on the page blank: marks too faint to scan\?$",
     "{0}/{1} câu trên trang bị trống: dấu quá mờ nên không quét được?"),
    (r"^one stroke through (.+)$", "một nét đi qua {0}"),
    (r"^ink beside (.+)$", "có mực bên cạnh {0}"),
    (r"^QR unreadable$", "không đọc được mã QR"),
    (r"^second review \(blind\)$", "duyệt lần hai (không xem kết quả lần một)"),
    (r"^two reviewers disagree$", "hai người duyệt cho kết quả khác nhau"),
    (r"^corner markers not found$", "không tìm thấy dấu định vị ở góc"),
    (r"^identified by (\S+); needs re-reading$", "{0} đã nhận diện; cần đọc lại"),
    (r"^corners set by (\S+); needs re-reading$", "{0} đã đặt các góc; cần đọc lại"),
    (r"^unidentified page: (.+)$", "trang chưa nhận diện: {0}"),
    (r"^alignment failed: (.+)$", "căn chỉnh thất bại: {0}"),
    (r"^(\d+) field\(s\) flagged, first (\S+): (.+)$", "{0} câu cần duyệt, câu đầu {1}: {2}"),
))


def by_shape(text: str, shapes: tuple[tuple[re.Pattern[str], str], ...]) -> str | None:
    """``text`` rewritten by the first shape that matches it (its groups filled in), or None."""
    for pattern, target in shapes:
        m = pattern.match(text)
        if m:
            return target.format(*m.groups())
    return None


def localise(reason: str | None, lang: Lang) -> str | None:
    """``reason`` in ``lang`` (English reasons are stored; Vietnamese is looked up by shape)."""
    if reason is None or lang == "en":
        return reason
    parts = [p.strip() for p in reason.split(";")] if "; " in reason and "needs re-reading" not in reason else [reason]
    out = []
    for part in parts:
        for pattern, vi in _SHAPES:
            m = pattern.match(part)
            if m:
                groups = [localise(g, lang) if g and g != part else g for g in m.groups()]
                out.append(vi.format(*groups))
                break
        else:
            out.append(part)
    return "; ".join(out)
