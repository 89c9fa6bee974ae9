"""What the report shows: numbers in the report's language, names of units, grouped share tables."""

from __future__ import annotations

import pytest

from scoring.data import Dataset
from scoring.options import IndexOptions
from scoring.provinces import ascii_name, merge_map, merged_from, province_labels, provinces
from scoring.report_views import (
    count,
    levels,
    method_text,
    number,
    place,
    range_text,
    sentence_case,
    share_blocks,
    signed,
    when,
)
from scoring.units import compute_results


@pytest.mark.parametrize(("value", "vi", "en"), [(83.944, "83,94", "83.94"), (100.0, "100,00", "100.00"),
                                                  (None, "—", "—"), (0.005, "0,01", "0.01")])
def test_numbers(value: float | None, vi: str, en: str) -> None:
    assert (number(value, "vi"), number(value, "en")) == (vi, en)


def test_signed_counts_and_dates() -> None:
    assert (signed(1.28, "vi"), signed(-0.5, "en"), signed(0.0, "vi")) == ("+1,28", "-0.50", "0,00")
    assert (count(12345, "vi"), count(12345, "en"), count(64, "vi")) == ("12.345", "12,345", "64")
    assert when("2025-03-04T05:06:07+00:00", "vi") == "04/03/2025 05:06 (UTC)"
    assert when("2025-03-04T12:06:07+07:00", "en") == "2025-03-04 05:06 UTC"
    assert when("not a date", "vi") == "not a date"


def test_titles_printed_in_capitals_become_headings() -> None:
    assert sentence_case("PHIẾU KHẢO SÁT SỰ HÀI LÒNG CỦA NGƯỜI DÂN") == "Phiếu khảo sát sự hài lòng của người dân"
    assert sentence_case("Phiếu khảo sát thử") == "Phiếu khảo sát thử"


def test_province_names_in_both_schemes() -> None:
    old, new = provinces("legacy"), provinces("2025")
    assert len(old) == 63 and len(set(old.values())) == 63
    assert len(new) == 34 and len(set(new.values())) == 34
    assert province_labels({"01", "22", "79", "99", "x"}) == {"01": "Hà Nội", "22": "Quảng Ninh",
                                                               "79": "Hồ Chí Minh"}
    assert province_labels({"48", "79"}, "en") == {"48": "Da Nang", "79": "Ho Chi Minh City"}
    # code 24 was Bắc Giang until 30 June 2025; since 1 July it is the merged Bắc Ninh
    assert province_labels({"24"}, "vi", "legacy") == {"24": "Bắc Giang"}
    assert province_labels({"24"}, "vi", "2025") == {"24": "Bắc Ninh"}
    assert ascii_name("Đắk Lắk") == "Dak Lak"


def test_merge_map_sends_the_63_provinces_onto_the_34() -> None:
    m = merge_map()
    assert len(m) == 63 and set(m.values()) == set(provinces("2025"))
    assert merged_from("31") == ["30", "31"]  # Hải Dương joined Hải Phòng
    assert merged_from("92") == ["92", "93", "94"]  # Cần Thơ, Hậu Giang, Sóc Trăng
    assert merged_from("22") == ["22"]  # Quảng Ninh unchanged


def test_levels_name_units_and_their_place(mini_dataset: Dataset) -> None:
    r = compute_results(mini_dataset)
    views = {v.level: v for v in levels(r, "vi")}
    assert [u.label for u in views["province"].units] == ["Hà Nội", "Hà Giang"]  # ranked
    assert views["province"].named and not views["district"].named
    district = views["district"].units[0]
    assert place(district, "vi") == "Hà Nội" and place(district, "en") == "Ha Noi"
    assert "1. Hà Nội" in views["province"].chart and "Toàn quốc: 70,00" in views["province"].chart
    assert range_text(r, "en") == "Across provinces: lowest 60.00 (Ha Giang), highest 80.00 (Ha Noi)"


def test_method_sentence_follows_the_options(mini_dataset: Dataset) -> None:
    pooled = compute_results(mini_dataset, IndexOptions(national="pooled", blanks="not-satisfied"))
    text = method_text(pooled, "en")
    assert text.startswith("An item index is satisfied answers (values 4, 5)")
    assert "the national value pools all forms" in text and "blank answers count as not satisfied" in text
    assert "=" not in text


def test_share_blocks_group_indicators_with_the_same_answers(mini_dataset: Dataset) -> None:
    r = compute_results(mini_dataset)
    blocks = share_blocks(r, "perception", "vi")
    # N2 (3 channels), N5 (none/some/many) and N5_NONE (one share): three blocks, side by side
    assert [b.answers for b in blocks] == [("Loa", "Internet", "Khác"), ("Không có", "Có một số", "Nhiều"), ("",)]
    assert all(b.matrix for b in blocks)
    assert [row.indicator for b in blocks for row in b.rows] == ["N2", "N5", "N5_NONE"]
    assert blocks[1].rows[0].values == pytest.approx((50.0, 25.0, 25.0))
    assert share_blocks(r, "expectation", "en")[0].rows[0].label == "Want transparency"
