"""Unit names by code in each scheme, from the vietnamadminunits data."""

from __future__ import annotations

import datetime as dt

from scoring.unitnames import names_by_code, scheme_for_date, scheme_for_year, unit_name


def test_the_two_schemes_have_63_and_34_provinces() -> None:
    assert len(names_by_code("legacy", "province")) == 63
    assert len(names_by_code("2025", "province")) == 34
    assert names_by_code("2025", "district") == {}  # two tiers from 1 July 2025


def test_names_by_code_differ_between_schemes() -> None:
    old = unit_name("legacy", "commune", "00004")
    new = unit_name("2025", "commune", "4")
    assert old is not None and old.name == "Phường Trúc Bạch"
    assert new is not None and new.name == "Phường Ba Đình" and new.code == "00004"
    assert unit_name("legacy", "province", "02") is not None and unit_name("2025", "province", "02") is None
    province = unit_name("2025", "province", "1")
    assert province is not None and (province.name, province.short_name) == ("Thành phố Hà Nội", "Hà Nội")
    assert unit_name("legacy", "district", "") is None and unit_name("legacy", "commune", "zz") is None


def test_scheme_of_a_date_or_year() -> None:
    assert scheme_for_date(dt.date(2025, 6, 30)) == "legacy" and scheme_for_date(dt.date(2025, 7, 1)) == "2025"
    assert scheme_for_year(2024) == "legacy" and scheme_for_year(2025) == "2025"
