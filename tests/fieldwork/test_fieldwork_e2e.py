"""A simulated survey end to end: draw → dispatch → post outcomes → substitution → scans → status → scores.

3 villages × 4 forms (household survey, sipas-2023): the post loses some forms (unreachable, refused,
moved) and collects some late; the reserve replaces the lost ones; the forms that came back are
synthesised, scanned and synced; the status table must equal the simulation's truth exactly.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fieldwork.ledger_schema import FieldworkEvent, FieldworkForm, FieldworkImport
from fieldwork.returns import import_returns
from fieldwork.status import Counts, compute_status
from fieldwork.survey import load_survey
from omr.store.db import Store, open_store
from sipas.cli import main

SURVEY = """\
name: e2e-2025
year: 2025
instrument: sipas-2023
scheme: "2025"
population: household
province: {code: "01", name: Thành phố Hà Nội}
quota: 4
total: 12
reserve: {size: 3}
substitution: {max_per_stratum: 2}
collection: {deliver_by: 2025-12-03, collect_by: 2025-12-05}
seed: 11
units:
  - code: "00127"
    name: Phường Việt Hưng
    level: commune
    villages:
      - {code: tdp01, name: Tổ dân phố số 1, aliases: [Tổ 1, TDP 1]}
      - {code: tdp07, name: Tổ dân phố số 7, aliases: [Tổ 7, TDP 7]}
      - {code: tdp12, name: Tổ dân phố số 12, aliases: [Tổ 12, TDP 12]}
"""
QUIET = "write_in: 0\nopinion: 0\nother_option: 0\nskip_question: 0\nskip_page: 0\nmissing_page: 0\n" \
    "double_mark: 0\ncorrection: 0\nlone_fill: 0\ndigits_blank: 0\ncircle_all: 0\ncircle_box: 0\n" \
    "circle_label: 0\ntick_long: 0\nbeside: 0\ndot: 0\npencil: 0\nfelt_pen: 0\nbleed: 0\nstray_touch: 0\n" \
    "multi_choice: 0\n"
"""Respondents who mark cleanly: most forms read without review, so some are scored."""
TODAY = dt.date(2025, 12, 12)  # after the collection date: late forms not collected are overdue

State = Sequence[tuple[object, ...]]


def _state(store: Store) -> tuple[State, int, int]:
    """The ledger's state table, its event count and its import count."""
    with store.session() as s:
        rows = [(f.stratum, f.list, f.rank, f.form_id, f.state, f.state_on, f.postman, f.replaced_by, f.substitute_for)
                for f in s.scalars(select(FieldworkForm).order_by(FieldworkForm.id))]
        events = int(s.scalar(select(func.count()).select_from(FieldworkEvent)) or 0)
        imports = int(s.scalar(select(func.count()).select_from(FieldworkImport)) or 0)
    return rows, events, imports


def _truth(*paths: Path) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for p in paths:
        with p.open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                assert r["form_id"] not in out
                out[r["form_id"]] = r
    return out


def _import(survey: Path, ws: Path, sheet: Path) -> None:
    """Import the sheet; importing it again leaves the ledger identical."""
    store = open_store(ws)
    assert main(["fieldwork", "returns", "import", str(sheet), "--survey", str(survey), "-w", str(ws),
                 "--actor", "post"]) == 0
    once = _state(store)
    assert main(["fieldwork", "returns", "import", str(sheet), "--survey", str(survey), "-w", str(ws),
                 "--actor", "post"]) == 0
    assert _state(store) == once


class _Killed(Exception):
    pass


def _kill_at(n: int) -> object:
    def on_row(row: int) -> None:
        if row == n:
            raise _Killed

    return on_row


def _expected(truth: dict[str, dict[str, str]], forms: list[FieldworkForm]) -> dict[str, int]:
    """What the status must say, from the truth alone (and which forms were replaced)."""
    return {
        "forms_out": len(truth),
        "delivered": sum(r["delivered"] == "1" for r in truth.values()),
        "unreachable": sum(r["outcome"] == "unreachable" for r in truth.values()),
        "refused": sum(r["outcome"] == "refused" for r in truth.values()),
        "moved": sum(r["outcome"] == "moved" for r in truth.values()),
        "collected": sum(r["collected"] == "1" for r in truth.values()),
        "overdue": sum(r["late"] == "1" and r["collected"] == "0" for r in truth.values()),
        "scanned": sum(r["collected"] == "1" for r in truth.values()),
        "replaced": sum(1 for f in forms if f.replaced_by),
        "reserve_used": sum(1 for f in forms if f.substitute_for),
    }


def _counts(c: Counts) -> dict[str, int]:
    keys = ("forms_out", "delivered", "unreachable", "refused", "moved", "collected", "overdue", "scanned",
            "replaced", "reserve_used")
    return {k: int(getattr(c, k)) for k in keys}


@pytest.mark.slow
def test_simulated_survey_end_to_end(tmp_path: Path) -> None:
    survey, ws = tmp_path / "survey.yaml", tmp_path / "ws"
    fw = ws / "fieldwork"
    survey.write_text(SURVEY, encoding="utf-8")
    s = load_survey(survey)
    # draw → dispatch (the ledger gets the slots and the printed forms)
    assert main(["synth", "frame", "--survey", str(survey), "--records", "60", "--seed", "3",
                 "--out", str(tmp_path / "list.xlsx")]) == 0
    assert main(["fieldwork", "frame", str(tmp_path / "list.xlsx"), "--survey", str(survey), "--out", str(fw)]) == 0
    assert main(["fieldwork", "draw", "--survey", str(survey), "--out", str(fw)]) == 0
    assert main(["fieldwork", "dispatch", "--survey", str(survey), "--out", str(fw), "--form-seed", "4",
                 "-w", str(ws)]) == 0
    store = open_store(ws)

    # the post, first round: unreachable, refused, moved and late forms
    post1 = tmp_path / "post1.xlsx"
    assert main(["synth", "returns", "--survey", str(survey), "-w", str(ws), "--seed", "3", "--out", str(post1),
                 "--unreachable", "0.17", "--refused", "0.09", "--moved", "0.09", "--late", "0.25"]) == 0
    truth1 = _truth(post1.with_name("post1.truth.csv"))
    assert {r["outcome"] for r in truth1.values()} == {"delivered", "unreachable", "refused", "moved"}
    assert sum(r["late"] == "1" for r in truth1.values()) == 2

    # a killed import leaves nothing: not a row, not the file's record
    before = _state(store)
    with pytest.raises(_Killed):
        import_returns(store, s.name, post1, "post", on_row=_kill_at(5))  # type: ignore[arg-type]
    assert _state(store) == before
    _import(survey, ws, post1)

    # substitution, and the post's second round for the substitutes
    assert main(["fieldwork", "substitute", "--survey", str(survey), "-w", str(ws), "--actor", "tester",
                 "--form-seed", "5"]) == 0
    substituted = _state(store)
    assert main(["fieldwork", "substitute", "--survey", str(survey), "-w", str(ws), "--actor", "tester"]) == 0
    assert _state(store) == substituted  # nothing new to do: nothing changed
    post2 = tmp_path / "post2.csv"
    assert main(["synth", "returns", "--survey", str(survey), "-w", str(ws), "--seed", "4", "--out", str(post2),
                 "--unreachable", "0.25", "--refused", "0", "--moved", "0", "--late", "0"]) == 0
    _import(survey, ws, post2)
    truth = _truth(post1.with_name("post1.truth.csv"), post2.with_name("post2.truth.csv"))

    # the forms that came back are filled in, scanned and synced
    manifests = [fw / "dispatch" / "forms" / "forms.manifest.csv",
                 *sorted((fw / "substitutions").glob("*/forms/forms.manifest.csv"))]
    back: list[dict[str, str]] = []
    for m in manifests:
        with m.open(encoding="utf-8") as fh:
            back += [r for r in csv.DictReader(fh) if truth.get(r["form_id"], {}).get("collected") == "1"]
    assert len(back) == sum(r["collected"] == "1" for r in truth.values()) > 0
    returned = tmp_path / "returned.manifest.csv"
    with returned.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(back[0]))
        w.writeheader()
        w.writerows(back)
    scans, quiet = tmp_path / "scans", tmp_path / "quiet.yaml"
    quiet.write_text(QUIET, encoding="utf-8")
    assert main(["synth", "--template", "sipas-2023", "--manifest", str(returned), "--quality", "clean",
                 "--seed", "1", "--answers", str(quiet), "--out", str(scans)]) == 0
    assert main(["scan", str(scans), "-w", str(ws), "-q"]) in (0, 5)  # 5: some page rejected (reported)
    assert main(["fieldwork", "sync", "--survey", str(survey), "-w", str(ws)]) == 0

    # the status equals the simulation's truth, in total and per village
    with store.session() as sess:
        forms = list(sess.scalars(select(FieldworkForm).where(FieldworkForm.survey == s.name)))
        sess.expunge_all()
    status = compute_status(store, s, today=TODAY)
    assert _counts(status.total) == _expected(truth, forms)
    for row in status.by_stratum:
        mine = {k: v for k, v in truth.items() if v["stratum"] == row.key}
        assert _counts(row.counts) == _expected(mine, [f for f in forms if f.stratum == row.key]), row.key
    assert status.ministry.returned == _expected(truth, forms)["collected"]
    assert _expected(truth, forms)["replaced"] > 0 and _expected(truth, forms)["overdue"] > 0

    # re-running every import changes nothing
    final = _state(store)
    for sheet in (post1, post2):
        assert main(["fieldwork", "returns", "import", str(sheet), "--survey", str(survey), "-w", str(ws)]) == 0
    assert _state(store) == final

    # the scanned forms are scored
    assert main(["score", "--workspace", str(ws), "--out", str(tmp_path / "results"), "--no-pdf"]) == 0
    results = json.loads((tmp_path / "results" / "results.json").read_text(encoding="utf-8"))
    assert 0 < results["forms_used"] <= len(back)
    # the report's fieldwork section: the ledger's figures, and the valid forms are the forms scored
    fw_fig = results["fieldwork"]
    assert fw_fig["forms_returned"] == status.ministry.returned == len(back)
    assert fw_fig["forms_issued"] == status.ministry.issued
    assert fw_fig["forms_valid"] == results["forms_used"]
