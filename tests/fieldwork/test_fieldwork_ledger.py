"""The ledger: transitions, idempotence, and dispatch recording each official form printed (once)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from _fieldwork import HOUSEHOLD
from _fw_ledger import SURVEY, printed_ledger, write_lists
from sqlalchemy import func, select

from fieldwork.ledger import TransitionError, apply, by_form_id, check, decide, history, load_draw, open_ledger
from fieldwork.ledger_schema import FieldworkEvent, FieldworkForm
from omr.store.db import open_store
from omr.store.schema import FormRow
from sipas.cli import main

D1, D2, D3 = dt.date(2022, 12, 19), dt.date(2022, 12, 20), dt.date(2022, 12, 21)


def test_check_refuses_what_history_contradicts() -> None:
    assert check(["drawn", "printed", "scanned"], "unreachable") == \
        "the form is already scanned; it cannot also be unreachable"
    assert "collected needs the form to be delivered" in (check(["drawn", "printed"], "collected") or "")
    assert check(["drawn", "printed"], "scanned") is None  # scans come before the post's sheet
    assert check(["drawn", "printed", "scanned"], "collected") is None  # fills a gap the history allows
    assert check(["drawn", "printed"], "nonsense") is not None


def test_decide_second_attempt_only_after_unreachable() -> None:
    had: list[tuple[str, dt.date | None]] = [("drawn", None), ("printed", None), ("unreachable", D1)]
    assert decide(had, "unreachable", D1) == "unchanged"
    assert decide(had, "delivered", D2) == "applied"
    done = [*had, ("delivered", D2)]
    assert decide(done, "delivered", D2) == "unchanged"
    with pytest.raises(TransitionError, match="already delivered on 2022-12-20"):
        decide(done, "delivered", D3)
    with pytest.raises(TransitionError, match="already unreachable"):
        decide([("drawn", None), ("printed", None), ("unreachable", D1)], "unreachable", D2)


def test_apply_keeps_history_and_current_state(tmp_path: Path) -> None:
    store, ids = printed_ledger(tmp_path)
    with store.session() as s:
        form = by_form_id(s, [ids[0]])[ids[0]]
        assert apply(s, form, "handed", on=D1, source="post", actor="t") == "applied"
        assert apply(s, form, "unreachable", on=D1, source="post", actor="t") == "applied"
        assert apply(s, form, "delivered", on=D2, source="post", actor="t") == "applied"
        assert form.state == "delivered" and form.state_on == D2  # the second attempt is current
        assert apply(s, form, "delivered", on=D2, source="post", actor="t") == "unchanged"
        assert [e.state for e in history(s, form.id)] == ["drawn", "printed", "handed", "unreachable", "delivered"]
        with pytest.raises(TransitionError, match=f"form {ids[0]}: the form is already delivered"):
            apply(s, form, "moved", on=D3, source="post", actor="t")


def test_load_draw_twice_adds_nothing(tmp_path: Path) -> None:
    write_lists(tmp_path / "fw", official=2, reserve=1)
    store = open_ledger(open_store(tmp_path / "ws"))
    assert load_draw(store, SURVEY, tmp_path / "fw", actor="t") == 9
    assert load_draw(store, SURVEY, tmp_path / "fw", actor="t") == 0
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(FieldworkEvent)) == 9
        forms = list(s.scalars(select(FieldworkForm)))
    assert {f.list for f in forms} == {"official", "reserve"} and all(f.state == "drawn" for f in forms)
    assert all("Người" not in (f.person + f.stratum) for f in forms)  # no identity in the ledger


@pytest.fixture(scope="module")
def dispatched(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("ledger-dispatch")
    survey = tmp / "survey.yaml"
    survey.write_text(HOUSEHOLD.read_text(encoding="utf-8").replace("quota: 30", "quota: 2")
                      .replace("total: 270", "total: 18").replace("size: 8", "size: 1"), encoding="utf-8")
    out = tmp / "ws" / "fieldwork"
    assert main(["synth", "frame", "--survey", str(survey), "--records", "300", "--seed", "2",
                 "--out", str(tmp / "list.xlsx")]) == 0
    assert main(["fieldwork", "frame", str(tmp / "list.xlsx"), "--survey", str(survey), "--out", str(out)]) == 0
    assert main(["fieldwork", "draw", "--survey", str(survey), "--out", str(out)]) == 0
    assert main(["fieldwork", "dispatch", "--survey", str(survey), "--out", str(out), "--form-seed", "4",
                 "-w", str(tmp / "ws"), "--actor", "dispatcher"]) == 0
    return survey, out


def test_dispatch_records_every_official_form_printed(dispatched: tuple[Path, Path]) -> None:
    _, out = dispatched
    with (out / "dispatch" / "forms" / "forms.manifest.csv").open(encoding="utf-8") as fh:
        manifest = {r["form_id"] for r in csv.DictReader(fh)}
    store = open_store(out.parent)
    with store.session() as s:
        official = list(s.scalars(select(FieldworkForm).where(FieldworkForm.list == "official")))
        reserve = list(s.scalars(select(FieldworkForm).where(FieldworkForm.list == "reserve")))
        printed = list(s.scalars(select(FieldworkEvent).where(FieldworkEvent.state == "printed")))
        forms = set(s.scalars(select(FormRow.form_id).where(FormRow.in_manifest)))
    assert len(official) == 18 and {f.form_id for f in official} == manifest == forms
    assert all(f.state == "printed" and f.route and " — " in f.route for f in official)
    assert all(f.form_id is None and f.state == "drawn" for f in reserve)
    assert len(printed) == 18 and {(e.source, e.actor) for e in printed} == {("dispatch", "dispatcher")}


def test_second_dispatch_refused_naming_the_forms(dispatched: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) \
        -> None:
    survey, out = dispatched
    pdf = out / "dispatch" / "forms" / "forms.pdf"
    before = pdf.stat().st_mtime_ns
    capsys.readouterr()
    code = main(["fieldwork", "dispatch", "--survey", str(survey), "--out", str(out), "--form-seed", "5"])
    err = capsys.readouterr().err
    assert code == 8
    assert "dispatched already (18 forms:" in err and "and 13 more" in err
    assert pdf.stat().st_mtime_ns == before  # nothing re-rendered
    with open_store(out.parent).session() as s:
        assert s.scalar(select(func.count()).select_from(FieldworkEvent)
                        .where(FieldworkEvent.state == "printed")) == 18
