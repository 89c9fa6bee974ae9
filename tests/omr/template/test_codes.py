"""Other systems' names and file names made into template names and field and value codes."""

from __future__ import annotations

import pytest

from omr.errors import BadArgumentsError
from omr.template.codes import CodeBook, checked_name, clean_code, clean_name, clean_value, unique_values


def test_names_are_lower_case_words_joined_by_hyphens() -> None:
    assert clean_name("City Survey_2018") == "city-survey-2018"
    assert clean_name("--", "form") == "form" and clean_name("") == "imported-form"


def test_a_bad_name_is_refused_saying_what_a_name_may_hold() -> None:
    assert checked_name("city-survey-2018") == "city-survey-2018"
    for bad in ("City", "-x", "a b", ""):
        with pytest.raises(BadArgumentsError, match=r"--name .*lower-case letters, digits and '-'"):
            checked_name(bad)


def test_codes_and_values_keep_only_what_the_schema_allows() -> None:
    assert (clean_code("Subject Code"), clean_code("1a"), clean_code("q5.1"), clean_code("")) == (
        "Subject_Code", "F1a", "q5_1", "F")
    assert clean_value(" A+ ") == "A"
    assert unique_values(["A", "B"]) == ["A", "B"] and unique_values(["yes", "+"]) == ["1", "2"]


def test_the_code_book_hands_out_each_code_once_and_the_same_code_again() -> None:
    book = CodeBook(taken={"Q1"})
    assert [book.code("Q1"), book.code("Q 1"), book.code("Q1")] == ["Q1_2", "Q_1", "Q1_2"]
    assert book.reserve("Q1") == "Q1_3"
