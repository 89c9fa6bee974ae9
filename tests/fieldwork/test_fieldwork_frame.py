"""The frame import against synthetic lists whose truth is known row by row."""

from __future__ import annotations

import csv
import random
import stat
from pathlib import Path

import openpyxl
import pytest
from _fieldwork import truth_of

from fieldwork.frame_check import REASONS, FrameChecker
from fieldwork.frame_io import frame_hash, read_frame, write_frame, write_rejects
from fieldwork.frame_read import read_table
from fieldwork.survey import Survey
from omr.errors import InputFileError
from samples.frame.generate import synth_frame


def _check_against_truth(survey: Survey, out: Path) -> dict[str, int]:
    truth = truth_of(out.with_name(out.stem + ".truth.csv"))
    result = FrameChecker(survey).check(read_table(out, survey.columns))
    accepted = {(r.unit, r.row): r for r in result.records}
    rejected = {(r.sheet, r.row): r for r in result.rejections}
    assert len(accepted) + len(rejected) == len(truth)
    wrong = []
    for key, t in truth.items():
        if t["expected"] == "accepted":
            ok = key in accepted and accepted[key].commune == t["commune"]
            got = accepted[key].commune if key in accepted else rejected[key].reason
        else:
            ok = key in rejected and rejected[key].reason == t["expected"]
            got = rejected[key].reason if key in rejected else "accepted"
        if not ok:
            wrong.append((key, t["expected"], got))
    assert wrong == []
    seen: dict[str, int] = {}
    for t in truth.values():
        seen[t["expected"]] = seen.get(t["expected"], 0) + 1
    return seen


def test_legacy_one_stop_shop_rows_match_truth(long_bien: Survey, tmp_path: Path) -> None:
    out = tmp_path / "lb.xlsx"
    synth_frame(long_bien, 700, 5, out, defect_share=0.4)
    seen = _check_against_truth(long_bien, out)
    expected = set(REASONS) - {"unknown-village", "address-ambiguous"}
    assert expected <= set(seen), f"the synthetic frame lacks {expected - set(seen)}"


def test_2025_household_rows_match_truth(household: Survey, tmp_path: Path) -> None:
    out = tmp_path / "hh.xlsx"
    synth_frame(household, 600, 6, out, defect_share=0.4)
    seen = _check_against_truth(household, out)
    assert {"address-ambiguous", "unknown-village", "duplicate-person", "outside-unit"} <= set(seen)


def test_synth_frame_same_seed_same_bytes(long_bien: Survey, tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.xlsx", tmp_path / "b.xlsx", tmp_path / "c.xlsx"
    synth_frame(long_bien, 200, 9, a)
    synth_frame(long_bien, 200, 9, b)
    synth_frame(long_bien, 200, 10, c)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def _as_csv_files(survey: Survey, src: Path, folder: Path, seed: int) -> list[Path]:
    """The rows of ``src`` in two CSV files, in a shuffled order."""
    book = openpyxl.load_workbook(src, read_only=True)
    rows = [list(r) for ws in book.worksheets for r in list(ws.iter_rows(values_only=True))[3:]]
    header = list(next(book.worksheets[0].iter_rows(min_row=3, max_row=3, values_only=True)))
    book.close()
    random.Random(seed).shuffle(rows)
    files = []
    for i, part in enumerate((rows[: len(rows) // 2], rows[len(rows) // 2:])):
        path = folder / f"part{seed}-{i}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            for r in part:
                w.writerow(["" if v is None else (v.strftime("%d/%m/%Y") if hasattr(v, "strftime") else v) for v in r])
        files.append(path)
    return files


def test_frame_hash_ignores_file_and_row_order(long_bien: Survey, tmp_path: Path) -> None:
    src = tmp_path / "lb.xlsx"
    synth_frame(long_bien, 300, 4, src)
    hashes = set()
    for seed in (1, 2):
        rows = [r for f in _as_csv_files(long_bien, src, tmp_path, seed) for r in read_table(f, long_bien.columns)]
        hashes.add(frame_hash(FrameChecker(long_bien).check(rows).records))
    hashes.add(frame_hash(FrameChecker(long_bien).check(read_table(src, long_bien.columns)).records))
    assert len(hashes) == 1


def test_frame_file_round_trip_and_private(long_bien: Survey, tmp_path: Path) -> None:
    src = tmp_path / "lb.xlsx"
    synth_frame(long_bien, 150, 4, src)
    result = FrameChecker(long_bien).check(read_table(src, long_bien.columns))
    write_frame(result.records, tmp_path / "frame.csv")
    write_rejects(result.rejections, tmp_path / "rejects.xlsx")
    assert read_frame(tmp_path / "frame.csv") == result.records
    for name in ("frame.csv", "rejects.xlsx"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    book = openpyxl.load_workbook(tmp_path / "rejects.xlsx", read_only=True)
    units = {u.code for u in long_bien.units}
    assert set(book.sheetnames) <= units | {"khong-ro-don-vi"}
    first = [c for c in next(book.worksheets[0].iter_rows(max_row=1, values_only=True))]
    assert first[:3] == ["Tệp / file", "Dòng / row", "Lý do / reason"]
    book.close()


def test_missing_columns_named(long_bien: Survey, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Họ và tên,Ghi chú\nNguyễn Văn An,x\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"list\.csv: no header row with the columns address: Địa chỉ"):
        read_table(path, long_bien.columns)


def test_header_variants_and_formula_neutralised(long_bien: Survey, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        "DANH SÁCH\n\nHO TEN;DIA CHI;SDT;Ngay giao dich;Linh vuc;Don vi\n"
        "Trần Thị Lan;Số 3 ngõ 5, P. Thượng Thanh, Q. Long Biên, Hà Nội;0912 345 678;03/02/2020;Tư pháp;"
        "Phường Thượng Thanh\n"
        "=HYPERLINK(1);Số 3, P. Thượng Thanh, Q. Long Biên, Hà Nội;0912 345 679;03/02/2020;Tư pháp;Thượng Thanh\n",
        encoding="utf-8")
    result = FrameChecker(long_bien).check(read_table(path, long_bien.columns))
    assert [r.commune for r in result.records] == ["00115", "00115"]
    assert result.records[0].stratum == "00115/tp"


def test_unit_given_on_the_command_line(long_bien: Survey, tmp_path: Path) -> None:
    path = tmp_path / "thuong-thanh.csv"
    path.write_text("Họ và tên,Địa chỉ,Số điện thoại,Ngày tiếp nhận,Lĩnh vực\n"
                    "Lê Văn Hùng,\"Tổ 3, P. Thượng Thanh, Q. Long Biên, Hà Nội\",0987 654 321,15/04/2020,Hộ tịch\n",
                    encoding="utf-8")
    rows = read_table(path, long_bien.columns)
    assert FrameChecker(long_bien).check(rows).rejections[0].reason == "unknown-unit"
    result = FrameChecker(long_bien, unit_hint="Phường Thượng Thanh").check(rows)
    assert [r.stratum for r in result.records] == ["00115/tp"]
