"""Templates as clean YAML: block style for fields, one line per label, option, rectangle and box."""

from __future__ import annotations

from omr.template.load import builtin_templates, load_template, parse_template
from omr.template.model import Template
from omr.template.yamlout import template_yaml

FIXED = {
    "name": "city-survey", "version": "1", "title": {"vi": "Phiếu", "en": "Survey"}, "marking": {"mode": "check"},
    "pages": [{"fields": [
        {"code": "Q1", "kind": "single", "label": {"vi": "Câu 1", "en": "Yes or no"},
         "options": [{"value": "1", "label": {"vi": "Có", "en": "Yes"}},
                     {"value": "2", "label": {"vi": "Không", "en": "No"}}]},
        {"code": "ID", "kind": "digits", "length": 2, "label": {"vi": "Mã", "en": "Code"}},
    ]}],
    "layout": {"align": ["page"], "pages": [{"boxes": [
        {"field": "Q1", "value": "1", "rect": [30, 50, 5, 5], "label": [37, 50, 20.25, 5]},
        {"field": "Q1", "value": "2", "rect": [70.5, 50, 5, 5], "shape": "circle"},
        {"field": "ID", "value": "1", "rect": [30, 100, 6, 8]}, {"field": "ID", "value": "2", "rect": [36, 100, 6, 8]},
    ]}]},
}


def test_round_trip_and_flow_style() -> None:
    t = Template.model_validate(FIXED)
    text = template_yaml(t, "made by hand\nsecond line")
    assert parse_template(text, "t.yaml") == t
    lines = text.splitlines()
    assert lines[:2] == ["# made by hand", "# second line"]
    assert "        - {field: Q1, value: '1', rect: [30, 50, 5, 5], label: [37, 50, 20.25, 5]}" in lines
    assert "          - {value: '2', label: {vi: Không, en: 'No'}}" in lines
    assert "  align: [page]" in lines and "  page_size: A4" in lines
    assert "      - code: Q1" in lines and "        kind: single" in lines


def test_builtin_templates_round_trip() -> None:
    for path in builtin_templates().values():
        t = load_template(path)
        assert parse_template(template_yaml(t, ""), str(path)) == t
