"""A tiny ledger whose story is known: the counts of the status tests (CLI and web) must equal it."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from fieldwork.draw_io import LIST_COLUMNS
from fieldwork.ledger import apply, load_draw, mark_printed, open_ledger
from fieldwork.ledger_schema import FieldworkForm
from fieldwork.survey import Collection, Survey
from omr.store.db import Store, open_store

DELIVER_BY, COLLECT_BY = dt.date(2020, 9, 20), dt.date(2020, 9, 25)
BEFORE, AFTER = dt.date(2020, 9, 19), dt.date(2020, 9, 26)
STRATA = {"004/tnmt": (4, 2), "00115/tp": (3, 1)}
"""stratum: (official, reserve) people of the tiny draw."""
STORY: dict[str, tuple[str, ...]] = {
    # form id: the states it goes through after printed (the truth the counts must equal)
    "F001": ("handed", "delivered", "collected", "scanned", "verified", "scored"),
    "F002": ("handed", "unreachable"),  # replaced by R001
    "F003": ("handed", "delivered", "collected", "scanned", "invalid"),
    "F004": ("handed",),  # with the post, not collected
    "R001": ("handed", "delivered"),  # the substitute for F002, delivered, not collected
    "F005": ("handed", "refused"),  # not replaced
    "F006": (),  # printed, never handed
    "F007": ("handed", "delivered", "collected"),
}


def _write_draw(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for which, index in (("official", 0), ("reserve", 1)):
        with (folder / f"{which}.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(LIST_COLUMNS)
            for stratum, sizes in STRATA.items():
                unit, group = stratum.split("/")
                for rank in range(1, sizes[index] + 1):
                    w.writerow([which, rank, stratum, unit, group, f"p-{stratum}-{which}-{rank}", f"Người {rank}",
                                "Long Biên", "0900000000", "01", "004", unit, "2020-03-01"])




def with_collection(survey: Survey) -> Survey:
    return survey.model_copy(update={"collection": Collection(deliver_by=DELIVER_BY, collect_by=COLLECT_BY)})


def story_ledger(ws: Path, survey: str) -> Store:
    """A workspace at ``ws`` whose ledger holds the tiny draw of survey ``survey`` and the forms of STORY."""
    store = open_ledger(open_store(ws))
    _write_draw(ws / "fieldwork")
    assert load_draw(store, survey, ws / "fieldwork", actor="test") == 10
    day = dt.date(2020, 9, 18)
    with store.session() as s:
        slots = {(f.stratum, f.list, f.rank): f for f in s.query(FieldworkForm).filter_by(survey=survey)}
        n = 0
        for stratum, (official, _) in STRATA.items():
            for rank in range(1, official + 1):
                n += 1
                form = slots[(stratum, "official", rank)]
                mark_printed(s, form, f"F{n:03d}", "Long Biên" if stratum.startswith("004") else "Thượng Thanh",
                             source="dispatch", actor="test", on=day)
                form.postman = "Bưu tá An" if stratum.startswith("004") else None
        old, new = slots[("004/tnmt", "official", 2)], slots[("004/tnmt", "reserve", 1)]
        forms = {f.form_id: f for f in slots.values() if f.form_id}
        for fid, states in STORY.items():
            if fid == "R001":
                continue
            for state in states:
                assert apply(s, forms[fid], state, on=day, source="post", actor="test") == "applied"
        old.replaced_by = "R001"
        new.substitute_for = "F002"
        mark_printed(s, new, "R001", "Long Biên", source="substitute", actor="test", on=day)
        for state in STORY["R001"]:
            apply(s, new, state, on=day, source="post", actor="test")
    return store
