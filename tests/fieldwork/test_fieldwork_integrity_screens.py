"""Each integrity screen on small hand-made data (no scans): fieldwork/integrity.py and integrity_data.py."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from fieldwork.integrity import ScreenOptions, screen
from fieldwork.integrity_data import FormData, PostDays, ScreenData, load_screen_data, manifest_unit
from fieldwork.integrity_hand import DigitShape, HandFeatures, digit_distance, digit_shape
from fieldwork.integrity_report import write_report
from fieldwork.ledger import apply, mark_printed, open_ledger
from fieldwork.ledger_schema import FieldworkForm
from fieldwork.survey import Survey
from omr.store.db import open_store
from omr.template.load import load_template
from omr.template.model import Template

SEED = 11


@pytest.fixture(scope="module")
def template() -> Template:
    return load_template("sipas-2023")


def _items(template: Template) -> list[str]:
    return [it for a in template.scoring.aspects for e in a.elements for it in e.items]


def _honest(template: Template, unit: str, n: int, rng: np.random.Generator, start: int) -> list[FormData]:
    """Independent respondents: each with their own leaning, answers drawn item by item."""
    items = _items(template)
    out = []
    for k in range(n):
        w = rng.dirichlet(np.ones(5) * 1.5)
        values = rng.choice(5, size=len(items), p=w) + 1
        out.append(FormData(f"F{start + k:07d}", unit, tuple(zip(items, map(str, values), strict=True)), (), ()))
    return out


def _copies(template: Template, unit: str, n: int, rng: np.random.Generator, start: int,
            noise: float = 0.05) -> list[FormData]:
    """One answer pattern copied onto ``n`` forms, a few answers moved one step."""
    items = _items(template)
    base = rng.choice(5, size=len(items), p=[0.05, 0.15, 0.3, 0.35, 0.15]) + 1
    out = []
    for k in range(n):
        v = base.copy()
        moved = rng.random(len(items)) < noise
        v[moved] = np.clip(v[moved] + rng.choice([-1, 1], size=int(moved.sum())), 1, 5)
        out.append(FormData(f"C{start + k:07d}", unit, tuple(zip(items, map(str, v), strict=True)), (), ()))
    return out


def _data(forms: list[FormData], post: tuple[PostDays, ...] = ()) -> ScreenData:
    return ScreenData(Path(), tuple(forms), post, ())


def test_pattern_and_uniform_flag_the_copied_unit_only(template: Template) -> None:
    rng = np.random.default_rng(SEED)
    forms = [f for i, u in enumerate(("A", "B", "C", "D")) for f in _honest(template, u, 15, rng, 100 * i)]
    forms += _copies(template, "E", 15, rng, 900)
    result = screen(_data(forms), template, None, survey="t")
    assert result.flagged("pattern") == ["E"]
    assert result.flagged("uniform") == ["E"]
    flag = next(f for f in result.flags if f.kind == "pattern")
    assert len(flag.forms) >= 12 and all(fid.startswith("C") for fid in flag.forms)
    assert flag.p_value is not None and flag.p_value < 1e-6
    honest = next(u for u in result.units if u.unit == "A")
    assert honest.pattern_pairs == 0 and honest.pattern_max_share is not None and honest.pattern_max_share < 0.85


def test_two_straight_liners_are_not_a_pattern_but_many_are_straight_lining(template: Template) -> None:
    rng = np.random.default_rng(SEED + 1)
    items = _items(template)
    forms = [f for i, u in enumerate(("A", "B", "C")) for f in _honest(template, u, 20, rng, 100 * i)]
    forms[0] = FormData(forms[0].form_id, "A", tuple((c, "4") for c in items), (), ())
    forms[1] = FormData(forms[1].form_id, "A", tuple((c, "4") for c in items), (), ())
    lined = [FormData(f"S{k:07d}", "D", tuple((c, str(1 + k % 5)) for c in items), (), ()) for k in range(8)]
    lined += _honest(template, "D", 12, rng, 500)
    result = screen(_data(forms + lined), template, None, survey="t")
    assert "A" not in result.flagged("pattern")  # two people who tick 4 everywhere agree by their leaning
    assert result.flagged("straight-lining") == ["D"]
    d = next(u for u in result.units if u.unit == "D")
    assert d.straight == 8 and d.straight_p is not None and d.straight_p < 1e-4


def test_post_days_early_collection_and_same_day_bulk(template: Template) -> None:
    day = dt.date(2022, 12, 19)
    post = [PostDays(f"P{u}{k:06d}", u, day, day + dt.timedelta(days=1)) for u in ("A", "B", "C") for k in range(10)]
    post += [PostDays(f"PD{k:06d}", "D", day, day) for k in range(9)]
    post += [PostDays("PD999999", "D", day, day - dt.timedelta(days=2))]
    result = screen(_data([], tuple(post)), template, None, survey="t")
    assert result.flagged("collected-early") == ["D"]
    assert result.flagged("same-day-bulk") == ["D"]
    early = next(f for f in result.flags if f.kind == "collected-early")
    assert early.forms == ("PD999999",)
    assert next(u for u in result.units if u.unit == "D").same_day == 9


def test_hand_flags_forms_sharing_ink_and_digit_shapes(template: Template) -> None:
    rng = np.random.default_rng(SEED + 2)
    forms, feats = [], []

    def shape() -> np.ndarray:
        v = rng.normal(size=256).astype(np.float32)
        return v / np.linalg.norm(v)

    writer = {str(d): shape() for d in range(10)}
    for i, u in enumerate(("A", "B", "C", "D")):
        for f in _honest(template, u, 12, rng, 100 * i):
            forms.append(f)
            ink = (float(rng.uniform(0.3, 0.9)), float(rng.uniform(0.02, 0.2)), float(rng.uniform(0.4, 0.9)),
                   float(rng.uniform(0.02, 0.1)))
            feats.append(HandFeatures(f.form_id, ink, tuple(DigitShape(d, shape()) for d in "2024")))
    for f in _honest(template, "E", 12, rng, 900):
        forms.append(f)
        ink = (0.6 + float(rng.normal(0, 0.01)), 0.1, 0.7 + float(rng.normal(0, 0.01)), 0.05)
        digits = []
        for d in "2024":
            v = writer[d] + rng.normal(0, 0.02, 256).astype(np.float32)
            digits.append(DigitShape(d, (v / np.linalg.norm(v)).astype(np.float32)))
        feats.append(HandFeatures(f.form_id, ink, tuple(digits)))
    result = screen(_data(forms), template, feats, survey="t")
    assert result.flagged("hand") == ["E"]
    e = next(u for u in result.units if u.unit == "E")
    assert e.hand_pairs == 66 and e.hand_cluster == 12


def test_digit_shape_and_distance() -> None:
    cell = np.full((40, 30), 250, np.uint8)
    cell[8:32, 13:17] = 30  # a "1"
    other = np.full((40, 30), 250, np.uint8)
    other[8:12, 6:24] = 30  # a "7": top bar and a slanted stroke
    for k in range(20):
        other[12 + k, 22 - k // 2 : 25 - k // 2] = 30
    a, b = digit_shape(cell), digit_shape(other)
    assert a is not None and b is not None and a.shape == (128,)
    assert float(np.linalg.norm(a)) == pytest.approx(1.0, abs=1e-5)
    assert digit_shape(np.full((40, 30), 250, np.uint8)) is None
    one, seven = DigitShape("1", a), DigitShape("7", b)
    assert digit_distance([one, seven], [one, seven]) == pytest.approx(0.0, abs=1e-6)
    assert digit_distance([one], [one]) is None  # one shared digit is not enough
    d = digit_distance([one, seven], [DigitShape("1", b), DigitShape("7", a)])
    assert d is not None and d > 0.3


def test_units_from_the_ledger_first_then_the_manifest(tmp_path: Path, household: Survey) -> None:
    unit = household.units[0]
    assert manifest_unit(household, {unit.level: unit.code}) == unit.code
    assert manifest_unit(household, {"commune": "99999"}) is None
    store = open_ledger(open_store(tmp_path / "ws"))
    day = dt.date(2025, 12, 3)
    with store.session() as s:
        form = FieldworkForm(survey=household.name, stratum=f"{unit.code}/x", unit=unit.code, grp="x",
                             list="official", rank=1, person="p", state="drawn")
        s.add(form)
        s.flush()
        apply(s, form, "drawn", on=None, source="draw", actor="t")
        mark_printed(s, form, "ABCDEFGH", "route", source="dispatch", actor="t")
        apply(s, form, "delivered", on=day, source="post", actor="t")
        apply(s, form, "collected", on=day - dt.timedelta(days=1), source="post", actor="t")
    data = load_screen_data(store, household, load_template(household.instrument), set())
    assert data.post == (PostDays("ABCDEFGH", unit.code, day, day - dt.timedelta(days=1)),)
    result = screen(data, load_template(household.instrument), None, survey=household.name,
                    options=ScreenOptions())
    assert result.flagged("collected-early") == [unit.code]


def test_report_files_are_private_and_hold_the_flags(tmp_path: Path, template: Template) -> None:
    rng = np.random.default_rng(SEED + 3)
    forms = [f for i, u in enumerate(("A", "B", "C")) for f in _honest(template, u, 12, rng, 100 * i)]
    forms += _copies(template, "E", 12, rng, 900)
    data = _data(forms)
    result = screen(data, template, None, survey="t")
    page, doc = write_report(result, data, template, tmp_path / "out")
    assert page.stat().st_mode & 0o077 == 0 and doc.stat().st_mode & 0o077 == 0
    parsed = json.loads(doc.read_text(encoding="utf-8"))
    assert {f["unit"] for f in parsed["flags"] if f["kind"] == "pattern"} == {"E"}
    assert parsed["options"]["pair_min_share"] == ScreenOptions().pair_min_share
    text = page.read_text(encoding="utf-8")
    assert "Unit E: Answer patterns repeated beyond chance" in text and "never automatic" in text
