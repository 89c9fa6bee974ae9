"""Substitution from the reserve list: rank order, the survey's limit, both slots recorded, forms printed."""

from __future__ import annotations

import csv
import stat
import sys
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from _fieldwork import HOUSEHOLD
from sqlalchemy import func, select

from fieldwork.ledger_schema import FieldworkEvent, FieldworkForm
from fieldwork.returns import import_returns
from fieldwork.substitute import _plan
from fieldwork.survey import Substitution, parse_survey
from omr.formid import display_form_id
from omr.store.db import Store, open_store
from sipas.cli import main

SURVEY = """\
name: mini-sub
year: 2025
instrument: sipas-2023
scheme: "2025"
population: household
province: {code: "01", name: Thành phố Hà Nội}
quota: 4
total: 12
reserve: {size: 3}
substitution: {max_per_stratum: 2}
seed: 7
units:
  - code: "00127"
    name: Phường Việt Hưng
    level: commune
    villages:
      - {code: tdp01, name: Tổ dân phố số 1, aliases: [Tổ 1, TDP 1]}
      - {code: tdp07, name: Tổ dân phố số 7, aliases: [Tổ 7, TDP 7]}
      - {code: tdp12, name: Tổ dân phố số 12, aliases: [Tổ 12, TDP 12]}
"""


@dataclass(frozen=True)
class Run:
    tmp: Path
    survey: Path
    ws: Path
    fw: Path
    unreached: dict[str, str]  # form id → outcome given by the post
    output: str

    def store(self) -> Store:
        return open_store(self.ws)


def _slots(store: Store) -> list[FieldworkForm]:
    with store.session() as s:
        out = list(s.scalars(select(FieldworkForm).order_by(FieldworkForm.stratum, FieldworkForm.list,
                                                            FieldworkForm.rank)))
        s.expunge_all()
    return out


def _events(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(FieldworkEvent)) or 0)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    tmp = tmp_path_factory.mktemp("substitute")
    survey, ws = tmp / "survey.yaml", tmp / "ws"
    fw = ws / "fieldwork"
    survey.write_text(SURVEY, encoding="utf-8")
    assert main(["synth", "frame", "--survey", str(survey), "--records", "80", "--seed", "1",
                 "--out", str(tmp / "list.xlsx")]) == 0
    assert main(["fieldwork", "frame", str(tmp / "list.xlsx"), "--survey", str(survey), "--out", str(fw)]) == 0
    assert main(["fieldwork", "draw", "--survey", str(survey), "--out", str(fw)]) == 0
    assert main(["fieldwork", "dispatch", "--survey", str(survey), "--out", str(fw), "--form-seed", "4",
                 "-w", str(ws)]) == 0
    slots = [f for f in _slots(open_store(ws)) if f.list == "official"]
    tdp07 = [f for f in slots if f.stratum == "00127/tdp07"]
    tdp01 = [f for f in slots if f.stratum == "00127/tdp01"]
    # tdp07: three not reached, limit 2 → one left without a substitute; tdp01: one refused
    unreached = {str(tdp07[3].form_id): "unreachable", str(tdp07[0].form_id): "moved",
                 str(tdp07[1].form_id): "unreachable", str(tdp01[2].form_id): "refused"}
    sheet = tmp / "post.csv"
    words = {"unreachable": "không tìm thấy người nhận", "refused": "từ chối", "moved": "chuyển đi",
             "delivered": "đã phát"}
    lines = ["Mã phiếu,Ngày phát,Kết quả"] + [
        f"{display_form_id(str(f.form_id))},02/12/2025,{words[unreached.get(str(f.form_id), 'delivered')]}"
        for f in slots]
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_returns(open_store(ws), "mini-sub", sheet, "post")
    assert (result.applied, result.rejected) == (12, 0)
    saved, sys.stdout = sys.stdout, StringIO()
    try:
        code = main(["fieldwork", "substitute", "--survey", str(survey), "-w", str(ws), "--actor", "tester",
                     "--form-seed", "5"])
        output = sys.stdout.getvalue()
    finally:
        sys.stdout = saved
    assert code == 0, output
    return Run(tmp, survey, ws, fw, unreached, output)


def test_next_reserve_in_rank_order_within_the_limit(run: Run) -> None:
    slots = _slots(run.store())
    by_form = {str(f.form_id): f for f in slots if f.form_id}
    tdp07 = [f for f in slots if f.stratum == "00127/tdp07"]
    official07 = [f for f in tdp07 if f.list == "official"]
    reserve07 = [f for f in tdp07 if f.list == "reserve"]
    # the not-reached officials are replaced in their rank order: rank 1 (moved), rank 2; rank 4 waits (limit 2)
    assert official07[0].replaced_by == reserve07[0].form_id and reserve07[0].substitute_for == official07[0].form_id
    assert official07[1].replaced_by == reserve07[1].form_id and reserve07[1].substitute_for == official07[1].form_id
    assert official07[3].replaced_by is None and reserve07[2].form_id is None and reserve07[2].state == "drawn"
    assert [f.state for f in reserve07] == ["printed", "printed", "drawn"]
    tdp01 = [f for f in slots if f.stratum == "00127/tdp01"]
    refused = next(f for f in tdp01 if f.list == "official" and f.state == "refused")
    first = next(f for f in tdp01 if f.list == "reserve" and f.rank == 1)
    assert refused.replaced_by == first.form_id and by_form[str(first.form_id)].substitute_for == refused.form_id
    assert all(f.form_id is None for f in slots if f.stratum == "00127/tdp12" and f.list == "reserve")
    assert sum(1 for f in slots if f.substitute_for) == 3
    assert (f"{display_form_id(str(official07[3].form_id))} (unreachable) NOT REPLACED: limit reached "
            "(2 of 2 substitutes used)") in run.output


def test_both_slots_have_an_event_with_reason_and_actor(run: Run) -> None:
    store = run.store()
    with store.session() as s:
        events = list(s.scalars(select(FieldworkEvent).where(FieldworkEvent.source == "substitute")))
        replaced = list(s.scalars(select(FieldworkForm).where(FieldworkForm.replaced_by.is_not(None))))
    assert len(events) == 6 and all(e.actor == "tester" and e.reason for e in events)
    for old in replaced:
        mine = [e for e in events if e.form_id == old.form_id]
        assert len(mine) == 1 and mine[0].state == old.state and f"replaced by {old.replaced_by}" in str(mine[0].reason)
        theirs = [e for e in events if e.form_id == old.replaced_by]
        assert len(theirs) == 1 and theirs[0].state == "printed" and f"substitute for {old.form_id}" in str(
            theirs[0].reason)


def test_forms_and_delivery_list_printed_like_dispatch(run: Run) -> None:
    batch = run.fw / "substitutions" / "001"
    assert sorted(p.name for p in (run.fw / "substitutions").iterdir()) == ["001"]
    with (batch / "forms" / "forms.manifest.csv").open(encoding="utf-8") as fh:
        manifest = list(csv.DictReader(fh))
    substitutes = {f.form_id: f for f in _slots(run.store()) if f.substitute_for}
    assert {m["form_id"] for m in manifest} == set(substitutes)
    assert all(m["village"] == substitutes[m["form_id"]].grp for m in manifest)
    ids = batch / "identities"
    assert stat.S_IMODE(ids.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in ids.iterdir())
    assert {"delivery.xlsx", "delivery.pdf", "labels.pdf", "forms.identities.csv"} <= {p.name for p in ids.iterdir()}
    with (run.fw / "reserve.csv").open(encoding="utf-8") as fh:
        reserve = {(r["stratum"], int(r["rank"])): r for r in csv.DictReader(fh)}
    with (ids / "forms.identities.csv").open(encoding="utf-8") as fh:
        who = {r["form_id"]: r for r in csv.DictReader(fh)}
    for fid, slot in substitutes.items():
        assert who[fid]["name"] == reserve[(slot.stratum, slot.rank)]["name"]
    book = openpyxl.load_workbook(ids / "delivery.xlsx", read_only=True)
    listed = {r[1] for ws in book.worksheets for r in ws.iter_rows(min_row=3, values_only=True)}
    book.close()
    assert listed == {display_form_id(str(f)) for f in substitutes}
    assert (batch / "forms" / "forms.pdf").read_bytes()[:5] == b"%PDF-"
    manifest_text = (batch / "forms" / "forms.manifest.csv").read_text(encoding="utf-8")
    assert not any(who[f]["name"] in manifest_text for f in who)


def test_rerun_with_nothing_new_changes_nothing(run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    store = run.store()
    before, events = [(f.id, f.state, f.form_id, f.replaced_by, f.substitute_for) for f in _slots(store)], \
        _events(store)
    assert main(["fieldwork", "substitute", "--survey", str(run.survey), "-w", str(run.ws), "--actor", "tester",
                 "--form-seed", "5"]) == 0
    out = capsys.readouterr().out
    assert "nothing to substitute (1 form(s) cannot be replaced)" in out and "limit reached" in out
    assert [(f.id, f.state, f.form_id, f.replaced_by, f.substitute_for) for f in _slots(store)] == before
    assert _events(store) == events
    assert sorted(p.name for p in (run.fw / "substitutions").iterdir()) == ["001"]


def _form(stratum: str, which: str, rank: int, state: str, fid: str | None, **kw: str) -> FieldworkForm:
    return FieldworkForm(id=hash((stratum, which, rank)) % 10**9, survey="x", stratum=stratum, unit="u", grp="g",
                         list=which, rank=rank, person="p", form_id=fid, state=state, **kw)


def test_plan_reports_an_exhausted_reserve_and_a_reached_limit() -> None:
    survey = parse_survey(SURVEY.replace("max_per_stratum: 2", "max_share: 0.5"), "survey.yaml")
    slots = [
        _form("a", "official", 1, "unreachable", "A1"), _form("a", "official", 2, "refused", "A2"),
        _form("a", "official", 3, "unreachable", "A3"), _form("a", "official", 4, "delivered", "A4"),
        _form("a", "reserve", 1, "drawn", None),
        _form("b", "official", 1, "moved", "B1"), _form("b", "official", 2, "refused", "B2"),
        _form("b", "official", 3, "unreachable", "B3", replaced_by="R1"),
        _form("b", "official", 4, "delivered", "B4"),
        _form("b", "reserve", 1, "printed", "R1", substitute_for="B3"), _form("b", "reserve", 2, "drawn", None),
        _form("b", "reserve", 3, "drawn", None),
    ]
    picks, short = _plan(survey, slots)
    ids = {f.id: f for f in slots}
    assert [(ids[p.replaced].form_id, ids[p.reserve].rank) for p in picks] == [("A1", 1), ("B1", 2)]
    assert [(s.form_id, s.why, s.limit, s.used) for s in short] == [
        ("A2", "reserve exhausted", 1, 1), ("A3", "reserve exhausted", 1, 1), ("B2", "limit reached", 2, 2)]


def test_substitution_limit() -> None:
    assert Substitution().limit(30, 15) == 15
    assert Substitution(max_per_stratum=4).limit(30, 15) == 4
    assert Substitution(max_share=0.3).limit(30, 15) == 9
    assert Substitution(max_per_stratum=20, max_share=0.3).limit(30, 5) == 5
    survey = parse_survey((HOUSEHOLD.read_text(encoding="utf-8")), "h.yaml")
    assert survey.substitution == Substitution()
