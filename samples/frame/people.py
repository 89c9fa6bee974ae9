"""Synthetic respondents: Vietnamese names with diacritics, organisations, phones in several spellings."""

from __future__ import annotations

import random

FAMILY = (("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 2), ("Phan", 4),
          ("Vũ", 4), ("Võ", 2), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 1), ("Ngô", 1), ("Dương", 1),
          ("Lý", 1), ("Đinh", 1), ("Trịnh", 1), ("Đào", 1), ("Mai", 1))
MIDDLE_M = ("Văn", "Hữu", "Đức", "Minh", "Quang", "Thanh", "Xuân", "Công", "Tiến", "Mạnh", "Ngọc")
MIDDLE_F = ("Thị", "Thu", "Ngọc", "Thanh", "Minh", "Phương", "Thùy", "Hồng", "Bích", "Kim", "Mai")
GIVEN_M = ("An", "Bình", "Cường", "Dũng", "Đạt", "Giang", "Hải", "Hùng", "Huy", "Khánh", "Long", "Nam",
           "Phong", "Quân", "Sơn", "Thắng", "Tuấn", "Việt", "Vinh", "Trung", "Hiếu", "Đông", "Lâm", "Toàn")
GIVEN_F = ("Anh", "Chi", "Dung", "Hà", "Hằng", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Loan", "Mai", "Nga",
           "Ngân", "Nhung", "Oanh", "Phượng", "Quỳnh", "Thảo", "Trang", "Tuyết", "Vân", "Yến", "Huyền")
ORG_KIND = ("Công ty TNHH", "Công ty cổ phần", "Hộ kinh doanh", "HTX")
ORG_NAME = ("Minh Phát", "Hồng Hà", "Thành Công", "Long Biên Xanh", "Việt Hưng", "An Khang", "Phúc Lộc",
            "Sông Đuống", "Bình An", "Đức Giang")
MOBILE = ("032", "033", "034", "035", "036", "037", "038", "039", "056", "058", "070", "076", "077", "078",
          "079", "081", "083", "084", "085", "086", "088", "089", "090", "091", "093", "094", "096", "097", "098")
OLD_PREFIX = {"032": "0162", "033": "0163", "034": "0164", "035": "0165", "036": "0166", "037": "0167",
              "038": "0168", "039": "0169", "070": "0120", "079": "0121", "077": "0122", "076": "0126", "078": "0128",
              "083": "0123", "084": "0124", "085": "0125", "081": "0127"}


def person(rng: random.Random, organisations: float = 0.0) -> str:
    """A full name (family, middle, given), or with ``organisations`` probability an organisation's name."""
    if rng.random() < organisations:
        return f"{rng.choice(ORG_KIND)} {rng.choice(ORG_NAME)} {rng.randint(1, 99)}"
    family = rng.choices([f for f, _ in FAMILY], weights=[w for _, w in FAMILY])[0]
    if rng.random() < 0.5:
        name = f"{family} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"
    else:
        name = f"{family} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"
    return name.upper() if rng.random() < 0.08 else name


def phone_number(rng: random.Random, taken: set[str]) -> str:
    """A new mobile number in national form (``0XXXXXXXXX``), unique within ``taken``."""
    while True:
        number = rng.choice(MOBILE) + f"{rng.randrange(10**7):07d}"
        if number not in taken:
            taken.add(number)
            return number


def written_phone(rng: random.Random, number: str) -> str | int:
    """``number`` as people and spreadsheets write it (spaces, dots, +84, lost leading zero, old prefix)."""
    style = rng.randrange(8)
    if style == 0:
        return f"{number[:4]} {number[4:7]} {number[7:]}"
    if style == 1:
        return f"{number[:4]}.{number[4:7]}.{number[7:]}"
    if style == 2:
        return f"+84 {number[1:4]} {number[4:7]} {number[7:]}"
    if style == 3:
        return int(number)  # a number cell: the leading zero is gone
    if style == 4 and number[:3] in OLD_PREFIX:
        return OLD_PREFIX[number[:3]] + number[3:]
    if style == 5:
        return "84" + number[1:]
    return number
