"""The post's outcome sheet: every row applied, unchanged or rejected; one transaction; idempotent."""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from _fw_ledger import SURVEY, printed_ledger
from sqlalchemy import func, select

from fieldwork.ledger import by_form_id, history
from fieldwork.ledger_schema import FieldworkEvent, FieldworkForm, FieldworkImport
from fieldwork.returns import FLAG_COLLECTED_EARLY, import_returns
from omr.formid import new_form_id
from omr.store.db import Store
from sipas.cli import main

VI = ["Mã phiếu", "Bưu tá", "Ngày giao bưu điện", "Ngày phát", "Kết quả", "Ngày thu", "Ghi chú"]
OTHER = new_form_id(random.Random(99))
EN = ["Form ID", "Postman", "Handed", "Delivered", "Outcome", "Collected", "Note"]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = VI) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Bưu điện Long Biên — kết quả phát phiếu"])  # a title block above the header
        w.writerow(header)
        w.writerows(rows)
    return path


def sheet(ids: list[str]) -> list[list[str]]:
    return [
        [ids[0], "Trần Văn Bưu", "18/12/2022", "19/12/2022", "Đã phát", "20/12/2022", ""],
        [ids[1], "Trần Văn Bưu", "18/12/2022", "19/12/2022", "khong tim thay nguoi nhan", "", "không có nhà"],
        [ids[2], "Lê Thị Phát", "18/12/2022", "19/12/2022", "Từ chối", "", ""],
        [ids[3], "Lê Thị Phát", "18/12/2022", "19/12/2022", "chuyen di", "", ""],
        [OTHER, "", "", "19/12/2022", "Đã phát", "", ""],  # well-formed id, not of this survey
        ["=HYPERLINK(\"x\")", "", "", "", "", "", ""],
        [ids[4], "", "18/12/2022", "32/12/2022", "Đã phát", "", ""],
        [ids[5], "", "18/12/2022", "19/12/2022", "từ chối", "20/12/2022", ""],  # refused, then collected?
        [ids[6], "", "18/12/2022", "21/12/2022", "delivered", "20/12/2022", ""],  # collected before delivered
        [ids[7], "", "18/12/2022", "19/12/2022", "lost in the river", "", ""],
    ]


def states(store: Store, fid: str) -> list[str]:
    with store.session() as s:
        return [e.state for e in history(s, by_form_id(s, [fid])[fid].id)]


def test_rows_applied_unchanged_or_rejected(tmp_path: Path) -> None:
    store, ids = printed_ledger(tmp_path)
    result = import_returns(store, SURVEY, write_csv(tmp_path / "post.csv", sheet(ids)), "clerk")
    assert (result.rows, result.applied, result.unchanged, result.rejected, result.flagged) == (10, 5, 0, 5, 1)
    assert result.rejected_by_reason == {"unknown-form-id": 1, "bad-form-id": 1, "bad-date": 1, "transition": 1,
                                         "bad-outcome": 1}
    by_row = {o.where: o for o in result.outcomes}
    assert by_row["row 3"].states == ("handed", "delivered", "collected")
    assert by_row["row 9"].reason == "unreadable date in column delivered (ngày phát): '32/12/2022'; write dd/mm/yyyy"
    assert by_row["row 10"].reason == "impossible transition: collected on 2022-12-20: the form is already refused; " \
        "it cannot also be collected"
    assert by_row["row 11"].flags == (FLAG_COLLECTED_EARLY,) and by_row["row 11"].result == "applied"
    assert states(store, ids[0]) == ["drawn", "printed", "handed", "delivered", "collected"]
    assert states(store, ids[1])[-1] == "unreachable"
    assert states(store, ids[5]) == ["drawn", "printed"]  # a rejected row is all or nothing
    with store.session() as s:
        forms = by_form_id(s, ids)
        assert forms[ids[0]].postman == "Trần Văn Bưu" and forms[ids[0]].state_on == dt.date(2022, 12, 20)
        assert forms[ids[3]].state == "moved" and forms[ids[3]].reason == "moved"
        batch = s.scalars(select(FieldworkImport)).one()
        assert (batch.rows, batch.applied, batch.rejected, batch.actor) == (10, 5, 5, "clerk")
        post = list(s.scalars(select(FieldworkEvent).where(FieldworkEvent.source == "post")))
        assert post and {e.batch for e in post} == {batch.id}
        assert all(e.reason in (None, "unreachable", "refused", "moved") for e in post)  # notes stay in the sheet


def test_same_file_again_and_repeated_rows_change_nothing(tmp_path: Path) -> None:
    store, ids = printed_ledger(tmp_path)
    path = write_csv(tmp_path / "post.csv", sheet(ids))
    first = import_returns(store, SURVEY, path, "clerk")
    again = import_returns(store, SURVEY, path, "clerk")
    assert again.already_imported_at is not None and again.batch == first.batch and again.applied == 0
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(EN)
    for r in sheet(ids)[:4]:
        ws.append([r[0], r[1], dt.datetime.strptime(r[2], "%d/%m/%Y"), r[3], r[4], r[5], r[6]])
    book.save(tmp_path / "post-copy.xlsx")
    with store.session() as s:
        n_events = s.scalar(select(func.count()).select_from(FieldworkEvent))
    repeat = import_returns(store, SURVEY, tmp_path / "post-copy.xlsx", "clerk")
    assert (repeat.applied, repeat.unchanged, repeat.rejected) == (0, 4, 0)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(FieldworkEvent)) == n_events
        assert s.scalar(select(func.count()).select_from(FieldworkImport)) == 2


def test_failure_mid_import_leaves_nothing(tmp_path: Path) -> None:
    store, ids = printed_ledger(tmp_path)
    path = write_csv(tmp_path / "post.csv", sheet(ids))

    def fail_after_three(n: int) -> None:
        if n == 3:
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        import_returns(store, SURVEY, path, "clerk", on_row=fail_after_three)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(FieldworkImport)) == 0
        assert s.scalar(select(func.count()).select_from(FieldworkEvent).where(FieldworkEvent.source == "post")) == 0
        assert {f.postman for f in s.scalars(select(FieldworkForm))} == {None}
    assert import_returns(store, SURVEY, path, "clerk").applied == 5  # the same file imports afterwards


KILLER = """
import os, signal, sys
from pathlib import Path
from fieldwork.returns import import_returns
from omr.store.db import open_store

def die(n):
    if n == 4:
        os.kill(os.getpid(), signal.SIGKILL)

import_returns(open_store(Path(sys.argv[1])), sys.argv[2], Path(sys.argv[3]), "clerk", on_row=die)
"""


def test_killed_import_leaves_nothing(tmp_path: Path) -> None:
    store, ids = printed_ledger(tmp_path)
    path = write_csv(tmp_path / "post.csv", sheet(ids))
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-c", KILLER, str(tmp_path / "ws"), SURVEY, str(path)], cwd=root,
                          env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True, timeout=120)
    assert proc.returncode == -9
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(FieldworkImport)) == 0
        assert s.scalar(select(func.count()).select_from(FieldworkEvent).where(FieldworkEvent.source == "post")) == 0
    assert import_returns(store, SURVEY, path, "clerk").applied == 5


def test_command_exit_code_and_rejects_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store, ids = printed_ledger(tmp_path)
    survey = tmp_path / "survey.yaml"
    survey.write_text(Path(__file__).resolve().parents[2].joinpath("examples", "long-bien-2020.yaml")
                      .read_text(encoding="utf-8"), encoding="utf-8")
    from fieldwork.survey import load_survey

    name = load_survey(survey).name
    with store.session() as s:  # the helper's ledger belongs to SURVEY: give it the survey's name
        for f in s.scalars(select(FieldworkForm)):
            f.survey = name
    path = write_csv(tmp_path / "post.csv", sheet(ids))
    args = ["fieldwork", "returns", "import", str(path), "--survey", str(survey), "-w", str(tmp_path / "ws")]
    assert main(args) == 5
    out = capsys.readouterr().out
    assert "10 rows: 5 applied, 0 unchanged, 5 rejected, 1 flagged" in out
    with (tmp_path / "post.rejects.csv").open(encoding="utf-8-sig") as fh:
        rejects = list(csv.DictReader(fh))
    assert len(rejects) == 6 and {r["result"] for r in rejects} == {"rejected", "applied"}
    assert any(r["form_id"].startswith("'=HYPERLINK") for r in rejects)  # formula neutralised
    assert main(args) == 0
    assert "already imported on" in capsys.readouterr().out
    clean = write_csv(tmp_path / "clean.csv", sheet(ids)[:1])
    assert main(["fieldwork", "returns", "import", str(clean), "--survey", str(survey), "-w",
                 str(tmp_path / "ws")]) == 0
    assert "1 rows: 0 applied, 1 unchanged, 0 rejected" in capsys.readouterr().out
