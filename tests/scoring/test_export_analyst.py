"""The analyst dataset as analysts open it: SPSS and Stata re-read with labels, measure levels,
one 0/1 variable per option of Q2, dates as dates and unit names of the survey year's scheme."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd  # type: ignore[import-untyped]
import pyarrow.parquet as pq
import pyreadstat
import pytest
from scoring_fixtures import FORMS, SCORE_MINI
from test_scoring_store import _build

from omr.template.load import load_template
from omr.template.model import Template
from scoring.data import Dataset, _frame, load_store_dataset
from scoring.export import analyst_frame, choose_scheme, export_dataset
from sipas.cli import main

# Three hand-written forms of the 2023 questionnaire (Q2 is its multi-choice question, 7 options).
ANSWERS = {
    "H1": {"Q2": "4;6", "DATE": "01062025", "Q9_1": "5", "Q1_1": "3", "A3": "2", "A1": "1", "Q5": "2"},
    "H2": {"Q2": "", "DATE": "3?062025", "Q9_1": "2", "Q1_1": "", "A3": "5", "A1": "2", "Q5": "1"},
    "H3": {"Q2": "1", "DATE": "31022025", "Q9_1": "*", "Q1_1": "4", "A3": "", "A1": "", "Q5": ""},
}
PLACES = {
    "H1": {"province": "01", "district": "001", "commune": "00004", "village": "01"},
    "H2": {"province": "02", "district": "", "commune": "", "village": "02"},
    "H3": {"province": "1", "district": "999", "commune": "00001", "village": "03"},
}


@pytest.fixture(scope="module")
def t2023() -> Template:
    return load_template("sipas-2023")


@pytest.fixture()
def ds2023(t2023: Template) -> Dataset:
    return Dataset(t2023, _frame(t2023, ANSWERS, PLACES), source="hand-coded",
                   flagged_fields=frozenset({("H2", "Q2"), ("H3", "Q9_1")}))


def test_one_0_1_variable_per_q2_option_beside_the_joined_codes(ds2023: Dataset) -> None:
    df, _ = analyst_frame(ds2023, scheme="legacy")
    opts = [c for c in df.columns if c.startswith("Q2_") and c != "Q2_other"]
    assert opts == [f"Q2_{v}" for v in range(1, 8)]
    assert list(df["Q2"]) == ["4;6", "", "1"]
    assert list(df.loc[0, opts]) == [0, 0, 0, 1, 0, 1, 0]
    assert df.loc[1, opts].isna().all()  # left blank: missing, not 0
    assert list(df.loc[2, opts]) == [1, 0, 0, 0, 0, 0, 0]
    cols = list(df.columns)
    assert cols.index("Q2") + 1 == cols.index("Q2_1") and cols.index("Q2_7") + 1 == cols.index("Q2_other")


def test_dates_are_dates_and_unreadable_ones_missing_with_the_raw_digits_kept(ds2023: Dataset) -> None:
    df, _ = analyst_frame(ds2023, scheme="legacy")
    assert pd.api.types.is_datetime64_any_dtype(df["DATE"])
    assert df.loc[0, "DATE"] == pd.Timestamp(2025, 6, 1)
    assert df["DATE"].iloc[1:].isna().all()  # an unread digit, then 31 February
    assert list(df["DATE_raw"]) == ["01062025", "3?062025", "31022025"]


def test_unit_names_follow_the_scheme_of_the_survey_year(ds2023: Dataset) -> None:
    old, _ = analyst_frame(ds2023, scheme="legacy")
    assert list(old["province_name"].fillna("-")) == ["Thành phố Hà Nội", "Tỉnh Hà Giang", "Thành phố Hà Nội"]
    assert list(old["district_name"].fillna("-")) == ["Quận Ba Đình", "-", "-"]
    assert list(old["commune_name"].fillna("-")) == ["Phường Trúc Bạch", "-", "Phường Phúc Xá"]
    new, _ = analyst_frame(ds2023, scheme="2025")
    # Hà Giang (02) was merged into Tuyên Quang; the 2025 scheme has no district tier; 00004 is a new ward
    assert list(new["province_name"].fillna("-")) == ["Thành phố Hà Nội", "-", "Thành phố Hà Nội"]
    assert new["district_name"].isna().all()
    assert new.loc[0, "commune_name"] == "Phường Ba Đình"
    assert list(new["province"]) == ["01", "02", "1"]  # the codes stay as they are


def test_the_scheme_comes_from_the_year_the_dates_or_the_template(ds2023: Dataset, t2023: Template) -> None:
    assert choose_scheme(ds2023, 2025).scheme == "2025" and choose_scheme(ds2023, 2024).scheme == "legacy"
    by_dates = choose_scheme(ds2023)
    assert by_dates.scheme == "legacy" and "2025-06-01" in by_dates.basis  # 1 June 2025: before the reform
    later = {fid: {**a, "DATE": "15092025"} for fid, a in ANSWERS.items()}
    assert choose_scheme(Dataset(t2023, _frame(t2023, later, PLACES))).scheme == "2025"
    undated = {fid: {**a, "DATE": ""} for fid, a in ANSWERS.items()}
    choice = choose_scheme(Dataset(t2023, _frame(t2023, undated, PLACES)))
    assert choice.scheme == "legacy" and "sipas-2023" in choice.basis


def test_sav_reread_has_labels_measure_levels_options_dates_and_names(tmp_path: Path, ds2023: Dataset) -> None:
    out = tmp_path / "d.sav"
    export_dataset(ds2023, out, "sav", year=2025)
    df, meta = pyreadstat.read_sav(str(out), user_missing=True)
    assert meta.variable_measure["Q9_1"] == "ordinal" and meta.variable_measure["Q1_1"] == "ordinal"
    assert meta.variable_measure["A3"] == "ordinal"  # age bands
    assert meta.variable_measure["Q5"] == "ordinal"  # none / some / many
    assert meta.variable_measure["A1"] == "nominal" and meta.variable_measure["Q8_1"] == "nominal"  # yes/no grid
    assert meta.variable_measure["Q2_4"] == "nominal" and meta.variable_measure["DATE"] == "scale"
    assert meta.variable_value_labels["Q9_1"][5.0] == "Rất hài lòng"
    assert meta.variable_value_labels["Q2_4"] == {0.0: "Không chọn", 1.0: "Có chọn"}
    assert list(df["Q2_4"].fillna(-9)) == [1.0, -9, 0.0]
    assert df.loc[0, "DATE"] == dt.date(2025, 6, 1) and pd.isna(df.loc[1, "DATE"])
    assert meta.original_variable_types["DATE"] == "DATE11"
    assert df.loc[2, "Q9_1"] == -1.0 and meta.missing_ranges["Q9_1"] == [{"lo": -1.0, "hi": -1.0}]
    assert list(df["province_name"]) == ["Thành phố Hà Nội", "", "Thành phố Hà Nội"]
    label = meta.column_names_to_labels["Q9_1"]
    assert label == ("Xin Ông/Bà cho biết mức độ hài lòng đối với từng nội dung dưới đây: Thông tin về chính "
                     "sách được cung cấp bằng nhiều hình thức, dễ tìm, dễ thấy")
    assert all(")." not in (lab or "") and "ô)" not in (lab or "") for lab in meta.column_labels)
    assert str(meta.column_names_to_labels["Q2_4"]).endswith(": Người thân, bạn bè")
    assert all(len((lab or "").encode()) <= 255 for lab in meta.column_labels)


def test_dta_reread_has_variable_and_value_labels(tmp_path: Path, ds2023: Dataset) -> None:
    out = tmp_path / "d.dta"
    export_dataset(ds2023, out, "dta", lang="en")
    df, meta = pyreadstat.read_dta(str(out), user_missing=True)
    assert meta.variable_value_labels["Q9_1"][4] == "Satisfied"
    assert meta.variable_value_labels["Q2_6"] == {0: "Not ticked", 1: "Ticked"}
    assert list(df["Q2_6"].fillna(-9)) == [1, -9, 0]
    assert df.loc[2, "Q9_1"] == "a" and meta.missing_user_values["Q9_1"] == ["a"]  # .a = unresolved double mark
    assert df.loc[0, "DATE"] == dt.date(2025, 6, 1) and meta.original_variable_types["DATE"] == "%td"
    assert list(df["commune_name"]) == ["Phường Trúc Bạch", "", "Phường Phúc Xá"]  # legacy, from the dates
    assert all(len(lab or "") <= 80 for lab in meta.column_labels)
    assert meta.column_names_to_labels["Q9_1"] == ("How satisfied…: Policy information is provided in many forms "
                                                    "and is easy to find")  # the question shortened, the row whole
    assert meta.column_names_to_labels["A3"] == "Age group"


def test_parquet_and_csv_carry_dates_and_options(tmp_path: Path, ds2023: Dataset) -> None:
    export_dataset(ds2023, tmp_path / "d.parquet", "parquet")
    assert str(pq.read_schema(tmp_path / "d.parquet").field("DATE").type) == "date32[day]"
    export_dataset(ds2023, tmp_path / "d.csv", "csv")
    back = pd.read_csv(tmp_path / "d.csv", dtype=str, keep_default_na=False)
    assert list(back["DATE"]) == ["2025-06-01", "", ""] and list(back["Q2_6"]) == ["1", "", "0"]


def test_codebook_states_provisional_values_measure_and_scheme(tmp_path: Path, ds2023: Dataset) -> None:
    result = export_dataset(ds2023, tmp_path / "d.sav", "sav")
    book = json.loads(result.codebook[1].read_text(encoding="utf-8"))
    assert book["provisional_values"] == {"Q2": 1, **{f"Q2_{v}": 1 for v in range(1, 8)}, "Q9_1": 1}
    byname = {v["name"]: v for v in book["variables"]}
    assert byname["Q9_1"]["flagged_values"] == 1 and byname["Q9_2"]["flagged_values"] == 0
    assert byname["Q9_1"]["measure"] == "ordinal" and byname["Q2_3"]["kind"] == "option"
    assert "joined" in byname["Q2"]["note"] and byname["DATE_raw"]["kind"] == "raw"
    assert book["unit_names"].startswith("legacy scheme (63 provinces")
    md = result.codebook[0].read_text(encoding="utf-8")
    assert "**Provisional values**" in md and "Q9_1 (1)" in md


def test_store_export_counts_flagged_values_of_unverified_forms(tmp_path: Path, mini_template: Template) -> None:
    store = _build(tmp_path, mini_template)
    ds = load_store_dataset(store, mini_template, include_unverified=True)
    assert ds.flagged_fields == {("F4", "Q9_3"), ("F4", "Q9_4")}
    result = export_dataset(ds, tmp_path / "d.dta", "dta", include_unverified=True, year=2019)
    book = json.loads(result.codebook[1].read_text(encoding="utf-8"))
    assert book["provisional_values"] == {"Q9_3": 1, "Q9_4": 1}
    df, meta = pyreadstat.read_dta(str(tmp_path / "d.dta"))
    assert list(df["status"]) == ["verified", "verified", "verified", "review", "incomplete", "incomplete"]
    assert list(df["Q2_1"].fillna(-9)) == [1, 0, -9, 0, 1, 0]
    assert list(df["province_name"][:3]) == ["Thành phố Hà Nội", "Thành phố Hà Nội", "Tỉnh Hà Giang"]
    verified = load_store_dataset(store, mini_template)
    assert verified.flagged_fields == frozenset()
    assert FORMS["F4"]["Q9_3"] == "5"


def test_export_command_writes_stata_with_the_year(tmp_path: Path, mini_template: Template,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    _build(tmp_path, mini_template)
    out = tmp_path / "d.dta"
    assert main(["export", "--format", "dta", "--out", str(out), "--workspace", str(tmp_path / "ws"),
                 "--template", str(SCORE_MINI), "--year", "2025", "--lang", "en"]) == 0
    assert "unit names: 2025 scheme (34 provinces" in capsys.readouterr().out
    df, meta = pyreadstat.read_dta(str(out))
    assert list(df["province_name"]) == ["Thành phố Hà Nội", "Thành phố Hà Nội", ""]  # 02 merged away
    assert meta.variable_value_labels["Q5"][1] == "None"
