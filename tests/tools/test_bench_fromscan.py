"""The from-scan bench: box pairing and recoding on a tiny template, the comparison on hand-made readings,
and the whole bench on 2 forms (pages 2-3, clean) of the built-in form."""

from __future__ import annotations

from pathlib import Path

import pytest

from omr.template.layout import layout_template
from omr.template.load import load_template, parse_template
from omr.template.model import Template
from omr.types import FieldReading
from tools.bench_fromscan import (
    FromScan,
    PagePair,
    QualityResult,
    Reading,
    answer_kinds,
    compare,
    page_codes,
    run,
)
from tools.fromscan_codes import match_boxes, recode

KNOWN = """
name: known
version: "1"
title: {vi: K, en: K}
marking: {mode: check-correct}
pages:
  - fields:
      - {code: A1, kind: single, label: {vi: a, en: a}, options: [{value: "1", label: {vi: x, en: x}},
         {value: "2", label: {vi: y, en: y}}]}
      - {code: A2, kind: multi, label: {vi: b, en: b}, options: [{value: a, label: {vi: x, en: x}},
         {value: b, label: {vi: y, en: y}}, {value: c, label: {vi: z, en: z}}]}
      - {code: G, kind: grid, label: {vi: g, en: g}, scale: [{value: "4", label: {vi: "4", en: "4"}},
         {value: "5", label: {vi: "5", en: "5"}}], rows: [{code: G_a, label: {vi: r, en: r}},
         {code: G_b, label: {vi: s, en: s}}]}
      - {code: NOTE, kind: text, label: {vi: n, en: n}}
layout:
  align: [page]
  pages:
    - boxes:
        - {field: A1, value: "1", rect: [30, 50, 5, 5]}
        - {field: A1, value: "2", rect: [70, 50, 5, 5]}
        - {field: A2, value: a, rect: [30, 70, 5, 5]}
        - {field: A2, value: b, rect: [70, 70, 5, 5]}
        - {field: A2, value: c, rect: [110, 70, 5, 5]}
        - {field: G_a, value: "4", rect: [120, 90, 5, 5]}
        - {field: G_a, value: "5", rect: [140, 90, 5, 5]}
        - {field: G_b, value: "4", rect: [120, 100, 5, 5]}
        - {field: G_b, value: "5", rect: [140, 100, 5, 5]}
        - {field: NOTE, rect: [20, 120, 170, 30]}
"""


def _proposed(shift_q1: float = 0.0) -> Template:
    return parse_template(f"""
name: proposed
version: "1"
title: {{vi: P, en: P}}
marking: {{mode: check}}
pages:
  - fields:
      - {{code: Q1, kind: single, label: {{vi: a, en: a}}, options: [{{value: "1", label: {{vi: x, en: x}}}},
         {{value: "2", label: {{vi: y, en: y}}}}]}}
      - {{code: Q2, kind: single, label: {{vi: b, en: b}}, options: [{{value: "1", label: {{vi: x, en: x}}}},
         {{value: "2", label: {{vi: y, en: y}}}}, {{value: "3", label: {{vi: z, en: z}}}}]}}
      - {{code: Q3, kind: grid, label: {{vi: g, en: g}}, scale: [{{value: "1", label: {{vi: "1", en: "1"}}}},
         {{value: "2", label: {{vi: "2", en: "2"}}}}], rows: [{{code: Q3_1, label: {{vi: r, en: r}}}},
         {{code: Q3_2, label: {{vi: s, en: s}}}}]}}
      - {{code: Q4, kind: text, label: {{vi: n, en: n}}}}
layout:
  align: [page]
  pages:
    - boxes:
        - {{field: Q1, value: "1", rect: [{30 + shift_q1}, 50, 5, 5]}}
        - {{field: Q1, value: "2", rect: [70, 50.4, 5, 5]}}
        - {{field: Q2, value: "1", rect: [30.2, 70, 5, 5]}}
        - {{field: Q2, value: "2", rect: [70, 70, 5.3, 5]}}
        - {{field: Q2, value: "3", rect: [110, 70, 5, 5]}}
        - {{field: Q3_1, value: "1", rect: [120, 90, 5, 5]}}
        - {{field: Q3_1, value: "2", rect: [140, 90, 5, 5]}}
        - {{field: Q3_2, value: "1", rect: [120, 100, 5, 5]}}
        - {{field: Q3_2, value: "2", rect: [140, 100, 5, 5]}}
        - {{field: Q4, rect: [20.5, 119.6, 169.8, 30.5]}}
""", "proposed.yaml")


def test_boxes_pair_within_a_millimetre_and_the_proposal_takes_the_known_codes() -> None:
    known = parse_template(KNOWN, "known.yaml")
    match = match_boxes(layout_template(known), [1], _proposed())
    assert len(match.pairs) == 10 and not match.unmatched_known and not match.unmatched_proposed
    assert match.mapping[("Q2", "3")] == ("A2", "c") and match.mapping[("Q3_2", "1")] == ("G_b", "4")
    assert match.max_offset_mm == pytest.approx(0.5)
    recoded = recode(_proposed(), known, match)
    t = recoded.template
    assert t.answer_codes() == known.answer_codes() and not recoded.kept
    assert [f.kind for f in t.pages[0].fields] == ["single", "multi", "grid", "text"]
    assert recoded.kinds_changed == ("Q2 single → A2 multi",)
    assert t.marking.mode == "check-correct" and t.pages[0].fields[2].code == "G"
    assert t.layout is not None
    boxes = {(b.field, b.value): b.rect for b in t.layout.pages[0].boxes}
    assert boxes[("G_b", "5")] == (140, 100, 5, 5) and boxes[("NOTE", "")] == (20.5, 119.6, 169.8, 30.5)


def test_a_field_with_an_unpaired_box_is_kept_as_proposed() -> None:
    known = parse_template(KNOWN, "known.yaml")
    match = match_boxes(layout_template(known), [1], _proposed(shift_q1=2.0))
    assert match.unmatched_known == ((1, "A1", "1"),) and match.unmatched_proposed == ((1, "Q1", "1"),)
    recoded = recode(_proposed(shift_q1=2.0), known, match)
    assert recoded.kept == ("Q1: 1 of its 2 boxes pair with no known box",)
    assert recoded.template.answer_codes() == ["FS_Q1", "A2", "G_a", "G_b", "NOTE"]


def _reading(page: int, fields: list[tuple[str, str, str]], form: str = "F1") -> Reading:
    return Reading("read", page, form, tuple(FieldReading(c, "single", v, s, 0.9) for c, v, s in fields), "", 0.1)  # type: ignore[arg-type]


def test_comparison_counts_each_truth_code_once() -> None:
    a = _reading(1, [("A", "1", "auto"), ("B", "1", "auto"), ("C", "2", "auto"), ("D", "", "flagged")])
    b = _reading(1, [("A", "1", "auto"), ("B", "2", "auto"), ("C", "2", "flagged"), ("D", "1", "auto")])
    pairs = [PagePair("s.png", 0, "F1", 1, a, b), PagePair("t.png", 0, "F1", 2, _reading(2, [("E", "1", "auto")]),
                                                           _reading(1, [("E", "1", "auto")]))]
    truth = [{"form_id": "F1", "field": c, "value": v} for c, v in (("A", "1"), ("B", "1"), ("C", "2"), ("D", "1"),
                                                                     ("E", "1"))]
    result: QualityResult = compare("clean", pairs, truth, {})
    g = result.agreement
    assert (g.codes, g.both_auto_equal, g.both_auto_different, g.fromscan_flagged_only, g.builtin_flagged_only,
            g.missing_fromscan) == (5, 1, 1, 1, 1, 1)
    assert result.differences[0].field == "B" and result.fromscan_only_flags == {"C": 1}
    assert result.wrong_page == {"fromscan": 1}
    assert (result.builtin_eval.overall.wrong, result.fromscan_eval.overall.wrong) == (0, 1)


def test_answer_kinds_of_the_built_in_form() -> None:
    kinds = answer_kinds(load_template("sipas-2023"))
    assert (kinds["Q2"], kinds["Q1_1"], kinds["A2_other"], kinds["DATE"]) == ("multi", "grid", "text", "digits")


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[FromScan, QualityResult]:
    work = tmp_path_factory.mktemp("bench_fromscan")
    setup, results = run((2, 3), ["clean"], forms=2, seed=20260116, work=work, jobs=1, dpi=150, overlay=False)
    return setup, results[0]


def test_from_scan_on_the_unmarked_form_finds_every_box_and_takes_its_codes(
    bench: tuple[FromScan, QualityResult],
) -> None:
    setup, _ = bench
    assert not setup.match.unmatched_known and not setup.match.unmatched_proposed
    assert setup.match.max_offset_mm <= 0.5
    assert setup.recoded.kinds_changed == ("Q2 single → Q2 multi",) and not setup.recoded.kept
    known = load_template("sipas-2023")
    recoded = load_template(str(setup.recoded_yaml))
    assert recoded.answer_codes() == page_codes(known, 2) + page_codes(known, 3)
    assert Path(setup.recoded_yaml).read_text(encoding="utf-8").startswith("# unmarked.yaml (proposed by")


def test_both_readers_place_every_page_and_the_from_scan_one_only_misses_marks(
    bench: tuple[FromScan, QualityResult],
) -> None:
    _, result = bench
    g = result.agreement
    assert result.pages == 4 and result.wrong_page == {} and g.missing_builtin == g.missing_fromscan == 0
    assert g.codes == 80 == (g.both_auto_equal + g.both_auto_different + g.fromscan_flagged_only
                             + g.builtin_flagged_only + g.both_flagged)
    assert result.builtin_eval.overall.wrong == 0
    for d in result.differences:  # where they differ, the from-scan reading lacks marks; it never adds one
        assert set(d.fromscan.split(";")) - {""} < set(d.builtin.split(";")) - {""}, d


def test_from_scan_readings_agree_with_the_built_in_ones(bench: tuple[FromScan, QualityResult]) -> None:
    """Read by the same engine (printed checkboxes and a blank page), both templates accept the same values."""
    _, result = bench
    assert result.agreement.both_auto_different == 0
    assert result.fromscan_eval.marks.wrong <= result.builtin_eval.marks.wrong
