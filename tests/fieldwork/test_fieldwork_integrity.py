"""Integrity screening end to end: a synthetic survey where one unit's 20 forms were filled by one hand.

``sipas synth`` (sipas-2023, clean scans, only the page holding most satisfaction-grid rows and the page
of the date's digit comb) writes 56 forms: 36 by independent respondents, spread over three communes of 12, and the
last 20 by one person with one pen, one set of digit shapes and one answer pattern (5 % of answers moved
a step: samples/synth/fraud.py), all in a fourth commune. ``sipas scan`` reads them into a workspace
and ``sipas fieldwork screen`` must flag the fourth commune for patterns and for hands, and none of
the honest ones for either.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fieldwork.integrity import satisfaction_items
from omr.batch import scan
from omr.store.db import open_store
from omr.store.manifest import import_manifest
from omr.template.load import load_template
from omr.template.model import DigitsField, GridField
from samples.synth.fraud import OneHand
from samples.synth.generate import BatchProfile, SynthOptions, generate
from samples.synth.profile import AnswerProfile, plain_marks
from sipas.cli import app

pytestmark = pytest.mark.slow

HONEST = ("00127", "00118", "00541")
ONE_HAND = "00301"
PER_UNIT = 12
FRAUD = 20
SURVEY = """\
name: integrity-test
year: 2025
instrument: sipas-2023
scheme: "2025"
population: household
province: {code: "01", name: Thành phố Hà Nội}
quota: 20
units:
""" + "".join(f"""  - code: "{c}"
    name: Commune {c}
    level: commune
    villages: [{{code: v1, name: Village 1}}]
""" for c in (*HONEST, ONE_HAND))


def _pages() -> tuple[int, ...]:
    """The page with the most satisfaction-grid rows and the pages of digit fields (few pages: a fast test)."""
    template = load_template("sipas-2023")
    items = set(satisfaction_items(template).codes)
    rows = [sum(r.code in items for f in p.fields if isinstance(f, GridField) for r in f.rows) for p in template.pages]
    digits = {n for n, p in enumerate(template.pages, 1) if any(isinstance(f, DigitsField) for f in p.fields)}
    return tuple(sorted({rows.index(max(rows)) + 1, *digits}))


@pytest.fixture(scope="module")
def screened(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("integrity")
    count = len(HONEST) * PER_UNIT + FRAUD
    pages = _pages()
    generate(SynthOptions(
        template="sipas-2023", count=count, seed=7, quality="clean", format="pdf", out=root / "set", batch_size=20,
        answers=plain_marks(AnswerProfile(missing_page=0.0, skip_page=0.0)),
        batches=BatchProfile(duplex_share=0.0, foreign_share=0.0), families="tuning", pages=pages,
        one_hand=OneHand(FRAUD), jobs=2))
    with (root / "set" / "forms.manifest.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for i, r in enumerate(rows):  # the sample list: 12 forms per honest commune, the one-hand forms last
        r["commune"] = HONEST[i // PER_UNIT] if i < len(HONEST) * PER_UNIT else ONE_HAND
    manifest = root / "manifest.csv"
    with manifest.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    store = open_store(root / "ws")
    import_manifest(store, manifest)
    scanned = scan([root / "set"], store, jobs=2, progress=False)
    store.engine.dispose()
    assert scanned.read + scanned.review == len(pages) * count
    survey = root / "survey.yaml"
    survey.write_text(SURVEY, encoding="utf-8")
    res = CliRunner().invoke(app, ["fieldwork", "screen", "--survey", str(survey), "-w", str(root / "ws"),
                                   "--out", str(root / "screen")])
    assert res.exit_code == 0, res.output
    print(res.output)
    doc = json.loads((root / "screen" / "integrity.json").read_text(encoding="utf-8"))
    for u in doc["units"]:
        print({k: v for k, v in u.items() if v not in (None, 0)})
    return {"doc": doc, "html": (root / "screen" / "integrity.html").read_text(encoding="utf-8"),
            "output": res.output, "out": root / "screen"}


def _flagged(doc: dict[str, object], kind: str) -> set[str]:
    flags = doc["flags"]
    assert isinstance(flags, list)
    return {f["unit"] for f in flags if f["kind"] == kind}


def test_the_one_hand_unit_is_flagged_for_patterns_and_hands(screened: dict[str, object]) -> None:
    doc = screened["doc"]
    assert isinstance(doc, dict)
    assert doc["forms"] == len(HONEST) * PER_UNIT + FRAUD
    assert _flagged(doc, "pattern") == {ONE_HAND}
    assert _flagged(doc, "hand") == {ONE_HAND}
    units = {u["unit"]: u for u in doc["units"]}
    assert units[ONE_HAND]["pattern_cluster"] >= 15
    assert units[ONE_HAND]["hand_cluster"] >= 10
    assert units[ONE_HAND]["hand_pairs"] >= 4 * units[ONE_HAND]["hand_expected"]


def test_the_honest_units_are_not_flagged(screened: dict[str, object]) -> None:
    doc = screened["doc"]
    assert isinstance(doc, dict)
    flagged = {f["unit"] for f in doc["flags"]}
    assert not flagged & set(HONEST), doc["flags"]


def test_the_report_shows_crops_and_no_identity(screened: dict[str, object]) -> None:
    page = screened["html"]
    assert isinstance(page, str)
    assert page.count("data:image/png;base64,") >= 8  # flagged forms side by side (grid band and digits)
    assert "The same hand on many forms" in page and "Answer patterns repeated beyond chance" in page
    out = screened["out"]
    assert isinstance(out, Path)
    assert (out / "integrity.html").stat().st_mode & 0o077 == 0
