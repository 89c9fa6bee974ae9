"""The demo's scan set and the documentation pictures."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from omr.template.load import builtin_templates
from samples.demo import demo_parts, make_demo_set
from samples.synth.gallery import gallery_image
from samples.synth.scan import QUALITIES

DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.slow
def test_demo_set_covers_every_template_and_quality_mix(tmp_path: Path) -> None:
    demo = make_demo_set(tmp_path / "demo", forms_per_template=1)
    parts = demo_parts(1)
    assert {p.template for p in parts} == set(builtin_templates())
    assert {p.quality for p in parts} >= {"office", "fax", "photo"}
    pages = _rows(demo.pages)
    assert all((demo.root / r["file"]).is_file() for r in pages)
    assert {r["quality"] for r in pages} == {p.quality for p in parts}
    truth_ids = {r["form_id"] for r in _rows(demo.truth)}
    manifest_ids = [r["form_id"] for m in demo.manifests for r in _rows(m)]
    assert sorted(truth_ids) == sorted(manifest_ids)
    assert {m.name for m in demo.manifests} == {f"{name}.manifest.csv" for name in builtin_templates()}
    again = make_demo_set(tmp_path / "demo", forms_per_template=1)  # replaces its own set in place
    assert again.truth.read_bytes() == demo.truth.read_bytes()


def test_documentation_pictures_exist_and_stay_small() -> None:
    for quality in QUALITIES:
        path = DOCS_IMAGES / f"synth-{quality}.png"
        assert path.is_file(), f"{path} missing: run python -m samples.synth.gallery"
        assert path.stat().st_size <= 200_000


def test_gallery_image_is_a_downscaled_crop() -> None:
    img = gallery_image("fax")
    assert img.ndim == 2 and img.shape[1] == 640
    assert img.min() == 0 and img.max() == 255
