"""Analyst exports: SPSS labels, Excel sheets, Parquet round trip, codebook, no identity columns."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd  # type: ignore[import-untyped]
import pyreadstat
import pytest

from omr.template.load import builtin_templates, load_template
from scoring.codebook import variables
from scoring.data import Dataset
from scoring.export import analyst_frame, export_dataset, is_identity_column


def test_sav_opens_with_variable_and_value_labels(tmp_path: Path, mini_dataset: Dataset) -> None:
    out = tmp_path / "d.sav"
    export_dataset(mini_dataset, out, "sav")
    df, meta = pyreadstat.read_sav(str(out), user_missing=True)
    assert list(df["form_id"]) == ["F1", "F2", "F3", "F4"]
    assert meta.column_names_to_labels["Q9_1"] == "Mức độ hài lòng: Thông tin dễ tìm"
    assert meta.variable_value_labels["Q9_1"][4.0] == "Hài lòng"
    assert list(df["Q9_1"]) == [5.0, 2.0, 4.0, 4.0]
    assert df.loc[2, "Q9_3"] == -1.0  # the unresolved double mark, declared user-missing
    assert meta.missing_ranges["Q9_3"] == [{"lo": -1.0, "hi": -1.0}]
    assert pd.isna(df.loc[1, "Q9_2"])  # blank
    assert df.loc[0, "Q2"] == "1;2"
    export_dataset(mini_dataset, tmp_path / "e.sav", "sav", lang="en")
    _, meta_en = pyreadstat.read_sav(str(tmp_path / "e.sav"), metadataonly=True)
    assert meta_en.column_names_to_labels["Q5"] == "Harassment"


def test_xlsx_has_data_and_labels_sheets(tmp_path: Path, mini_dataset: Dataset) -> None:
    out = tmp_path / "d.xlsx"
    export_dataset(mini_dataset, out, "xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["data", "labels"]
    rows = list(wb["data"].values)
    assert rows[0][:5] == ("form_id", "province", "district", "province_name", "district_name")
    assert rows[1][0] == "F1" and rows[1][rows[0].index("Q9_1")] == 5
    labels = list(wb["labels"].values)
    assert ("Q5", "", "", "1", "Không có", "", "", "") in [tuple("" if c is None else c for c in r) for r in labels]


def test_parquet_round_trips(tmp_path: Path, mini_dataset: Dataset) -> None:
    out = tmp_path / "d.parquet"
    export_dataset(mini_dataset, out, "parquet")
    back = pd.read_parquet(out)
    pd.testing.assert_frame_equal(back[list(mini_dataset.frame.columns)], mini_dataset.frame)
    assert all(pd.api.types.is_string_dtype(back[c]) for c in mini_dataset.frame.columns)
    assert list(back["Q2_1"]) == [1, 0, pd.NA, 0] and str(back["Q2_1"].dtype) == "Int8"


def test_codebook_lists_variables_and_value_labels(tmp_path: Path, mini_dataset: Dataset) -> None:
    out = tmp_path / "d.csv"
    result = export_dataset(mini_dataset, out, "csv")
    book = json.loads(Path(str(out) + ".codebook.json").read_text(encoding="utf-8"))
    names = [v["name"] for v in book["variables"]]
    assert names == list(pd.read_csv(out, dtype=str, keep_default_na=False).columns)
    q5 = next(v for v in book["variables"] if v["name"] == "Q5")
    assert ["1", "Không có", "None"] in q5["values"]
    assert "| Q9_1 | grid | ordinal | Q9 |" in result.codebook[0].read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["name", "ho_ten", "HoTen", "address", "dia_chi", "phone", "dien_thoai",
                                  "so_dien_thoai", "respondent_name", "email", "sdt", "cccd"])
def test_identity_names_are_recognised(name: str) -> None:
    assert is_identity_column(name)


@pytest.mark.parametrize("name", ["form_id", "province", "district", "commune", "village", "Q9_24", "A1",
                                  "OPINION", "DATE", "Q2_other", "status"])
def test_survey_columns_are_not_identity(name: str) -> None:
    assert not is_identity_column(name)


def test_identity_columns_never_reach_an_export(tmp_path: Path, mini_dataset: Dataset) -> None:
    frame = mini_dataset.frame.assign(ho_ten="Nguyễn Văn A", phone="0912345678", dia_chi="Hà Nội")
    leaky = Dataset(mini_dataset.template, frame)
    df, dropped = analyst_frame(leaky)
    assert set(dropped) == {"ho_ten", "phone", "dia_chi"}
    for fmt in ("csv", "xlsx", "parquet", "sav"):
        out = tmp_path / f"leak.{fmt}"
        export_dataset(leaky, out, fmt)
        content = out.read_bytes()
        assert "Nguyễn".encode() not in content and b"0912345678" not in content


@pytest.mark.parametrize("name", sorted(builtin_templates()))
def test_no_template_variable_can_carry_identity(name: str) -> None:
    cols = [v.name for v in variables(load_template(name), status_column=True)]
    assert not [c for c in cols if is_identity_column(c)]
