"""Dispatch: forms through the sample-list path, delivery lists per village, identities kept apart."""

from __future__ import annotations

import csv
import stat
from pathlib import Path

import openpyxl
import pytest
from _fieldwork import HOUSEHOLD

from sipas.cli import main


@pytest.fixture(scope="module")
def dispatched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("dispatch")
    survey = tmp / "survey.yaml"
    survey.write_text(HOUSEHOLD.read_text(encoding="utf-8").replace("quota: 30", "quota: 2")
                      .replace("total: 270", "total: 18").replace("size: 8", "size: 1"), encoding="utf-8")
    out = tmp / "fw"
    assert main(["synth", "frame", "--survey", str(survey), "--records", "300", "--seed", "2",
                 "--out", str(tmp / "list.xlsx")]) == 0
    assert main(["fieldwork", "frame", str(tmp / "list.xlsx"), "--survey", str(survey), "--out", str(out)]) == 0
    assert main(["fieldwork", "draw", "--survey", str(survey), "--out", str(out)]) == 0
    assert main(["fieldwork", "dispatch", "--survey", str(survey), "--out", str(out), "--form-seed", "4"]) == 0
    return out


def test_forms_and_manifest_carry_no_identities(dispatched: Path) -> None:
    with (dispatched / "official.csv").open(encoding="utf-8") as fh:
        official = list(csv.DictReader(fh))
    manifest_text = (dispatched / "dispatch" / "forms" / "forms.manifest.csv").read_text(encoding="utf-8")
    manifest = list(csv.DictReader(manifest_text.splitlines()))
    assert len(manifest) == len(official) == 18
    assert set(manifest[0]) == {"form_id", "template", "version", "pages", "province", "district", "commune", "village"}
    assert all(m["district"] == "" and m["commune"] and m["village"] for m in manifest)
    for person in official:
        assert person["name"] not in manifest_text and person["phone"] not in manifest_text


def test_identity_files_private_and_apart(dispatched: Path) -> None:
    ids = dispatched / "dispatch" / "identities"
    assert stat.S_IMODE(ids.stat().st_mode) == 0o700
    names = {p.name for p in ids.iterdir()}
    assert names == {"sample_list.csv", "forms.identities.csv", "delivery.xlsx", "delivery.pdf", "labels.pdf"}
    for p in ids.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    assert not any(p.name.endswith("identities.csv") for p in (dispatched / "dispatch" / "forms").iterdir())


def test_delivery_list_per_village(dispatched: Path) -> None:
    book = openpyxl.load_workbook(dispatched / "dispatch" / "identities" / "delivery.xlsx", read_only=True)
    assert len(book.sheetnames) == 9
    rows = list(book.worksheets[0].iter_rows(min_row=3, values_only=True))
    assert len(rows) == 2 and all(r[1] and "-" in r[1] and r[2] and r[4] for r in rows)
    book.close()
    with (dispatched / "dispatch" / "identities" / "forms.identities.csv").open(encoding="utf-8") as fh:
        ids = list(csv.DictReader(fh))
    assert len(ids) == 18 and all(r["name"] and r["phone"] for r in ids)
