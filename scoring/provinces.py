"""Names of Vietnam's 63 provinces by their GSO code, so rankings read "Quảng Ninh", not "22".

SIPAS samples and ranks the 63 provinces and centrally-run cities that existed from 2008 to
mid-2025 (the surveys 2017–2024); sample lists and the forms manifest carry the two-digit code of
the General Statistics Office (Decision 124/2004/QĐ-TTg and its amendments). A code that is not
in this list (a merged province, a test code) keeps the code as its label.
"""

from __future__ import annotations

import unicodedata

GSO_PROVINCES: dict[str, str] = {
    "01": "Hà Nội", "02": "Hà Giang", "04": "Cao Bằng", "06": "Bắc Kạn", "08": "Tuyên Quang",
    "10": "Lào Cai", "11": "Điện Biên", "12": "Lai Châu", "14": "Sơn La", "15": "Yên Bái",
    "17": "Hòa Bình", "19": "Thái Nguyên", "20": "Lạng Sơn", "22": "Quảng Ninh", "24": "Bắc Giang",
    "25": "Phú Thọ", "26": "Vĩnh Phúc", "27": "Bắc Ninh", "30": "Hải Dương", "31": "Hải Phòng",
    "33": "Hưng Yên", "34": "Thái Bình", "35": "Hà Nam", "36": "Nam Định", "37": "Ninh Bình",
    "38": "Thanh Hóa", "40": "Nghệ An", "42": "Hà Tĩnh", "44": "Quảng Bình", "45": "Quảng Trị",
    "46": "Thừa Thiên Huế", "48": "Đà Nẵng", "49": "Quảng Nam", "51": "Quảng Ngãi", "52": "Bình Định",
    "54": "Phú Yên", "56": "Khánh Hòa", "58": "Ninh Thuận", "60": "Bình Thuận", "62": "Kon Tum",
    "64": "Gia Lai", "66": "Đắk Lắk", "67": "Đắk Nông", "68": "Lâm Đồng", "70": "Bình Phước",
    "72": "Tây Ninh", "74": "Bình Dương", "75": "Đồng Nai", "77": "Bà Rịa - Vũng Tàu",
    "79": "TP. Hồ Chí Minh", "80": "Long An", "82": "Tiền Giang", "83": "Bến Tre", "84": "Trà Vinh",
    "86": "Vĩnh Long", "87": "Đồng Tháp", "89": "An Giang", "91": "Kiên Giang", "92": "Cần Thơ",
    "93": "Hậu Giang", "94": "Sóc Trăng", "95": "Bạc Liêu", "96": "Cà Mau",
}
"""GSO code → Vietnamese name (63 entries)."""
ENGLISH = {"79": "Ho Chi Minh City"}
"""English names that are not just the Vietnamese name without diacritics."""


def ascii_name(name: str) -> str:
    """The name without diacritics, as English texts print it: ``Đà Nẵng`` → ``Da Nang``."""
    decomposed = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def province_labels(codes: list[str] | set[str], lang: str = "vi") -> dict[str, str]:
    """Labels of the given province codes (only those the GSO list knows; others keep their code)."""
    out: dict[str, str] = {}
    for code in codes:
        name = GSO_PROVINCES.get(code.strip().zfill(2)) if code.strip().isdigit() else None
        if name is not None:
            key = code.strip().zfill(2)
            out[code] = ENGLISH.get(key, ascii_name(name)) if lang == "en" else name
    return out
