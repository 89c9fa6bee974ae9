"""Whole synthetic sets: same seed same bytes, every page accounted for, QR codes readable."""

from __future__ import annotations

import csv
import hashlib
import subprocess
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from omr.errors import ExitCode
from omr.formid import parse_payload
from omr.template.load import load_template
from samples.synth.generate import BatchProfile, SynthOptions, generate
from samples.synth.units import assign_units
from sipas.cli import main

MINI = "tests/fixtures/mini.yaml"
EVERYTHING = BatchProfile(duplex_share=1.0, foreign_share=1.0)

QR = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _images(path: Path, tmp: Path) -> list[np.ndarray]:
    """Every page image stored in a scan file, as grayscale arrays."""
    if path.suffix == ".pdf":
        prefix = tmp / path.stem
        subprocess.run(["pdfimages", "-png", str(path), str(prefix)], check=True)
        files = sorted(tmp.glob(f"{path.stem}-*.png"))
        return [np.asarray(cv2.imread(str(f), cv2.IMREAD_GRAYSCALE), np.uint8) for f in files]
    if path.suffix == ".tif":
        ok, pages = cv2.imreadmulti(str(path), flags=cv2.IMREAD_GRAYSCALE)
        assert ok
        return [np.asarray(p, np.uint8) for p in pages]
    return [np.asarray(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE), np.uint8)]


def _page_count(path: Path) -> int:
    if path.suffix == ".pdf":
        return len(PdfReader(path).pages)
    with Image.open(path) as im:
        return int(getattr(im, "n_frames", 1))


@pytest.mark.slow
def test_same_seed_same_bytes_in_any_number_of_jobs(tmp_path: Path) -> None:
    base = SynthOptions(template=MINI, count=5, seed=3, quality="office", format="pdf", out=tmp_path / "a",
                        batch_size=2, batches=EVERYTHING)
    generate(base)
    generate(SynthOptions(**{**base.__dict__, "out": tmp_path / "b", "jobs": 2}))
    first, second = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert first == second
    assert {"truth.csv", "pages.csv", "forms.manifest.csv", "synth.json", "batch-001.pdf"} <= set(first)
    generate(SynthOptions(**{**base.__dict__, "out": tmp_path / "c", "seed": 4}))
    assert _digests(tmp_path / "c")["truth.csv"] != first["truth.csv"]


@pytest.mark.slow
@pytest.mark.parametrize(("quality", "fmt"), [("fax", "pdf"), ("office", "tiff"), ("photo", "jpeg"),
                                              ("clean", "png")])
def test_every_page_is_accounted_for_and_identifiable(tmp_path: Path, quality: str, fmt: str) -> None:
    out = tmp_path / "set"
    summary = generate(SynthOptions(template=MINI, count=4, seed=7, quality=quality, format=fmt,  # type: ignore[arg-type]
                                    out=out, batch_size=3, batches=EVERYTHING))
    rows = _rows(out / "pages.csv")
    assert len(rows) == summary.pages
    scans = {p.name for p in out.iterdir() if p.name.startswith("batch-")}
    assert scans == {r["file"] for r in rows}
    for name in scans:
        indices = sorted(int(r["index_in_file"]) for r in rows if r["file"] == name)
        assert indices == list(range(_page_count(out / name)))
    assert {r["kind"] for r in rows} == {"form", "blank_back", "foreign"}
    assert {r["quality"] for r in rows} == {quality}
    truth_ids = {r["form_id"] for r in _rows(out / "truth.csv")}
    forms = [(r["form_id"], r["page"]) for r in rows if r["kind"] == "form"]
    assert sorted(forms) == sorted((fid, "1") for fid in truth_ids)  # mini has one page a form
    # Every form page (and a foreign page of the other template) says who it is in its QR code.
    work = tmp_path / "pages"
    work.mkdir()
    images = {name: _images(out / name, work) for name in scans}
    decoded = 0
    for r in rows:
        img = images[r["file"]][int(r["index_in_file"])]
        found = zxingcpp.read_barcodes(img, formats=QR)
        if r["kind"] == "blank_back" or (r["kind"] == "foreign" and not r["form_id"]):
            assert not found
            continue
        assert found, f"{r['file']}#{r['index_in_file']}: QR not readable"
        ident = parse_payload(found[0].text)
        assert ident is not None and ident.form_id == r["form_id"] and str(ident.page) == r["page"]
        if quality != "photo":  # perspective makes a photo's angle approximate
            assert (found[0].orientation - int(r["rotation"])) % 360 in (0, 1, 2, 358, 359)
        decoded += 1
    assert decoded >= 4


@pytest.mark.slow
def test_fax_scans_are_group4(tmp_path: Path) -> None:
    generate(SynthOptions(template=MINI, count=1, seed=1, quality="fax", format="tiff", out=tmp_path / "t"))
    with Image.open(tmp_path / "t" / "batch-001.tif") as im:
        assert im.info["compression"] == "group4" and im.mode == "1"
        assert im.info["dpi"] == (200.0, 200.0)
    generate(SynthOptions(template=MINI, count=1, seed=1, quality="fax", format="pdf", out=tmp_path / "p"))
    page: Any = PdfReader(tmp_path / "p" / "batch-001.pdf").pages[0]
    image = page["/Resources"]["/XObject"]["/Im0"]
    assert image["/Filter"] == "/CCITTFaxDecode" and image["/BitsPerComponent"] == 1


def test_truth_and_manifest_cover_every_form(tmp_path: Path) -> None:
    out = tmp_path / "s"
    generate(SynthOptions(template=MINI, count=3, seed=2, quality="clean", format="png", out=out))
    template = load_template(MINI)
    truth = _rows(out / "truth.csv")
    manifest = _rows(out / "forms.manifest.csv")
    ids = [m["form_id"] for m in manifest]
    assert len(set(ids)) == 3
    assert [r["form_id"] for r in truth] == [fid for fid in ids for _ in template.answer_codes()]
    assert [r["field"] for r in truth[: len(template.answer_codes())]] == template.answer_codes()
    assert all(m["template"] == "mini" and m["pages"] == "1" and m["province"] for m in manifest)


def test_household_units_look_like_gso_codes() -> None:
    template = load_template("sipas-2023")
    units = assign_units(template, 70, np.random.default_rng(0))
    assert len(units) == 70
    for u in units:
        assert list(u) == ["province", "district", "commune", "village"]
        assert len(u["province"]) == 2 and len(u["district"]) == 3 and len(u["commune"]) == 5
        assert len(u["village"]) == 2
    villages = {tuple(u.values()) for u in units}
    assert 3 <= len(villages) <= 5  # about 30 respondents a village


def test_cli_writes_a_set_and_guards_the_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli"
    args = ["synth", "--template", MINI, "--count", "1", "--seed", "5", "--quality", "clean", "--format", "jpeg",
            "--out", str(out)]
    assert main(args) == 0
    assert "wrote 1 forms" in capsys.readouterr().out
    assert main(args) == ExitCode.bad_args
    assert "--force" in capsys.readouterr().err
    assert main([*args, "--force"]) == 0
    (out / "notes.txt").write_text("mine")
    assert main([*args, "--force"]) == ExitCode.bad_args
    assert "notes.txt" in capsys.readouterr().err
    assert main(["synth", "--template", MINI, "--out", str(tmp_path / "x"), "--quality", "blurry"]) != 0
