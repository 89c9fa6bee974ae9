"""Indices from scanned-and-reviewed synthetic forms equal those computed independently from truth.csv.

For each instrument: ``sipas synth`` writes a clean synthetic set (with missing pages, double marks
and skipped questions), the forms are spread over a few provinces in the manifest (the sample
list, which is what gives a form its units), the scans are read into a fresh SQLite workspace, and
a stand-in reviewer settles every flagged answer from ``truth.csv`` through the store tables (new
value, status ``reviewed``, revision + 1, review item done, audit event), exactly what the review
app writes. Then the indices scored from the store must equal, to 1e-9, those of a small
pure-Python computation over ``truth.csv`` written here, independently of :mod:`scoring`.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from omr.batch import scan
from omr.store.db import Store, open_store
from omr.store.manifest import import_manifest
from omr.store.schema import AnswerRow, AuditEvent, ReviewItem
from omr.template.load import load_template
from omr.template.model import GridField, SingleField, Template
from samples.synth.generate import SynthOptions, generate
from samples.synth.profile import AnswerProfile, plain_marks
from scoring.data import load_store_dataset
from scoring.results import Results, UnitResult
from scoring.units import compute_results, service_field

pytestmark = pytest.mark.slow

TOLERANCE = 1e-9
REVIEWER = "truth-reviewer"
# More slips than the default profile, so that every exclusion rule is exercised on a small set; marks
# as the tuning families make them but none of the hesitant kinds (circles, marks beside a box, dots):
# this test is about scoring, and the reader's accuracy on those is measured by the bench.
PROFILE = plain_marks(AnswerProfile(missing_page=0.12, double_mark=0.01, skip_question=0.03))
PROVINCE_CODES = ("01", "31", "48", "79")

Answers = dict[str, dict[str, str]]
"""form id → answer code → value (truth.csv coding)."""
Indices = dict[str, float | None]


@dataclass(frozen=True)
class Case:
    template: str
    count: int
    seed: int
    provinces: int


CASES = (Case("sipas-2023", count=18, seed=5, provinces=3), Case("sipas-2019", count=20, seed=3, provinces=4))


@dataclass(frozen=True)
class Scored:
    """What each side scored for one synthetic set."""

    template: Template
    results: Results
    truth: Answers
    units: dict[str, dict[str, str]]
    complete: frozenset[str]
    incomplete: frozenset[str]
    store_incomplete: frozenset[str]
    store_used: frozenset[str]
    settled: int


# ------------------------------------------------------------------ the synthetic set and the reviewer


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _spread_over_provinces(manifest: Path, provinces: int) -> None:
    """Give the forms of the manifest (the sample list) round-robin provinces with a few forms each."""
    rows = _read_csv(manifest)
    header = list(rows[0])
    for i, row in enumerate(rows):
        p = PROVINCE_CODES[i % provinces]
        units = {"province": p, "district": f"{p}{i // provinces % 2}",
                 "commune": f"{p}{i // provinces % 2}{i // provinces % 3}", "village": "01"}
        row.update({k: v for k, v in units.items() if k in row})
    with manifest.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def settle_flagged_from_truth(store: Store, truth: Answers) -> int:
    """Play the reviewer: set every flagged answer to what the respondent really marked.

    Writes what the review app writes for a settled field: the value, status ``reviewed``,
    confidence 1, revision + 1, the field's open review items done, and an audit event.
    Returns how many answers were settled.
    """
    now = dt.datetime.now(dt.UTC)
    settled = 0
    with store.session() as s:
        for ans in s.scalars(select(AnswerRow).where(AnswerRow.status == "flagged")).all():
            if ans.form_id not in truth:  # a foreign page's form: nobody answers for it
                continue
            old, new = ans.value, truth[ans.form_id].get(ans.field, "")
            ans.value, ans.status, ans.confidence = new, "reviewed", 1.0
            ans.revision, ans.updated = ans.revision + 1, now
            for item in s.scalars(select(ReviewItem).where(
                    ReviewItem.kind == "field", ReviewItem.status == "open",
                    ReviewItem.form_id == ans.form_id, ReviewItem.field == ans.field)).all():
                item.status, item.resolved_by, item.resolved_at = "done", REVIEWER, now
            s.add(AuditEvent(at=now, actor=REVIEWER, action="review", form_id=ans.form_id, field=ans.field,
                             page_id=ans.page_id, old=old, new=new))
            settled += 1
    return settled


def _score_set(case: Case, root: Path) -> Scored:
    scans = root / "scans"
    generate(SynthOptions(template=case.template, count=case.count, seed=case.seed, quality="clean", format="pdf",
                          out=scans, answers=PROFILE, families="tuning"))
    _spread_over_provinces(scans / "forms.manifest.csv", case.provinces)
    truth: Answers = defaultdict(dict)
    for r in _read_csv(scans / "truth.csv"):
        truth[r["form_id"]][r["field"]] = r["value"]
    manifest = {r["form_id"]: r for r in _read_csv(scans / "forms.manifest.csv")}
    scanned: dict[str, set[int]] = defaultdict(set)
    for r in _read_csv(scans / "pages.csv"):
        if r["kind"] == "form" and r["form_id"] in manifest:
            scanned[r["form_id"]].add(int(r["page"]))
    incomplete = frozenset(f for f in truth if scanned[f] != set(range(1, int(manifest[f]["pages"]) + 1)))

    store = open_store(root / "ws")
    import_manifest(store, scans / "forms.manifest.csv")
    summary = scan([scans], store)
    assert summary.rejected == 0 and summary.pages_to_review == 0, summary
    settled = settle_flagged_from_truth(store, truth)
    template = load_template(case.template)
    dataset = load_store_dataset(store, template)
    with store.session() as s:
        still_open = s.scalars(select(ReviewItem).where(ReviewItem.status == "open")).all()
        foreign = {str(i.form_id) for i in still_open}
        assert not foreign & set(truth), "every review item of a surveyed form is settled"
        answers = s.execute(select(AnswerRow.form_id, AnswerRow.field, AnswerRow.value, AnswerRow.status)).all()
    # Sanity of the reading itself: a machine-accepted answer that differs from the truth would make
    # the two sides differ for a reason that has nothing to do with scoring; say so plainly.
    wrong = [(f, c, v, truth[f].get(c)) for f, c, v, st in answers
             if st == "auto" and f in truth and f not in incomplete and truth[f].get(c, "") != v]
    assert not wrong, f"the reader auto-accepted wrong values (not a scoring fault): {wrong[:5]}"
    return Scored(
        template=template, results=compute_results(dataset),
        truth=dict(truth), units={f: {k: r.get(k, "") for k in ("province",)} for f, r in manifest.items()},
        complete=frozenset(truth) - incomplete, incomplete=incomplete,
        store_incomplete=frozenset(lo.form_id for lo in dataset.left_out if lo.reason == "incomplete"),
        store_used=frozenset(dataset.frame["form_id"]), settled=settled,
    )


@pytest.fixture(scope="module", params=CASES, ids=[c.template for c in CASES])
def scored(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Scored:
    case: Case = request.param
    return _score_set(case, tmp_path_factory.mktemp(case.template))


# ------------------------------------------------------------------ the independent computation


def _valid_values(template: Template, item: str) -> set[str]:
    """The scale codes of a scored item (anything else — blank, ``*`` — is not a valid answer)."""
    for q in template.fields():
        if isinstance(q, GridField) and item in {r.code for r in q.rows}:
            return {o.value for o in q.scale}
        if isinstance(q, SingleField) and q.code == item:
            return {o.value for o in q.options}
    raise AssertionError(f"{item} is not a scored question")


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def truth_indices(template: Template, forms: list[dict[str, str]]) -> tuple[Indices, dict[str, tuple[int, int]]]:
    """Item index = 100 × answers 4–5 / valid answers; element, aspect and overall = means of item indices."""
    satisfied = set(template.scoring.satisfied)
    out: Indices = {}
    counts: dict[str, tuple[int, int]] = {}
    all_items: list[str] = []
    for aspect in template.scoring.aspects:
        aspect_items: list[str] = []
        for element in aspect.elements:
            for item in element.items:
                valid = [f[item] for f in forms if f.get(item, "") in _valid_values(template, item)]
                sat = sum(v in satisfied for v in valid)
                counts[item] = (sat, len(valid))
                out[item] = 100.0 * sat / len(valid) if valid else None
            out[element.code] = _mean([out[i] for i in element.items])
            aspect_items += element.items
        out[aspect.code] = _mean([out[i] for i in aspect_items])
        all_items += aspect_items
    out["OVERALL"] = _mean([out[i] for i in all_items])
    return out, counts


def _assert_same(got: UnitResult, want: Indices, where: str) -> None:
    assert set(got.values) == set(want), where
    for code, w in want.items():
        g = got.values[code]
        assert (g is None) == (w is None), f"{where} {code}: store {g}, truth {w}"
        if g is not None and w is not None:
            assert abs(g - w) <= TOLERANCE, f"{where} {code}: store {g!r}, truth {w!r}"


# ------------------------------------------------------------------ the checks


def test_the_set_exercises_every_rule(scored: Scored) -> None:
    items = [i for a in scored.template.scoring.aspects for e in a.elements for i in e.items]
    used = [scored.truth[f] for f in scored.complete]
    assert scored.incomplete, "at least one form came back with a page missing"
    assert scored.settled > 0, "the reviewer had answers to settle"
    assert any(f.get(i) == "*" for f in used for i in items), "an unresolved double mark is excluded"
    assert any(f.get(i) == "" for f in used for i in items), "a skipped item is excluded"
    per_province: dict[str, int] = defaultdict(int)
    for f in scored.complete:
        per_province[scored.units[f]["province"]] += 1
    assert len(per_province) >= 3 and min(per_province.values()) >= 3, per_province


def test_incomplete_forms_are_left_out_on_both_sides(scored: Scored) -> None:
    assert scored.store_incomplete & set(scored.truth) == scored.incomplete
    assert scored.store_used == scored.complete, "every complete form is verified once flagged answers are settled"
    assert scored.results.forms_used == len(scored.complete)


def test_indices_equal_the_truth_per_province_and_nationally(scored: Scored) -> None:
    t = scored.template
    by_province: dict[str, list[dict[str, str]]] = defaultdict(list)
    for f in sorted(scored.complete):
        by_province[scored.units[f]["province"]].append(scored.truth[f])
    provinces = {u.code: u for u in scored.results.level_units("province")}
    assert set(provinces) == set(by_province)
    want_by_province: dict[str, Indices] = {}
    for code, forms in by_province.items():
        want, counts = truth_indices(t, forms)
        want_by_province[code] = want
        _assert_same(provinces[code], want, f"province {code}")
        assert provinces[code].counts == counts, f"province {code}: satisfied / valid answers"
        assert provinces[code].forms == len(forms)
    national = {k: _mean([p[k] for p in want_by_province.values()]) for k in next(iter(want_by_province.values()))}
    _assert_same(scored.results.national(), national, "national (mean of provinces)")


def test_service_field_breakdown_equals_the_truth(scored: Scored) -> None:
    code = service_field(scored.template)
    if code is None:
        assert not [lv for lv in scored.results.levels if lv != "province" and lv not in ("district", "commune")]
        return
    q = scored.template.question_of(code)
    assert isinstance(q, SingleField)
    options = {o.value for o in q.options}
    groups: dict[str, list[dict[str, str]]] = defaultdict(list)
    for f in sorted(scored.complete):
        value = scored.truth[f].get(code, "")
        if value in options:
            groups[value].append(scored.truth[f])
    units = {u.code: u for u in scored.results.level_units(code)}
    assert set(units) == set(groups)
    for value, forms in groups.items():
        want, counts = truth_indices(scored.template, forms)
        _assert_same(units[value], want, f"{code} = {value}")
        assert units[value].counts == counts
