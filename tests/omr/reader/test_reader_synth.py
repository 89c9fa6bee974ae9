"""End to end over the synthetic scan generator: every scan quality, checked against its truth."""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np
import pytest

from omr.reader import ReaderContext, read_page
from omr.reader.evaluate import evaluate
from omr.template.load import load_template
from omr.types import PageImage

TEMPLATE = "sipas-2019"
# (max wrong auto-accepted checkbox fields, max share sent to review) on 4 forms (~120 checkbox fields).
BARS = {"clean": (0, 0.05), "office": (0, 0.05), "fax": (1, 0.2), "photo": (1, 0.2)}


@pytest.fixture(scope="module")
def synth_ctx(digit_model: Path) -> ReaderContext:
    return ReaderContext.load([TEMPLATE])


@pytest.mark.slow
@pytest.mark.parametrize("quality", list(BARS))
def test_synthetic_scans(quality: str, synth_ctx: ReaderContext, tmp_path: Path) -> None:
    from samples.synth.generate import SynthOptions, generate

    out = tmp_path / quality
    # Tuning families only: the evaluation families are kept for the benchmark (docs/benchmark.md).
    generate(SynthOptions(template=TEMPLATE, count=4, seed=7, quality=quality, format="jpeg", out=out,  # type: ignore[arg-type]
                          families="tuning"))
    answers: list[dict[str, str]] = []
    with (out / "pages.csv").open(encoding="utf-8") as fh:
        pages = list(csv.DictReader(fh))
    for row in pages:
        image = cv2.imread(str(out / row["file"]), cv2.IMREAD_GRAYSCALE)
        assert image is not None, row["file"]
        r = read_page(PageImage(row["file"], int(row["index_in_file"]), np.asarray(image, np.uint8)), synth_ctx)
        if row["kind"] == "form":
            assert r.identity is not None, (row, r.reason)
            assert (r.identity.form_id, str(r.identity.page)) == (row["form_id"], row["page"]), row
            assert r.outcome in ("read", "review")
        elif row["kind"] == "blank_back":
            assert r.outcome == "blank", (row, r.reason)
        else:
            assert r.outcome in ("rejected", "review") and (r.identity is None or r.identity.template != TEMPLATE)
        if r.identity is not None and r.identity.template == TEMPLATE:
            answers += [{"form_id": r.identity.form_id, "field": f.field, "value": f.value, "status": f.status,
                         "confidence": str(f.confidence)} for f in r.fields]
    with (out / "truth.csv").open(encoding="utf-8") as fh:
        truth = list(csv.DictReader(fh))
    result = evaluate(truth, answers, load_template(TEMPLATE).answer_kinds())
    max_wrong, max_review = BARS[quality]
    assert result.marks.missing == 0
    assert result.marks.wrong <= max_wrong, result.mismatches
    assert (result.marks.review_share or 0.0) <= max_review
