"""What respondents write by hand: free-text opinions and "other, please specify" write-ins.

Phrases are short, in Vietnamese (NFC), in the register people use on SIPAS forms. The write-in
lists are keyed by the English label of the question they answer (matched by keyword), so that
an occupation write-in reads like an occupation; anything else falls back to :data:`GENERIC`.
"""

from __future__ import annotations

import unicodedata

OPINIONS: tuple[str, ...] = (
    "Cần rút ngắn thời gian giải quyết hồ sơ",
    "Cán bộ nhiệt tình, chu đáo",
    "Đề nghị sửa đường liên thôn",
    "Thủ tục còn rườm rà, phải đi lại nhiều lần",
    "Mong có thêm dịch vụ công trực tuyến",
    "Niêm yết công khai phí, lệ phí",
    "Cần tăng cường tiếp dân vào thứ bảy",
    "Hài lòng với cách phục vụ",
    "Nên giảm giấy tờ phải nộp",
    "Trả kết quả đúng hẹn",
    "Cải thiện chất lượng nước sinh hoạt",
    "Đường điện hay bị mất vào mùa hè",
    "Cần quan tâm hơn đến người cao tuổi",
    "Không có ý kiến gì thêm",
    "Bổ sung ghế chờ tại bộ phận một cửa",
    "Hướng dẫn rõ ràng hơn cho người dân",
    "Xử lý dứt điểm ô nhiễm môi trường",
    "Tăng cường an ninh trật tự ở thôn",
    "Cán bộ trả lời điện thoại chậm",
    "Mong được nhận kết quả qua bưu điện",
)

WRITE_INS: dict[str, tuple[str, ...]] = {
    "ethnic": ("Tày", "Thái", "Mường", "Khmer", "H'Mông", "Nùng", "Dao", "Hoa", "Ê Đê", "Gia Rai"),
    "education": ("Không đi học", "Thạc sĩ", "Biết đọc biết viết", "Trung cấp nghề"),
    "occupation": ("Buôn bán nhỏ", "Làm nông", "Nội trợ", "Lái xe ôm", "Thợ may", "Nuôi trồng thủy sản"),
    "channel": ("Qua trưởng thôn", "Nhóm Zalo của thôn", "Qua nhà thờ", "Hội phụ nữ xã"),
    "field": ("Lĩnh vực công thương", "Đăng ký kinh doanh", "Cấp phép khai thác"),
}

GENERIC: tuple[str, ...] = ("Khác", "Không rõ", "Việc khác", "Theo hướng dẫn của xã")

FOREIGN_LETTER: tuple[str, ...] = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "",
    "ĐƠN ĐỀ NGHỊ",
    "Kính gửi: Ủy ban nhân dân xã",
    "",
    "Tôi tên là: ......................................................",
    "Địa chỉ thường trú: ..............................................",
    "Nay tôi làm đơn này đề nghị Ủy ban nhân dân xã xem xét,",
    "giải quyết việc cấp lại giấy chứng nhận cho gia đình tôi.",
    "Lý do: giấy tờ cũ bị hư hỏng do ngập nước.",
    "Tôi xin cam đoan những nội dung trên là đúng sự thật.",
    "",
    "Xin trân trọng cảm ơn.",
)

_KEYWORDS = (
    ("ethnic", "ethnic"),
    ("education", "education"),
    ("occupation", "occupation"),
    ("channel", "channel"),
    ("procedure", "field"),
    ("field", "field"),
)


def write_ins_for(label_en: str) -> tuple[str, ...]:
    """The write-in phrases that fit a question, chosen by keywords of its English label."""
    low = label_en.lower()
    for word, key in _KEYWORDS:
        if word in low:
            return WRITE_INS[key]
    return GENERIC


def nfc(text: str) -> str:
    """``text`` in Unicode NFC (how truth.csv and the answers export compare text)."""
    return unicodedata.normalize("NFC", text)
