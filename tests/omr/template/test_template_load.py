"""Loading templates: broken files give a TemplateError that names the file and the place in it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from omr.errors import TemplateError
from omr.template.load import load_template, parse_template, resolve_template

Data = dict[str, Any]


def _label(vi: str, en: str) -> dict[str, str]:
    return {"vi": vi, "en": en}


def _option(value: str, vi: str, en: str) -> dict[str, Any]:
    return {"value": value, "label": _label(vi, en)}


# A small valid template: pages[0].fields = [A1 single, Q1 single, DATE digits, Q9 grid].
BASE: Data = {
    "name": "mini-test",
    "version": "1",
    "instrument": "household",
    "title": _label("PHIẾU THỬ", "TEST FORM"),
    "issuer": _label("BỘ NỘI VỤ", "MINISTRY OF HOME AFFAIRS"),
    "introduction": _label("Phiếu dùng để kiểm thử.", "A form for tests."),
    "marking": {
        "instructions": _label("Đánh dấu vào ô.", "Mark a box."),
        "correction": _label("Tô kín ô sai.", "Fill the wrong box."),
    },
    "sections": {
        "A": _label("A. Người trả lời", "A. Respondent"),
        "C": _label("C. Hài lòng", "C. Satisfaction"),
    },
    "pages": [
        {
            "fields": [
                {
                    "code": "A1",
                    "kind": "single",
                    "section": "A",
                    "label": _label("Giới tính", "Gender"),
                    "options": [_option("1", "Nam", "Male"), _option("2", "Nữ", "Female")],
                },
                {
                    "code": "Q1",
                    "kind": "single",
                    "section": "A",
                    "label": _label("Ông/Bà có hài lòng không?", "Are you satisfied?"),
                    "options": [_option("1", "Có", "Yes"), _option("2", "Không", "No")],
                },
                {
                    "code": "DATE",
                    "kind": "digits",
                    "length": 8,
                    "groups": [2, 2, 4],
                    "label": _label("Ngày", "Date"),
                },
                {
                    "code": "Q9",
                    "kind": "grid",
                    "section": "C",
                    "label": _label("Mức độ hài lòng", "Satisfaction"),
                    "scale": [_option("1", "Không", "No"), _option("2", "Có", "Yes")],
                    "rows": [
                        {"code": "Q9_1", "label": _label("Nội dung một", "Item one")},
                        {"code": "Q9_2", "label": _label("Nội dung hai", "Item two")},
                    ],
                },
            ]
        }
    ],
    "scoring": {
        "satisfied": ["2"],
        "aspects": [
            {
                "code": "SERVICE",
                "label": _label("Dịch vụ", "Service"),
                "elements": [
                    {"code": "S_A", "label": _label("Tiếp cận", "Access"), "items": ["Q9_1", "Q9_2"]}
                ],
            }
        ],
        "perception": [{"code": "N1", "label": _label("Hài lòng", "Satisfied"), "fields": ["Q1"]}],
    },
}


def _write(tmp_path: Path, text: str, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _dump(data: Data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _error(path: Path) -> str:
    with pytest.raises(TemplateError) as info:
        load_template(path)
    return str(info.value)


def _fields(data: Data) -> list[Data]:
    fields: list[Data] = data["pages"][0]["fields"]
    return fields


def _short_options(d: Data) -> None:
    _fields(d)[1]["options"] = _fields(d)[1]["options"][:1]


def _duplicate_code(d: Data) -> None:
    _fields(d)[1]["code"] = "A1"


def _unknown_section(d: Data) -> None:
    _fields(d)[1]["section"] = "Z"


def _unknown_item(d: Data) -> None:
    d["scoring"]["aspects"][0]["elements"][0]["items"].append("Q9_3")


def _bad_groups(d: Data) -> None:
    _fields(d)[2]["groups"] = [2, 2, 3]


def _extra_key(d: Data) -> None:
    d["colour"] = "blue"


def _duplicate_value(d: Data) -> None:
    _fields(d)[0]["options"][1]["value"] = "1"


def _unknown_perception_field(d: Data) -> None:
    d["scoring"]["perception"][0]["fields"] = ["Q7"]


def test_base_template_is_valid(tmp_path: Path) -> None:
    t = load_template(_write(tmp_path, _dump(BASE), "mini.yaml"))
    assert t.answer_codes() == ["A1", "Q1", "DATE", "Q9_1", "Q9_2"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_short_options, ["pages[0].fields[1].options", "at least 2"]),
        (_duplicate_code, ["'A1'", "used twice"]),
        (_unknown_section, ["pages[0].fields[1].section", "'Z'"]),
        (_unknown_item, ["scoring.aspects[0].elements[0].items", "'Q9_3'"]),
        (_bad_groups, ["pages[0].fields[2]", "add up to 7, not length 8"]),
        (_extra_key, ["colour", "Extra inputs are not permitted"]),
        (_duplicate_value, ["pages[0].fields[0].options", "['1']"]),
        (_unknown_perception_field, ["scoring.perception[0].fields", "'Q7'"]),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else "",
)
def test_schema_errors_name_file_and_path(
    tmp_path: Path, mutate: Callable[[Data], None], expected: list[str]
) -> None:
    data = copy.deepcopy(BASE)
    mutate(data)
    path = _write(tmp_path, _dump(data))
    message = _error(path)
    assert path.name in message
    for part in expected:
        assert part in message, message


def test_not_yaml(tmp_path: Path) -> None:
    path = _write(tmp_path, "name: [unclosed\n  version: : :\n")
    message = _error(path)
    assert path.name in message and "not valid YAML" in message


def test_not_a_mapping(tmp_path: Path) -> None:
    path = _write(tmp_path, "- just\n- a list\n")
    message = _error(path)
    assert path.name in message and "mapping" in message


def test_parse_template_names_the_source() -> None:
    with pytest.raises(TemplateError, match=r"^inline: .*pages\[0\]\.fields\[1\]\.section"):
        data = copy.deepcopy(BASE)
        _unknown_section(data)
        parse_template(_dump(data), "inline")


def test_unknown_template_name() -> None:
    with pytest.raises(TemplateError) as info:
        load_template("sipas-1999")
    message = str(info.value)
    assert "unknown template 'sipas-1999'" in message
    assert "sipas-2023" in message


def test_missing_template_file(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="no such template file"):
        resolve_template(tmp_path / "absent.yaml")
