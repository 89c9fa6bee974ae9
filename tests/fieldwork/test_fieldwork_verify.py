"""Re-verification: a verifiable per-unit subsample of returned forms, call sheets, outcomes imported."""

from __future__ import annotations

import csv
import json
import stat
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from _fieldwork import HOUSEHOLD
from sqlalchemy import select

from fieldwork import verify as v
from fieldwork.ledger import Slot as SlotKey
from fieldwork.ledger import apply, by_form_id, load_draw, mark_printed, open_ledger, slot
from fieldwork.ledger_schema import VerificationRow
from fieldwork.survey import load_survey
from fieldwork.verify_io import FIRST_ROW, NOT_REACHED_COL, NOTE_COL, Q_COL
from omr.errors import BadArgumentsError, ExitCode
from omr.store.db import open_store
from omr.store.schema import AuditEvent
from sipas.cli import main

SURVEY_NAME = "ha-noi-2025-household"


def build_ledger(tmp: Path) -> tuple[Path, Path, dict[str, list[str]]]:
    """A workspace with a tiny household survey drawn, dispatched and in the ledger: per unit, 9 forms
    of which 8 came back (collected; two of them also scanned) and 1 only delivered. Returns the
    survey file, the workspace and unit → returned form ids."""
    survey = tmp / "survey.yaml"
    survey.write_text(HOUSEHOLD.read_text(encoding="utf-8").replace("quota: 30", "quota: 3")
                      .replace("total: 270", "total: 27").replace("size: 8", "size: 1"), encoding="utf-8")
    ws = tmp / "ws"
    fw = ws / "fieldwork"
    assert main(["synth", "frame", "--survey", str(survey), "--records", "300", "--seed", "2",
                 "--out", str(tmp / "list.xlsx")]) == 0
    assert main(["fieldwork", "frame", str(tmp / "list.xlsx"), "--survey", str(survey), "--out", str(fw)]) == 0
    assert main(["fieldwork", "draw", "--survey", str(survey), "--out", str(fw)]) == 0
    assert main(["fieldwork", "dispatch", "--survey", str(survey), "--out", str(fw), "--form-seed", "4"]) == 0
    name = load_survey(survey).name
    store = open_ledger(open_store(ws))
    load_draw(store, name, fw, actor="test")
    with (fw / "official.csv").open(encoding="utf-8") as fh:
        official = list(csv.DictReader(fh))
    with (fw / "dispatch" / "identities" / "forms.identities.csv").open(encoding="utf-8") as fh:
        ids = [r["form_id"] for r in csv.DictReader(fh)]
    returned: dict[str, list[str]] = {}
    with store.session() as s:
        for n, (row, fid) in enumerate(zip(official, ids, strict=True)):
            form = slot(s, name, SlotKey(row["stratum"], "official", int(row["rank"])))
            assert form is not None
            mark_printed(s, form, fid, row["group"], source="dispatch", actor="test")
            for state in ("handed", "delivered"):
                apply(s, form, state, on=None, source="post", actor="test")
            if n % 9 == 4:
                continue  # one per unit still with the respondent
            apply(s, form, "collected", on=None, source="post", actor="test")
            if n % 9 in (0, 1):
                apply(s, form, "scanned", on=None, source="scan", actor="test")
            returned.setdefault(row["unit"], []).append(fid)
    store.engine.dispose()
    return survey, ws, returned


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, list[str]]]:
    return build_ledger(tmp_path_factory.mktemp("verify"))


def _rows(ws: Path) -> list[VerificationRow]:
    store = open_store(ws)
    with store.session() as s:
        rows = list(s.scalars(select(VerificationRow).order_by(VerificationRow.id)))
        s.expunge_all()
    store.engine.dispose()
    return rows


def _audit(ws: Path) -> list[tuple[str, str, str | None]]:
    store = open_store(ws)
    with store.session() as s:
        out = [(e.action, e.actor, e.form_id) for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    store.engine.dispose()
    return out


@pytest.mark.parametrize(("text", "value"), [("5%", "0.05"), ("0.05", "0.05"), ("12.5 %", "0.125"), ("1", "1")])
def test_share_as_percentage_or_fraction(text: str, value: str) -> None:
    assert v.parse_share(text) == Decimal(value)


@pytest.mark.parametrize("text", ["5", "0", "-1%", "abc", "120%", "nan"])
def test_share_out_of_range_refused(text: str) -> None:
    with pytest.raises(BadArgumentsError, match="--share"):
        v.parse_share(text)


def test_choice_is_reproducible_order_free_and_sized() -> None:
    ids = [f"F{i:03d}" for i in range(40)]
    a = v.choose(ids, 7, "00127", Decimal("0.05"), 1)
    assert a == v.choose(list(reversed(ids)), 7, "00127", Decimal("0.05"), 1)
    assert len(a) == 2 and set(a) <= set(ids)  # ceil(0.05 × 40) = 2
    assert v.choose(ids, 8, "00127", Decimal("0.05"), 1) != a or v.choose(ids, 9, "00127", Decimal("0.05"), 1) != a
    assert v.choose(ids, 7, "00118", Decimal("0.05"), 1) != a or v.choose(ids, 7, "00541", Decimal("0.05"), 1) != a
    assert len(v.choose(ids[:3], 7, "u", Decimal("0.05"), 1)) == 1  # the minimum per unit
    assert len(v.choose(ids[:3], 7, "u", Decimal("0.05"), 5)) == 3  # never more than there are
    assert v.choose([], 7, "u", Decimal("0.5"), 1) == ()
    # the prefix of a longer draw: the first k of the same random order
    assert v.choose(ids, 7, "00127", Decimal("0.5"), 1)[:2] == a


def test_draw_verify_and_redraw(ledger: tuple[Path, Path, dict[str, list[str]]]) -> None:
    survey, ws, returned = ledger
    base = ["fieldwork", "verify", "draw", "--survey", str(survey), "-w", str(ws)]
    assert main([*base, "--share", "25%", "--seed", "11"]) == 0
    rows = _rows(ws)
    assert len(returned) == 3 and all(len(ids) == 8 for ids in returned.values())
    by_unit = {u: sorted(r.form_id for r in rows if r.unit == u) for u in returned}
    assert all(len(ids) == 2 for ids in by_unit.values())  # ceil(0.25 × 8)
    assert all(set(by_unit[u]) <= set(returned[u]) for u in returned)  # only returned forms of the unit
    assert all(r.outcome == "pending" and r.draw_seed == 11 and not r.flagged for r in rows)
    record = ws / "fieldwork" / "verify" / "verify-draw-11.json"
    rec = json.loads(record.read_text(encoding="utf-8"))
    assert rec["totals"] == {"eligible": 24, "chosen": 6}
    assert [u["eligible_forms"] for u in rec["units"]] == [sorted(returned[u]) for u in sorted(returned)]
    assert main([*base[:3], "--verify", str(record), "-w", str(ws), "--survey", str(survey)]) == 0
    # the same seed again: idempotent
    assert main([*base, "--share", "25%", "--seed", "11"]) == 0
    assert [(r.form_id, r.draw_seed) for r in _rows(ws)] == [(r.form_id, r.draw_seed) for r in rows]
    assert main([*base, "--share", "50%", "--seed", "11"]) == ExitCode.bad_args  # not the recorded share
    # another seed adds a draw from the forms not drawn yet
    assert main([*base, "--share", "0.25", "--seed", "12"]) == 0
    after = _rows(ws)
    new = [r for r in after if r.draw_seed == 12]
    assert len(after) == 12 and len(new) == 6 and not {r.form_id for r in new} & {r.form_id for r in rows}
    assert main([*base[:3], "--verify", str(record), "-w", str(ws), "--survey", str(survey)]) == 0
    assert sum(a == "verify-draw" for a, _, _ in _audit(ws)) == 3  # the refused one is not


def test_tampered_record_fails_with_exit_8(ledger: tuple[Path, Path, dict[str, list[str]]], tmp_path: Path) -> None:
    survey, ws, returned = ledger
    base = ["fieldwork", "verify", "draw", "--survey", str(survey), "-w", str(ws)]
    if not (ws / "fieldwork" / "verify" / "verify-draw-11.json").is_file():
        assert main([*base, "--share", "25%", "--seed", "11"]) == 0
    rec = json.loads((ws / "fieldwork" / "verify" / "verify-draw-11.json").read_text(encoding="utf-8"))
    unit = rec["units"][0]
    swapped = next(f for f in unit["eligible_forms"] if f not in unit["chosen_forms"])
    unit["chosen_forms"][0] = swapped  # a convenient respondent instead of the drawn one
    bad = tmp_path / "chosen.json"
    bad.write_text(json.dumps(rec), encoding="utf-8")
    assert main([*base, "--verify", str(bad)]) == ExitCode.conflict
    rec = json.loads((ws / "fieldwork" / "verify" / "verify-draw-11.json").read_text(encoding="utf-8"))
    hidden = next(f for f in rec["units"][1]["eligible_forms"] if f not in rec["units"][1]["chosen_forms"])
    rec["units"][1]["eligible_forms"].remove(hidden)  # a returned form kept out of the draw
    bad.write_text(json.dumps(rec), encoding="utf-8")
    assert main([*base, "--verify", str(bad)]) == ExitCode.conflict


def _fill(path: Path, marks: dict[int, dict[int, str | None]]) -> None:
    """Tick cells of a call sheet: line index → {column: value}."""
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[0]
    for i, cols in marks.items():
        for col, value in cols.items():
            ws.cell(row=FIRST_ROW + i, column=col, value=value)
    book.save(path)


def test_sheets_private_and_import_flags_interference(ledger: tuple[Path, Path, dict[str, list[str]]]) -> None:
    survey, ws, _ = ledger
    base = ["fieldwork", "verify"]
    for seed in ("11", "12"):  # as in test_draw_verify_and_redraw (idempotent): 4 calls per unit
        assert main([*base, "draw", "--survey", str(survey), "-w", str(ws), "--share", "25%", "--seed", seed]) == 0
    out = ws / "fieldwork" / "verify" / "sheets"
    before = len(_audit(ws))
    assert main([*base, "sheet", "--survey", str(survey), "-w", str(ws), "--actor", "mon"]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    files = sorted(out.iterdir())
    units = sorted({r.unit for r in _rows(ws)})
    assert [p.name for p in files] == sorted(f"verify-{u}.{e}" for u in units for e in ("pdf", "xlsx"))
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    assert all(p.read_bytes().startswith(b"%PDF") for p in files if p.suffix == ".pdf")
    assert [a for a, _, _ in _audit(ws)[before:]] == ["download-identities"] * len(units)
    with (ws / "fieldwork" / "dispatch" / "identities" / "forms.identities.csv").open(encoding="utf-8") as fh:
        people = {r["form_id"]: r for r in csv.DictReader(fh)}
    sheet = out / f"verify-{units[0]}.xlsx"
    book = openpyxl.load_workbook(sheet, read_only=True)
    lines = list(book.worksheets[0].iter_rows(min_row=FIRST_ROW, values_only=True))
    header = [c for c in next(book.worksheets[0].iter_rows(min_row=3, max_row=3, values_only=True)) if c]
    book.close()
    assert "Ông/Bà có nhận được phiếu không?\nDid you receive the form?" in header
    mine = [r for r in _rows(ws) if r.unit == units[0]]
    assert len(lines) == len(mine) >= 4
    for line in lines:
        fid = str(line[1]).replace("-", "")
        assert line[2] == people[fid]["name"] and line[3] == people[fid]["phone"]
    yes = [Q_COL + 2 * q for q in range(4)]
    good: dict[int, str | None] = {yes[0]: "x", yes[1]: "x", yes[2] + 1: "x", yes[3]: "x", NOTE_COL: "ok"}
    told: dict[int, str | None] = {yes[0]: "x", yes[1]: "x", yes[2]: "x", NOTE_COL: "cán bộ thôn dặn"}
    _fill(sheet, {0: good, 1: told, 2: {NOT_REACHED_COL: "x"}, 3: {yes[0]: "x", yes[0] + 1: "x"}})
    imp = [*base, "import", str(sheet), "--survey", str(survey), "-w", str(ws), "--actor", "mon"]
    assert main(imp) == 0
    rows = {r.form_id: r for r in _rows(ws)}
    fids = [str(line[1]).replace("-", "") for line in lines]
    assert rows[fids[0]].outcome == "reached" and not rows[fids[0]].flagged and rows[fids[0]].told_answers is False
    assert rows[fids[1]].flagged and rows[fids[1]].note == "cán bộ thôn dặn"
    assert rows[fids[2]].outcome == "not-reached" and not rows[fids[2]].flagged
    assert rows[fids[3]].outcome == "pending"  # both yes and no: rejected
    audit = _audit(ws)
    assert ("verify-flag", "mon", fids[1]) in audit and sum(a == "verify-call" for a, _, _ in audit) == 3
    summary = {u.unit: u for u in _summary(ws)}
    assert (summary[units[0]].called, summary[units[0]].reached, summary[units[0]].flagged) == (2 + 1, 2, 1)
    # the same file again: nothing done; a changed file cannot silently overwrite an outcome
    assert main(imp) == 0 and len(_audit(ws)) == len(audit)
    _fill(sheet, {0: {yes[2]: "x", yes[2] + 1: None}})
    assert main(imp) == 0
    assert not {r.form_id: r for r in _rows(ws)}[fids[0]].flagged  # conflicting line rejected
    store = open_store(ws)
    with store.session() as s:
        from fieldwork.ledger_schema import FieldworkImport
        imports = [(i.kind, i.applied, i.unchanged, i.rejected) for i in s.scalars(select(FieldworkImport))]
    store.engine.dispose()
    assert imports[-2:] == [("verify", 3, 0, len(lines) - 3), ("verify", 0, 2, len(lines) - 2)]


def _summary(ws: Path) -> tuple[v.UnitVerification, ...]:
    store = open_store(ws)
    with store.session() as s:
        out = v.unit_summary(s, SURVEY_NAME)
    store.engine.dispose()
    return out


def test_monitor_role_from_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    open_store(tmp_path).engine.dispose()
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-enough-password\n"))
    assert main(["user", "add", "mon", "--role", "monitor", "--password-stdin", "-w", str(tmp_path)]) == 0
    store = open_store(tmp_path)
    from review_ui.users import list_users

    assert [(u.name, u.role) for u in list_users(store)] == [("mon", "monitor")]
    store.engine.dispose()


def test_by_form_id_finds_the_drawn_forms(ledger: tuple[Path, Path, dict[str, list[str]]]) -> None:
    _, ws, returned = ledger
    store = open_store(ws)
    with store.session() as s:
        found = by_form_id(s, [f for ids in returned.values() for f in ids])
        states = {f.state for f in found.values()}
    store.engine.dispose()
    assert len(found) == 24 and states == {"collected", "scanned"}
