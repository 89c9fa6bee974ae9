"""The built-in templates against the model: counts, codes, scoring map, texts, published schema."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Iterator

import pytest
from pydantic import BaseModel

from omr.template.load import builtin_templates, load_template, templates_dir
from omr.template.model import (
    GridField,
    Label,
    MultiField,
    SingleField,
    Template,
    template_json_schema,
)

BUILTIN = ("sipas-2023", "sipas-2019")
# Vietnamese letters outside ASCII (lower case; the check folds case).
VIETNAMESE = set("àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ")


def _labels(node: object) -> Iterator[Label]:
    """Every Label inside a model, depth first."""
    if isinstance(node, Label):
        yield node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _labels(getattr(node, name))
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _labels(item)
    elif isinstance(node, dict):
        for item in node.values():
            yield from _labels(item)


def _grid(t: Template, code: str) -> GridField:
    field = t.field(code)
    assert isinstance(field, GridField)
    return field


def _scoring_items(t: Template, aspect: str) -> list[str]:
    (asp,) = [a for a in t.scoring.aspects if a.code == aspect]
    return [item for element in asp.elements for item in element.items]


@pytest.fixture(scope="module")
def t2023() -> Template:
    return load_template("sipas-2023")


@pytest.fixture(scope="module")
def t2019() -> Template:
    return load_template("sipas-2019")


def test_builtin_templates_are_listed() -> None:
    assert set(BUILTIN) <= set(builtin_templates())


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_template_loads(name: str) -> None:
    t = load_template(name)
    assert t.name == name
    assert t.marking.mode == "check-correct"
    assert t.provisional and t.note


def test_sipas_2023_structure(t2023: Template) -> None:
    assert t2023.instrument == "household"
    assert t2023.version == "2023.2"
    assert t2023.page_count == 5
    assert [u.code for u in t2023.sample_units] == ["province", "district", "commune", "village"]
    assert sorted(t2023.sections) == ["A", "B", "C", "D"]
    assert [r.code for r in _grid(t2023, "Q1").rows] == [f"Q1_{i}" for i in range(1, 10)]
    assert [r.code for r in _grid(t2023, "Q3").rows] == [f"Q3_{i}" for i in range(1, 8)]
    assert len(_grid(t2023, "Q7").rows) == 3
    assert len(_grid(t2023, "Q8").rows) == 7
    q9 = [*_grid(t2023, "Q9").rows, *_grid(t2023, "Q9cont").rows]  # Q9 continues on the next page
    assert [r.code for r in q9] == [f"Q9_{i}" for i in range(1, 40)]
    assert [s.value for s in _grid(t2023, "Q9").scale] == ["1", "2", "3", "4", "5"]
    assert _grid(t2023, "Q9cont").scale == _grid(t2023, "Q9").scale
    assert [r.code for r in _grid(t2023, "Q10").rows] == [f"Q10_{i}" for i in range(1, 11)]
    q2 = t2023.field("Q2")
    assert isinstance(q2, MultiField) and len(q2.options) == 7 and q2.options[-1].other == "Q2_other"
    for code, n in (("Q4", 4), ("Q5", 3), ("Q6", 3), ("A4", 6), ("A5", 7)):
        field = t2023.field(code)
        assert isinstance(field, SingleField) and len(field.options) == n, code
    date = t2023.field("DATE")
    assert date.kind == "digits" and date.provisional and date.note


def test_sipas_2023_scoring_covers_q9_once(t2023: Template) -> None:
    policy = _scoring_items(t2023, "POLICY")
    service = _scoring_items(t2023, "SERVICE")
    assert len(policy) == 23 and len(service) == 16
    counts = Counter(policy + service)
    q9 = [r.code for g in ("Q9", "Q9cont") for r in _grid(t2023, g).rows]
    assert all(counts[code] == 1 for code in q9)
    assert set(counts) == set(q9)
    sizes = {e.code: len(e.items) for a in t2023.scoring.aspects for e in a.elements}
    assert sizes == {
        "P_A": 2,
        "P_B": 2,
        "P_C": 9,
        "P_D": 10,
        "S_A": 3,
        "S_B": 4,
        "S_C": 3,
        "S_D": 3,
        "S_E": 3,
    }
    assert t2023.scoring.satisfied == ["4", "5"]


def test_sipas_2023_indicators(t2023: Template) -> None:
    expectation = t2023.scoring.expectation
    assert [e.code for e in expectation] == [f"E{i}" for i in range(1, 11)]
    assert [e.fields for e in expectation] == [[f"Q10_{i}"] for i in range(1, 11)]
    assert all(e.counted == ["3", "4"] and e.provisional for e in expectation)
    fields = {code for ind in t2023.scoring.perception for code in ind.fields}
    assert {f"Q1_{i}" for i in range(1, 10)} | {"Q2", "Q4", "Q5", "Q6"} <= fields
    assert all(ind.note for ind in t2023.scoring.perception if ind.provisional)


def test_sipas_2019_structure(t2019: Template) -> None:
    assert t2019.instrument == "service-user"
    assert t2019.version == "2019.2"
    assert t2019.provisional
    (aspect,) = t2019.scoring.aspects
    assert aspect.code == "SERVICE"
    assert [e.code for e in aspect.elements] == ["S_A", "S_B", "S_C", "S_D", "S_E"]
    assert [len(e.items) for e in aspect.elements] == [4, 5, 6, 3, 4]
    assert not t2019.scoring.perception and not t2019.scoring.expectation
    service_field = t2019.field("Q1")
    assert isinstance(service_field, SingleField)
    assert service_field.columns == 2 and service_field.options[-1].other == "Q1_other"


@pytest.mark.parametrize("name", BUILTIN)
def test_answer_codes_unique(name: str) -> None:
    codes = load_template(name).answer_codes()
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("name", BUILTIN)
def test_texts_are_nfc_vietnamese(name: str) -> None:
    labels = list(_labels(load_template(name)))
    assert len(labels) > 50
    not_nfc = [lab.vi for lab in labels if not unicodedata.is_normalized("NFC", lab.vi)]
    assert not not_nfc
    assert any(VIETNAMESE & set(lab.vi.lower()) for lab in labels)


@pytest.mark.parametrize("name", BUILTIN)
def test_labels_fit_the_print_guidelines(name: str) -> None:
    t = load_template(name)
    for field in t.fields():
        if isinstance(field, GridField):
            assert all(len(r.label.vi) <= 80 for r in field.rows), field.code
            assert all(len(s.label.vi) <= 22 for s in field.scale), field.code


@pytest.mark.parametrize("name", BUILTIN)
def test_provisional_fields_say_why(name: str) -> None:
    t = load_template(name)
    assert all(f.note for f in t.fields() if f.provisional)


def test_published_schema_is_current() -> None:
    path = templates_dir() / "template.schema.json"
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == template_json_schema()
    assert text == json.dumps(template_json_schema(), indent=2, ensure_ascii=False) + "\n", (
        "templates/template.schema.json is stale: run `python -m tools.export_schema`"
    )
