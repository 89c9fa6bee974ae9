"""Free-text opinions grouped by unit and theme, without identity.

Which texts: every ``text`` field of the template that is not a write-in of an option (both SIPAS
templates: ``OPINION``). Identity never goes through: no form id is kept, texts are sorted within a
group (so their order does not follow the forms), and anything that looks like a phone number,
an e-mail address or an ID-card number (runs of 6+ digits, with spaces, dots or dashes) is
replaced by ``[…]``. Names cannot be recognised reliably; reviewers are asked not to transcribe
them (docs/scoring.md).

Themes: a text belongs to every theme one of whose keywords it contains (compared without case,
after Unicode NFC); a text with none is ``Khác`` (other). The keywords are in :data:`THEMES`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs in the venv

from omr.template.model import Template, TextField
from scoring.results import OpinionGroup

THEMES: dict[str, tuple[str, ...]] = {
    "Thủ tục hành chính": ("thủ tục", "hồ sơ", "giấy tờ", "một cửa", "rườm rà", "phức tạp"),
    "Thái độ, năng lực công chức": ("cán bộ", "công chức", "thái độ", "nhân viên", "phục vụ", "hướng dẫn"),
    "Thời gian giải quyết": ("thời gian", "chậm", "trễ", "lâu", "đúng hẹn", "nhanh"),
    "Phí, chi phí không chính thức": ("phí", "lệ phí", "tiền", "chi phí", "bồi dưỡng", "tham nhũng", "nhũng nhiễu"),
    "Dịch vụ công trực tuyến, chuyển đổi số": ("trực tuyến", "online", "mạng", "internet", "điện tử", "ứng dụng",
                                               "chuyển đổi số", "vneid"),
    "Cơ sở vật chất": ("cơ sở vật chất", "chỗ ngồi", "trang thiết bị", "phòng chờ", "bãi xe", "máy"),
    "Thông tin, công khai": ("thông tin", "công khai", "minh bạch", "niêm yết", "thông báo"),
    "Chính sách, đời sống": ("chính sách", "đường sá", "mất điện", "nước sạch", "y tế", "bệnh viện",
                             "trường học", "an ninh", "việc làm"),
}
"""Theme → keywords (Vietnamese, lower case). A first, documented cut; edit here to refine."""
OTHER = "Khác"
IDENTITY = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\+?\d(?:[\s.\-]?\d){5,}")
REDACTED = "[…]"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _has(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


def themes_of(text: str) -> list[str]:
    """Themes whose keywords occur in ``text`` (whole words), or ``[OTHER]``."""
    folded = _fold(text)
    found = [theme for theme, words in THEMES.items() if any(_has(folded, _fold(w)) for w in words)]
    return found or [OTHER]


def redact(text: str) -> str:
    """The text on one line with phone numbers, e-mail addresses and long digit runs blanked."""
    return IDENTITY.sub(REDACTED, " ".join(text.split()))


def opinion_fields(template: Template) -> list[str]:
    return [q.code for q in template.fields() if isinstance(q, TextField)]


def group_opinions(frame: pd.DataFrame, template: Template, unit_col: str | None,
                   names: dict[str, tuple[str, str]]) -> tuple[OpinionGroup, ...]:
    """Opinions by unit (``unit_col``, e.g. ``province``; None = national) and theme."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for code in opinion_fields(template):
        if code not in frame.columns:
            continue
        units = frame[unit_col].fillna("").astype(str) if unit_col in frame.columns else pd.Series("", frame.index)
        for unit, text in zip(units, frame[code].fillna("").astype(str), strict=True):
            clean = redact(text)
            if not clean or clean == "*":
                continue
            for theme in themes_of(clean):
                groups[(unit, theme)].append(clean)
    theme_order = [*THEMES, OTHER]
    out = []
    for (unit, theme), texts in sorted(groups.items(), key=lambda kv: (names.get(kv[0][0], (kv[0][0], ""))[0],
                                                                       theme_order.index(kv[0][1]))):
        vi, en = names.get(unit, (unit or "Toàn quốc", unit or "National"))
        out.append(OpinionGroup(unit=vi, unit_en=en, theme=theme, texts=tuple(sorted(texts))))
    return tuple(out)
