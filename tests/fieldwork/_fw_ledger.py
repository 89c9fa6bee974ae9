"""A tiny ledger for the fieldwork tests: lists written as the draw writes them, forms marked printed."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from fieldwork.draw_io import LIST_COLUMNS
from fieldwork.ledger import load_draw, mark_printed, open_ledger
from fieldwork.ledger_schema import FieldworkForm
from omr.formid import new_form_id
from omr.store.db import Store, open_store

SURVEY = "test-survey"
STRATA = {"U1/V1": ("U1", "V1"), "U1/V2": ("U1", "V2"), "U2/V1": ("U2", "V1")}


def write_lists(folder: Path, official: int = 3, reserve: int = 2) -> None:
    """official.csv and reserve.csv with ``official``/``reserve`` people per stratum (made-up identities)."""
    folder.mkdir(parents=True, exist_ok=True)
    for which, n in (("official", official), ("reserve", reserve)):
        with (folder / f"{which}.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(LIST_COLUMNS)
            for stratum, (unit, group) in STRATA.items():
                for rank in range(1, n + 1):
                    w.writerow([which, rank, stratum, unit, group, f"p-{stratum}-{which}-{rank}", "Người Thử",
                                "Số 1", "0912345678", "01", "", "00001", "2020-01-01"])


def printed_ledger(tmp: Path, seed: int = 1) -> tuple[Store, list[str]]:
    """A workspace whose official slots are printed; returns the store and the form ids in slot order."""
    write_lists(tmp / "fieldwork")
    store = open_ledger(open_store(tmp / "ws"))
    load_draw(store, SURVEY, tmp / "fieldwork", actor="test")
    rng = random.Random(seed)
    ids: list[str] = []
    with store.session() as s:
        for form in s.query(FieldworkForm).filter_by(list="official").order_by(FieldworkForm.id):
            fid = new_form_id(rng)
            mark_printed(s, form, fid, f"route {form.grp}", source="dispatch", actor="test")
            ids.append(fid)
    return store, ids
