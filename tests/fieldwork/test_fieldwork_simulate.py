"""Simulated post outcomes: exact shares, the sheet the returns import reads, the truth, same seed same bytes."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from _fieldwork import HOUSEHOLD
from sqlalchemy import select

from fieldwork.ledger import apply, open_ledger
from fieldwork.ledger_schema import FieldworkForm
from fieldwork.returns import import_returns
from fieldwork.returns_read import read_returns
from fieldwork.simulate import Rates, pending_forms, simulate, truth_path, write_returns
from fieldwork.survey import Survey, parse_survey
from omr.errors import BadArgumentsError
from omr.render import new_copies
from omr.store.db import Store, open_store
from sipas.cli import main

COLLECTION = "collection: {deliver_by: 2025-12-03, collect_by: 2025-12-05}\n"


@pytest.fixture()
def survey(tmp_path: Path) -> tuple[Survey, Path]:
    text = HOUSEHOLD.read_text(encoding="utf-8") + COLLECTION
    path = tmp_path / "survey.yaml"
    path.write_text(text, encoding="utf-8")
    return parse_survey(text, str(path)), path


def _ledger(workspace: Path, survey: Survey, n: int) -> Store:
    """``n`` printed forms spread over the survey's strata (no dispatch: the ledger API alone)."""
    store = open_ledger(open_store(workspace))
    strata = [(u.code, g.code) for u in survey.units for g in survey.groups(u)]
    with store.session() as s:
        for i, copy in enumerate(new_copies(n, 11)):
            unit, grp = strata[i % len(strata)]
            form = FieldworkForm(survey=survey.name, stratum=f"{unit}/{grp}", unit=unit, grp=grp, list="official",
                                 rank=i // len(strata) + 1, person=f"p{i}", state="drawn", form_id=copy.form_id,
                                 route=f"route {grp}")
            s.add(form)
            s.flush()
            apply(s, form, "drawn", on=None, source="draw", actor="t")
            apply(s, form, "printed", on=None, source="dispatch", actor="t")
    return store


def test_exact_shares_and_late_definition(survey: tuple[Survey, Path], tmp_path: Path) -> None:
    s, _ = survey
    store = _ledger(tmp_path / "ws", s, 40)
    forms = simulate(s, pending_forms(store, s.name), 5, Rates(unreachable=0.1, refused=0.05, moved=0.025, late=0.1))
    by = {o: sum(f.outcome == o for f in forms) for o in ("delivered", "unreachable", "refused", "moved")}
    assert by == {"delivered": 33, "unreachable": 4, "refused": 2, "moved": 1}
    assert sum(f.late for f in forms) == 3
    collect_by = dt.date(2025, 12, 5)
    for f in forms:
        assert f.late == (f.delivered and (f.collected_on is None or f.collected_on > collect_by))
        assert f.collected == (f.collected_on is not None) and (not f.collected or f.delivered)
        assert f.delivered_on is not None and f.handed_on < f.delivered_on <= dt.date(2025, 12, 3)
        if f.collected_on is not None:
            assert f.collected_on >= f.delivered_on
    assert len({f.postman for f in forms}) == 9  # one postman per route (village)


def test_sheet_imports_to_the_truth(survey: tuple[Survey, Path], tmp_path: Path) -> None:
    s, _ = survey
    store = _ledger(tmp_path / "ws", s, 30)
    out = tmp_path / "post.xlsx"
    forms = write_returns(store, s, 2, Rates(unreachable=0.1, refused=0.1, moved=0.05, late=0.2), out)
    rows = read_returns(out)
    assert len(rows) == 30 and all(r.outcome and r.postman for r in rows)
    result = import_returns(store, s.name, out, "post")
    assert (result.applied, result.rejected) == (30, 0)
    with truth_path(out).open(encoding="utf-8") as fh:
        truth = {r["form_id"]: r for r in csv.DictReader(fh)}
    with store.session() as sess:
        ledger = {f.form_id: f for f in sess.scalars(select(FieldworkForm))}
    for f in forms:
        t, row = truth[f.form_id], ledger[f.form_id]
        expect = "collected" if t["collected"] == "1" else t["outcome"]
        assert row.state == expect, f.form_id
        assert row.postman == t["postman"]
    assert pending_forms(store, s.name) == []
    with pytest.raises(BadArgumentsError, match="no printed form waits"):
        write_returns(store, s, 2, Rates(), tmp_path / "again.xlsx")


def test_same_seed_same_bytes(survey: tuple[Survey, Path], tmp_path: Path) -> None:
    s, _ = survey
    store = _ledger(tmp_path / "ws", s, 20)
    for suffix in (".xlsx", ".csv"):
        a, b, c = (tmp_path / f"{n}{suffix}" for n in "abc")
        write_returns(store, s, 9, Rates(), a)
        write_returns(store, s, 9, Rates(), b)
        write_returns(store, s, 10, Rates(unreachable=0.3), c)
        assert a.read_bytes() == b.read_bytes() != c.read_bytes()
        assert truth_path(a).read_bytes() == truth_path(b).read_bytes() != truth_path(c).read_bytes()


def test_rates_are_checked() -> None:
    with pytest.raises(BadArgumentsError, match="more than 1"):
        Rates(unreachable=0.6, refused=0.5)
    with pytest.raises(BadArgumentsError, match="--late"):
        Rates(late=1.5)


def test_cli_synth_returns(survey: tuple[Survey, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s, path = survey
    _ledger(tmp_path / "ws", s, 12)
    out = tmp_path / "post.csv"
    assert main(["synth", "returns", "--survey", str(path), "-w", str(tmp_path / "ws"), "--seed", "1", "--out",
                 str(out), "--unreachable", "0.25"]) == 0
    assert "12 forms" in capsys.readouterr().out
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert header == "Mã phiếu,Bưu tá,Ngày giao bưu điện,Ngày phát,Kết quả,Ngày thu,Ghi chú"
    with truth_path(out).open(encoding="utf-8") as fh:
        assert sum(r["outcome"] == "unreachable" for r in csv.DictReader(fh)) == 3
    assert main(["synth", "returns", "--survey", str(path), "-w", str(tmp_path / "nowhere"), "--seed", "1",
                 "--out", str(out)]) != 0


def test_synth_fills_the_forms_of_a_manifest(tmp_path: Path) -> None:
    manifest = tmp_path / "returned.manifest.csv"
    ids = [c.form_id for c in new_copies(2, 21)]
    manifest.write_text("form_id,template,version,pages,province,district,commune,village\n"
                        + "".join(f"{i},sipas-2023,2023.2,5,01,,00127,tdp0{n}\n" for n, i in enumerate(ids, 1)),
                        encoding="utf-8")
    out = tmp_path / "scans"
    assert main(["synth", "--template", "sipas-2023", "--manifest", str(manifest), "--quality", "clean",
                 "--pages", "1", "--out", str(out)]) == 0
    with (out / "forms.manifest.csv").open(encoding="utf-8") as fh:
        written = [(r["form_id"], r["village"]) for r in csv.DictReader(fh)]
    assert written == [(ids[0], "tdp01"), (ids[1], "tdp02")]
    assert main(["synth", "--template", "sipas-2019", "--manifest", str(manifest), "--out",
                 str(tmp_path / "other")]) != 0  # a manifest of another template's forms
