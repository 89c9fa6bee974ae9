"""Sync with the reading: scanned, verified, scored or invalid, from the store's pages, reviews and answers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from _fw_ledger import SURVEY, printed_ledger
from sqlalchemy import select

from fieldwork.ledger import apply, by_form_id, history
from fieldwork.ledger_schema import FieldworkEvent
from fieldwork.sync import sync
from fieldwork.validity import judge
from omr.store.db import Store
from omr.store.schema import AnswerRow, FormRow, InputFile, PageRow, ReviewItem

SCAN_DAY = dt.datetime(2022, 12, 22, 9, 30, tzinfo=dt.UTC)
REVIEW_DAY = dt.datetime(2022, 12, 23, 10, 0, tzinfo=dt.UTC)


def scan(store: Store, fid: str, pages: list[int], answers: dict[str, str], *, review: str | None = None) -> None:
    """Store rows as `sipas scan` leaves them: the form, its counted pages, answers and review items."""
    with store.session() as s:
        s.add(FormRow(form_id=fid, template="sipas-2019", version="1", pages_expected=2, units={}, in_manifest=True))
        f = InputFile(sha256=fid * 8, path=f"{fid}.pdf", size=1, page_count=len(pages), status="done")
        s.add(f)
        s.flush()
        page_ids = []
        for n in pages:
            p = PageRow(file_id=f.id, page_index=n - 1, outcome="read", template="sipas-2019", version="1",
                        form_id=fid, page_number=n, created=SCAN_DAY)
            s.add(p)
            s.flush()
            page_ids.append(p.id)
        for field, value in answers.items():
            s.add(AnswerRow(form_id=fid, field=field, kind="grid", value=value, machine_value=value,
                            status="flagged" if review == "flagged" else "auto", confidence=0.9, page_id=page_ids[0]))
        if review in ("open", "done"):
            s.add(ReviewItem(kind="field", status=review, form_id=fid, field="Q3_1", page_id=page_ids[0],
                             resolved_at=REVIEW_DAY if review == "done" else None,
                             resolved_by="rev" if review == "done" else None))


def trail(store: Store, fid: str) -> list[tuple[str, str, dt.date | None]]:
    with store.session() as s:
        return [(e.state, e.source, e.on) for e in history(s, by_form_id(s, [fid])[fid].id)][2:]


def test_states_from_the_reading(tmp_path: Path) -> None:
    store, ids = printed_ledger(tmp_path)
    day = SCAN_DAY.date()
    scan(store, ids[0], [1, 2], {"Q3_1": "4", "Q3_2": ""})
    scan(store, ids[1], [1], {"Q3_1": "4"})
    scan(store, ids[2], [1, 2], {"Q3_1": "", "Q4_2": "*"})
    scan(store, ids[3], [1, 2], {"Q3_1": "5"}, review="open")
    scan(store, ids[4], [1, 2], {"Q3_1": "3"})
    scan(store, ids[5], [1, 2], {"Q3_1": "2"}, review="done")
    with store.session() as s:
        apply(s, by_form_id(s, [ids[4]])[ids[4]], "unreachable", on=dt.date(2022, 12, 19), source="post", actor="t")

    result = sync(store, SURVEY)
    assert (result.scanned, result.verified, result.scored, result.invalid) == (5, 3, 2, 1)
    assert len(result.conflicts) == 1 and ids[4] in result.conflicts[0] and "unreachable" in result.conflicts[0]
    assert trail(store, ids[0]) == [("scanned", "scan", day), ("verified", "scan", day), ("scored", "score", day)]
    assert trail(store, ids[1]) == [("scanned", "scan", day)]  # page 2 may still come
    assert trail(store, ids[2])[-1] == ("invalid", "score", day)
    assert trail(store, ids[3]) == [("scanned", "scan", day)]  # waiting in the review queue
    assert trail(store, ids[5])[1:] == [("verified", "review", REVIEW_DAY.date()),
                                        ("scored", "score", REVIEW_DAY.date())]
    with store.session() as s:
        forms = by_form_id(s, ids)
        assert forms[ids[2]].state == "invalid" and forms[ids[2]].reason == "no answer to any satisfaction item"
        assert forms[ids[4]].state == "unreachable"
        n = len(list(s.scalars(select(FieldworkEvent))))

    again = sync(store, SURVEY)
    assert again.changed == 0 and len(again.conflicts) == 1
    with store.session() as s:
        assert len(list(s.scalars(select(FieldworkEvent)))) == n

    with store.session() as s:  # the reviewer settles the open item: verified and scored on the next sync
        item = s.scalars(select(ReviewItem).where(ReviewItem.form_id == ids[3])).one()
        item.status, item.resolved_at = "done", REVIEW_DAY
    assert sync(store, SURVEY).scored == 1
    final = sync(store, SURVEY, final=True)
    assert final.invalid == 1
    with store.session() as s:
        assert by_form_id(s, [ids[1]])[ids[1]].reason == "missing page 2"


@pytest.mark.parametrize(("pages", "answers", "reason"), [
    ({1, 2}, {"Q3_1": "1"}, ""),
    ({1}, {"Q3_1": "1"}, "missing page 2"),
    (set(), {}, "missing pages 1, 2"),
    ({1, 2}, {"Q3_1": "*", "A1": "1"}, "no answer to any satisfaction item"),
])
def test_validity(pages: set[int], answers: dict[str, str], reason: str) -> None:
    v = judge("sipas-2019", 2, pages, answers)
    assert (v.valid, v.reason) == (not reason, reason)


def test_sync_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from _fieldwork import LONG_BIEN

    from fieldwork.ledger_schema import FieldworkForm
    from fieldwork.survey import load_survey
    from sipas.cli import main

    store, ids = printed_ledger(tmp_path)
    name = load_survey(LONG_BIEN).name
    with store.session() as s:  # the helper's ledger, renamed to the example survey's name
        for f in s.scalars(select(FieldworkForm)):
            f.survey = name
    scan(store, ids[0], [1, 2], {"Q3_1": "4"})
    scan(store, ids[1], [1], {"Q3_1": "4"})
    args = ["fieldwork", "sync", "--survey", str(LONG_BIEN), "-w", str(tmp_path / "ws")]
    assert main(args) == 0
    assert "2 scanned, 1 verified, 1 scored, 0 invalid" in capsys.readouterr().out
    assert main([*args, "--final"]) == 0
    assert "0 scanned, 0 verified, 0 scored, 1 invalid" in capsys.readouterr().out
    assert main(["fieldwork", "sync", "--survey", str(LONG_BIEN), "-w", str(tmp_path / "nowhere")]) == 7


def test_validity_spells_a_double_mark_as_the_reader_does() -> None:
    from fieldwork import validity
    from omr.types import MULTIPLE

    assert validity.MULTIPLE == MULTIPLE
