"""Addresses → commune codes, both schemes, offline; measured on two hand-written sets."""

from __future__ import annotations

import pytest

from fieldwork.addresses import AddressBook, AddressProblem, Place, expand
from tools.bench_fieldwork import ADDRESS_SET, HELD_OUT, address_scores


def test_legacy_styles() -> None:
    book = AddressBook("legacy", "Thành phố Hà Nội")
    for text in ("12/3 Ngọc Lâm, P. Ngọc Lâm, Q. Long Biên, TP Hà Nội", "so 5, P.Ngoc Lam, Q.Long Bien, HN",
                 "tổ 5 phường ngọc lâm quận long biên", "Ngọc Lâm - Long Biên - Hà Nội"):
        place = book.place(text)
        assert isinstance(place, Place) and (place.district, place.commune) == ("004", "00133"), text


def test_2025_survey_converts_whole_communes_and_rejects_split_ones() -> None:
    book = AddressBook("2025", "Thành phố Hà Nội")
    whole = book.place("12/3 Ngọc Lâm, P. Ngọc Lâm, Q. Long Biên, Hà Nội")  # went whole into Phường Bồ Đề
    assert isinstance(whole, Place) and (whole.commune, whole.written) == ("00118", "legacy")
    split = book.place("Số 1, Phường Bồ Đề, Quận Long Biên, Hà Nội")  # split between three new wards
    assert isinstance(split, AddressProblem) and split.reason == "address-ambiguous"
    assert "Phường Hồng Hà" in split.detail
    new = book.place("Tổ 5, Phường Việt Hưng, Hà Nội")
    assert isinstance(new, Place) and (new.commune, new.written) == ("00127", "2025")


def test_legacy_survey_rejects_2025_addresses_and_guesses_nothing() -> None:
    book = AddressBook("legacy", "Thành phố Hà Nội")
    assert book.place("Phường Long Biên, Hà Nội") == AddressProblem(
        "address-scheme", "written in the 2025 units (Phường Long Biên, Thành phố Hà Nội); this survey uses the "
        "earlier units: ask for the address with its district")
    for text in ("xóm Chùa", "Hà Nội", "Số 5 ngõ 12", ""):
        got = book.place(text)
        assert isinstance(got, AddressProblem) and got.reason == "address-unparsed", text


def test_expand() -> None:
    assert expand("P.12, Q.10, TP.HCM") == "Phường 12, Quận 10, Thành phố HCM"
    assert expand("TT Củ Chi - H. Củ Chi") == "Thị trấn Củ Chi, Huyện Củ Chi"


@pytest.mark.parametrize(("path", "floor"), [(ADDRESS_SET, 1.0), (HELD_OUT, 0.9)])
def test_hit_rate_and_no_wrong_commune(path: object, floor: float) -> None:
    for score in address_scores(path):  # type: ignore[arg-type]
        assert score.wrong_commune == 0, score
        assert score.hit_rate >= floor, score
