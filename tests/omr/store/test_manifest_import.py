"""Importing the forms manifest written by `sipas template render`."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import select

from omr.errors import InputFileError
from omr.formid import PageIdentity, new_form_id
from omr.render import new_copies, write_manifest
from omr.store.db import Store
from omr.store.manifest import import_manifest, read_manifest
from omr.store.records import PageResult, record_page, register_file
from omr.store.schema import FormRow
from omr.template.load import load_template
from omr.types import PageReading

MINI = Path(__file__).resolve().parents[2] / "fixtures" / "mini.yaml"


def test_the_render_manifest_imports_once(store: Store, tmp_path: Path) -> None:
    t = load_template(MINI)
    copies = new_copies(3, seed=7)
    path = tmp_path / "forms.manifest.csv"
    write_manifest(t, copies, path)
    first = import_manifest(store, path)
    assert (first.added, first.updated, first.unchanged) == (3, 0, 0)
    again = import_manifest(store, path)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    with store.session() as s:
        rows = {f.form_id: f for f in s.scalars(select(FormRow))}
    assert set(rows) == {c.form_id for c in copies}
    row = rows[copies[0].form_id]
    assert (row.template, row.version, row.pages_expected, row.units, row.in_manifest) == (
        "mini", "1", 1, {}, True)  # blank copies: no unit columns


def test_a_form_first_seen_in_a_scan_gets_its_units(store: Store, tmp_path: Path) -> None:
    fid = new_form_id(random.Random(3))
    f = register_file(store, sha256="a" * 64, path="/s/a.pdf", size=1, page_count=1)
    ident = PageIdentity("mini", "1", fid, 1, 1)
    record_page(store, f, PageResult(0, PageReading("review", ident, "unaligned")), lambda _n: None)
    path = tmp_path / "m.csv"
    path.write_text(f"form_id,template,version,pages,province\n{fid[:4]}-{fid[4:]},mini,1,1,79\n", encoding="utf-8")
    result = import_manifest(store, path)
    assert (result.added, result.updated) == (0, 1)
    with store.session() as s:
        row = s.get(FormRow, fid)
        assert row is not None and row.units == {"province": "79"} and row.in_manifest


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("id,template\nX,mini\n", "column(s) form_id, version, pages are missing"),
        ("form_id,template,version,pages\nNOTANID1,mini,1,1\n", "line 2: 'NOTANID1' is not a valid form id"),
        ("form_id,template,version,pages\n{a},mini,1,1\n{a},mini,1,1\n", "line 3: form"),
        ("form_id,template,version,pages\n{a},mini,1,zero\n", "line 2: pages 'zero' is not a positive number"),
        ("form_id,template,version,pages\n{a},,1,1\n", "line 2: template and version must not be empty"),
    ],
)
def test_bad_manifests_name_the_line(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(body.format(a=new_form_id(random.Random(1))), encoding="utf-8")
    with pytest.raises(InputFileError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        read_manifest(path)
    assert str(path) in str(err.value)


def test_a_manifest_of_another_print_run_is_refused_whole(store: Store, tmp_path: Path) -> None:
    a, b = new_form_id(random.Random(1)), new_form_id(random.Random(2))
    first = tmp_path / "one.csv"
    first.write_text(f"form_id,template,version,pages\n{a},mini,1,1\n", encoding="utf-8")
    import_manifest(store, first)
    other = tmp_path / "two.csv"
    other.write_text(f"form_id,template,version,pages\n{b},mini,1,1\n{a},sipas-2023,1,4\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="another print run"):
        import_manifest(store, other)
    with store.session() as s:
        assert s.get(FormRow, b) is None  # nothing of the refused manifest was imported
