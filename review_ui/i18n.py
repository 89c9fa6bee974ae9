"""The interface in Vietnamese (default) and English: one small message catalogue."""

from __future__ import annotations

from typing import Literal

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (vi, en)
    "app": ("Duyệt phiếu SIPAS", "SIPAS review"),
    "login": ("Đăng nhập", "Log in"),
    "logout": ("Đăng xuất", "Log out"),
    "user": ("Tên đăng nhập", "User name"),
    "password": ("Mật khẩu", "Password"),
    "bad_login": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong user name or password."),
    "queue": ("Hàng đợi", "Queue"),
    "progress": ("Tiến độ", "Progress"),
    "bulk": ("Duyệt hàng loạt", "Bulk review"),
    "page": ("Trang", "Page"),
    "form": ("Phiếu", "Form"),
    "field": ("Câu", "Field"),
    "machine": ("Máy đọc", "Machine reading"),
    "reason": ("Lý do", "Reason"),
    "blank": ("Để trống", "Blank"),
    "multiple": ("Nhiều lựa chọn", "Multiple"),
    "empty_queue": ("Không còn mục nào cần duyệt.", "Nothing left to review."),
    "keys_choice": (
        "Phím 1–9: chọn · 0: để trống · Enter: giữ kết quả máy · S: bỏ qua · P: xem cả trang",
        "Keys 1–9: choose · 0: blank · Enter: keep the machine reading · S: skip · P: whole page",
    ),
    "keys_multi": (
        "Phím 1–9: bật/tắt · 0: xoá hết · Enter: xác nhận · S: bỏ qua · P: xem cả trang",
        "Keys 1–9: toggle · 0: clear · Enter: confirm · S: skip · P: whole page",
    ),
    "keys_text": (
        "Gõ nội dung, Enter: xác nhận · Alt+S: bỏ qua · Alt+P: xem cả trang",
        "Type it, Enter: confirm · Alt+S: skip · Alt+P: whole page",
    ),
    "keys_identify": (
        "Gõ mã phiếu (in dưới mã QR) và số trang, Enter: xác nhận · Alt+S: bỏ qua",
        "Type the form id (printed under the QR) and the page number, Enter: confirm · Alt+S: skip",
    ),
    "keys_corners": (
        "Bấm vào tâm 4 dấu định vị theo thứ tự: trên-trái, trên-phải, dưới-phải, dưới-trái · "
        "Backspace: bấm lại · Enter: xác nhận · S: bỏ qua",
        "Click the centres of the 4 corner markers in order: top-left, top-right, bottom-right, "
        "bottom-left · Backspace: undo · Enter: confirm · S: skip",
    ),
    "form_id": ("Mã phiếu", "Form id"),
    "page_number": ("Số trang", "Page number"),
    "submit": ("Xác nhận", "Confirm"),
    "skip": ("Bỏ qua", "Skip"),
    "whole_page": ("Xem cả trang", "Whole page"),
    "boundary": (
        "Các ô phía trên đường ranh giới được coi là đã đánh dấu. ←/→ hoặc bấm vào ô để dời ranh giới; "
        "Enter: xác nhận.",
        "Boxes before the boundary count as marked. Move it with ←/→ or by clicking a box; Enter: confirm.",
    ),
    "marked": ("Đã đánh dấu", "Marked"),
    "unmarked": ("Không đánh dấu", "Unmarked"),
    "nothing_bulk": ("Không có ô nào cần duyệt cho câu này.", "No boxes of this question need review."),
    "answers": ("Câu trả lời", "Answers"),
    "save": ("Lưu", "Save"),
    "saved": ("Đã lưu", "Saved"),
    "status": ("Trạng thái", "Status"),
    "value": ("Giá trị", "Value"),
    "confidence": ("Độ tin cậy", "Confidence"),
    "pages": ("Các trang", "Pages"),
    "present": ("Đã có", "Present"),
    "missing": ("Còn thiếu", "Missing"),
    "audit": ("Nhật ký thay đổi", "Audit trail"),
    "when": ("Thời điểm", "When"),
    "who": ("Người thực hiện", "Who"),
    "action": ("Thao tác", "Action"),
    "old": ("Cũ", "Old"),
    "new": ("Mới", "New"),
    "items": ("Mục duyệt", "Review items"),
    "open": ("Chưa duyệt", "Open"),
    "done": ("Đã duyệt", "Done"),
    "leased": ("Đang được duyệt", "Being reviewed"),
    "reviewers": ("Người duyệt", "Reviewers"),
    "per_hour": ("Mục/giờ", "Items/hour"),
    "last_hour": ("Trong 1 giờ qua", "Last hour"),
    "total": ("Tổng", "Total"),
    "forms_complete": ("Phiếu hoàn tất", "Forms complete"),
    "forms": ("Phiếu", "Forms"),
    "by_question": ("Theo câu hỏi", "By question"),
    "error": ("Lỗi", "Error"),
    "language": ("Ngôn ngữ", "Language"),
    "unidentified_page": ("Trang chưa nhận diện", "Unidentified page"),
    "unaligned_page": ("Trang chưa căn chỉnh", "Unaligned page"),
    "conflict_reload": ("Mục này đã bị thay đổi; tải lại.", "This item was changed; reload."),
}


def translate(key: str, lang: Lang) -> str:
    """The message ``key`` in ``lang`` (the key itself when it is not in the catalogue)."""
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "vi" else pair[1]


def pick_lang(value: object) -> Lang:
    return "en" if value == "en" else "vi"
