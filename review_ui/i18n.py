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
    "nav_fieldwork": ("Điều tra thực địa", "Fieldwork"),
    "nav_forms": ("Phiếu", "Forms"),
    "nav_status": ("Tiến độ thực địa", "Fieldwork status"),
    "nav_verify": ("Phúc tra", "Re-verification"),
    "page": ("Trang", "Page"),
    "form": ("Phiếu", "Form"),
    "field": ("Câu", "Field"),
    "machine": ("Máy đọc", "Machine reading"),
    "reason": ("Lý do", "Reason"),
    "blank": ("Để trống", "Blank"),
    "multiple": ("Nhiều lựa chọn", "Multiple"),
    "empty_queue": ("Không còn mục nào cần duyệt.", "Nothing left to review."),
    "keys_choice": (
        "Phím 1–9: chọn · 0: để trống · *: nhiều lựa chọn · Enter: lưu lựa chọn đang tô (chưa chọn gì: kết quả máy) "
        "rồi sang mục sau · U: hoàn tác mục vừa lưu · Z: phóng to · S: bỏ qua · P: xem cả trang",
        "Keys 1–9: choose · 0: blank · *: several marked · Enter: save the highlighted choice (none chosen: the "
        "machine reading) and go on · U: undo the last saved item · Z: zoom · S: skip · P: whole page",
    ),
    "keys_multi": (
        "Phím 1–9: bật/tắt · 0: xoá hết · Enter: lưu các ô đang tô rồi sang mục sau · U: hoàn tác · Z: phóng to · "
        "S: bỏ qua · P: xem cả trang",
        "Keys 1–9: toggle · 0: clear · Enter: save the highlighted boxes and go on · U: undo · Z: zoom · S: skip · "
        "P: whole page",
    ),
    "keys_text": (
        "Gõ nội dung (Shift+Enter: xuống dòng), Enter: lưu rồi sang mục sau · Alt+U: hoàn tác · Alt+S: bỏ qua · "
        "Alt+P: xem cả trang",
        "Type it (Shift+Enter: new line), Enter: save and go on · Alt+U: undo · Alt+S: skip · Alt+P: whole page",
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
    "bad_value": ("{code}: '{value}' không phải là một trong các giá trị {allowed} (hoặc để trống, hoặc * khi "
                  "thật sự có nhiều ô được đánh dấu)",
                  "{code}: '{value}' is not one of the values {allowed} (or blank, or * when several boxes are "
                  "really marked)"),
    "bad_multi": ("{code}: {bad} không thuộc các giá trị {allowed}", "{code}: {bad} not among the values {allowed}"),
    "bad_digits": ("{code}: gõ tối đa {length} chữ số (đã gõ '{value}')",
                   "{code}: type up to {length} digits (got '{value}')"),
    "too_long": ("{code}: nội dung dài hơn {n} ký tự", "{code}: the text is longer than {n} characters"),
    "agreement": ("Tỷ lệ khớp (nhập kép)", "Agreement (double entry)"),
    "second_review": ("Duyệt lần hai (ẩn kết quả lần một)", "Second review (blind)"),
    "disagreement": ("Hai người duyệt khác nhau", "Reviewers disagree"),
    "candidates": ("Hai kết quả", "Both readings"),
    "chosen": ("Đã chọn", "Chosen"),
    "machine_kept": ("Kết quả máy", "Machine reading"),
    "enter_saves": ("Enter để lưu", "Enter saves it"),
    "undo": ("Hoàn tác", "Undo"),
    "zoom": ("Phóng to", "Zoom"),
    "form_id": ("Mã phiếu", "Form id"),
    "page_number": ("Số trang", "Page number"),
    "new_form_of": ("hoặc phiếu mới của mẫu", "or a new form of"),
    "submit": ("Xác nhận", "Confirm"),
    "skip": ("Bỏ qua", "Skip"),
    "whole_page": ("Xem cả trang", "Whole page"),
    "boundary": (
        "Các ô được xếp từ đậm đến nhạt. Các ô trước đường ranh giới (viền xanh) được coi là đã đánh dấu, "
        "các ô sau là để trống. Dời ranh giới bằng ←/→ hoặc bấm vào ô; Z hoặc ⊕: phóng to; Enter: xác nhận.",
        "Boxes are sorted from darkest to lightest. Boxes before the boundary (green) count as marked, the "
        "rest as empty. Move it with ←/→ or by clicking a box; Z or ⊕: zoom; Enter: confirm.",
    ),
    "bulk_summary": ("{n} ô của {forms} phiếu; {marked} được coi là đã đánh dấu",
                     "{n} boxes from {forms} forms; {marked} count as marked"),
    "bulk_truncated": ("Còn nhiều ô hơn; xác nhận rồi tải lại để xem tiếp.",
                       "More boxes are waiting; confirm, then reload for the next ones."),
    "bulk_pick": ("Chọn một câu hỏi dạng ô đánh dấu để duyệt các ô chưa rõ của mọi phiếu cùng lúc.",
                  "Pick a checkbox question to settle its unclear boxes across all forms at once."),
    "answers_changed": ("Đã cập nhật {n} câu trả lời.", "{n} answers updated."),
    "bulk_still": ("{n} câu vẫn cần duyệt (các ô không đủ để quyết định), hãy xem trong hàng đợi: {list}",
                   "{n} answers still need review (the boxes do not settle them); find them in the queue: {list}"),
    "bulk_nothing": ("Không có mục nào được giải quyết.", "Nothing was resolved."),
    "template": ("Mẫu phiếu", "Template"),
    "label": ("Nội dung", "Label"),
    "all": ("Tất cả", "All"),
    "remaining": ("Còn lại", "Remaining"),
    "kind_field": ("Câu cần duyệt", "Flagged answers"),
    "several": ("Nhiều lựa chọn", "Several marked"),
    "st_auto": ("Tự động", "Auto"),
    "st_flagged": ("Cần duyệt", "Flagged"),
    "st_reviewed": ("Đã duyệt", "Reviewed"),
    "out_read": ("Đã đọc", "Read"),
    "out_review": ("Cần duyệt", "In review"),
    "out_reviewed": ("Đã duyệt xong", "Review done"),
    "out_rejected": ("Bị loại", "Rejected"),
    "out_blank": ("Trang trắng", "Blank"),
    "view_page": ("Xem trang", "View page"),
    "login_hint": ("Tài khoản do quản trị viên tạo (sipas user add).",
                   "Accounts are created by an admin (sipas user add)."),
    "others_busy": ("Các mục còn lại đang được người khác duyệt; chúng sẽ quay lại hàng đợi nếu bị bỏ dở.",
                    "The items left are being reviewed by others; they come back if left unfinished."),
    "skipped_back": ("Xem lại các mục đã bỏ qua", "Bring back the items I skipped"),
    "no_items": ("Không có mục nào.", "No items."),
    "not_aligned": ("Trang chưa được căn chỉnh: hiển thị ảnh quét gốc, không có khung ô.",
                    "This page is not aligned: the raw scan is shown, without box outlines."),
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
    "conflict_reload": ("Không có gì được lưu; tải lại trang để xem trạng thái hiện tại.",
                        "Nothing was saved; reload the page to see where things stand now."),
}


def translate(key: str, lang: Lang) -> str:
    """The message ``key`` in ``lang`` (the key itself when it is not in the catalogue)."""
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "vi" else pair[1]


def say(key: str, lang: Lang, **values: object) -> str:
    """The message ``key`` in ``lang`` with ``{name}`` fields filled in."""
    return translate(key, lang).format(**values)


def pick_lang(value: object) -> Lang:
    return "en" if value == "en" else "vi"
