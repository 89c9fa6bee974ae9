"""Error messages a reviewer meets, in Vietnamese: the app raises them in English (logs, API clients);
:func:`localise_error` rewrites the known shapes for a Vietnamese interface (others stay as they are)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from review_ui.i18n import Lang
from review_ui.reasons import by_shape

_BY = r"by (\S+) at (.+?)"
_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), vi) for p, vi in (
    (r"^this item was changed by (\S+) at (.+); reload$", "mục này đã được {0} thay đổi lúc {1}; hãy tải lại trang"),
    (r"^this item is now being reviewed by (\S+) \(lease until (.+)\); your lease expired; reload$",
     "mục này đang được {0} duyệt (giữ đến {1}); thời gian giữ mục của bạn đã hết; hãy tải lại trang"),
    (r"^your lease on this item expired; reload$", "thời gian giữ mục này của bạn đã hết; hãy tải lại trang"),
    (r"^review item (\d+) no longer exists; reload$", "mục {0} không còn nữa; hãy tải lại trang"),
    (rf"^(\S+) (\S+): this answer was changed {_BY} \(revision (\d+), you had (\d+)\); reload$",
     "{0} {1}: câu trả lời đã được {2} thay đổi lúc {3} (phiên bản {4}, bạn đang xem {5}); hãy tải lại trang"),
    (r"^(\S+) (\S+): this answer was changed by someone else \(revision (\d+), you had (\d+)\); reload$",
     "{0} {1}: câu trả lời đã được người khác thay đổi (phiên bản {2}, bạn đang xem {3}); hãy tải lại trang"),
    (r"^(\S+) (\S+) is being reviewed by (\S+) right now; try again after they finish$",
     "{0} {1} đang được {2} duyệt; hãy thử lại khi họ xong"),
    (r"^(\S+) (\S+) was changed since you loaded the grid; reload$",
     "{0} {1} đã thay đổi từ lúc bạn mở lưới; hãy tải lại trang"),
    (r"^(\S+) was changed since by (.+); open the form view to change it$",
     "{0} đã được thay đổi sau đó bởi {1}; hãy mở trang phiếu để sửa"),
    (r"^review item (\d+) was not saved by you last; open the form view to change it$",
     "mục {0} không phải do bạn lưu gần nhất; hãy mở trang phiếu để sửa"),
    (r"^log in first .*$",
     "hãy đăng nhập (phiên làm việc kết thúc khi đăng xuất, đổi mật khẩu hoặc để lâu không dùng)"),
    (r"^wrong user name or password$", "sai tên đăng nhập hoặc mật khẩu"),
    (r"^missing or wrong CSRF token; reload the page and try again$",
     "thiếu hoặc sai mã CSRF; hãy tải lại trang rồi thử lại"),
    (r"^too many failed logins for this (?:account|address); wait (\d+) s and try again .*$",
     "đăng nhập sai quá nhiều lần; hãy chờ {0} giây rồi thử lại (hoặc nhờ quản trị viên đặt mật khẩu mới)"),
    (r"^the request body is larger than (\d+) kB; send less at once$",
     "dữ liệu gửi lên lớn hơn {0} kB; hãy gửi ít hơn"),
    (r"^type the form id printed under the QR code and the page number$",
     "hãy gõ mã phiếu in dưới mã QR và số trang"),
    (r"^click the four corner markers .*$",
     "hãy bấm vào 4 dấu định vị (trên-trái, trên-phải, dưới-phải, dưới-trái)"),
    (r"^'(.*)' is not a valid form id: .*$",
     "'{0}' không phải mã phiếu hợp lệ: 8 ký tự in dưới mã QR (ví dụ K7M2-Q9XH); hãy kiểm tra ký tự cuối"),
    (r"^form (\S+) is not in this workspace; check the id on the paper$",
     "phiếu {0} không có trong dữ liệu này; hãy đối chiếu mã trên giấy"),
    (r"^form (\S+) has pages 1–(\d+), not (\d+)$", "phiếu {0} có các trang 1–{1}, không có trang {2}"),
    (r"^page (\d+) of form (\S+) is already counted from (.+) \(page #(\d+)\); .*$",
     "trang {0} của phiếu {1} đã được tính từ {2} (trang #{3}); hãy đối chiếu mã phiếu và số trang với giấy. "
     "Nếu đúng, tờ này là bản thứ hai của trang đó: bỏ qua mục này và để riêng tờ giấy"),
    (r"^no such (\S+) here: check the address$", "không có {0} này: hãy kiểm tra địa chỉ"),
))


_VALIDATION_VI: dict[str, str] = {
    "missing": "thiếu giá trị này",
    "extra_forbidden": "trường này không được phép",
    "int_parsing": "phải là một số nguyên",
    "int_type": "phải là một số nguyên",
    "float_parsing": "phải là một số",
    "string_type": "phải là một chuỗi ký tự",
    "string_too_long": "dài quá {max_length} ký tự",
    "string_too_short": "ngắn hơn {min_length} ký tự",
    "string_pattern_mismatch": "có ký tự không hợp lệ (chỉ chữ, số, _ . -)",
    "too_long": "nhiều quá {max_length} phần tử",
    "too_short": "ít hơn {min_length} phần tử",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "literal_error": "phải là một trong: {expected}",
    "json_invalid": "không phải JSON hợp lệ",
    "model_attributes_type": "phải là một đối tượng JSON",
    "dict_type": "phải là một đối tượng JSON",
    "list_type": "phải là một danh sách",
}
"""Vietnamese for the request-validation errors (by pydantic error type; context values filled in)."""


def validation_text(error: Mapping[str, Any], lang: Lang) -> str:
    """The message of one request-validation error in ``lang`` (pydantic's English when unknown)."""
    template = _VALIDATION_VI.get(str(error.get("type", ""))) if lang == "vi" else None
    if template is None:
        return str(error.get("msg", ""))
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return str(error.get("msg", ""))


def localise_error(message: str, lang: Lang) -> str:
    """``message`` in ``lang`` when its shape is known (English otherwise)."""
    if lang == "en":
        return message
    return by_shape(message, _SHAPES) or message
