"""A template as clean, hand-editable YAML text, written only when it reads back as the same template.

Mappings are written in block style, field by field, in the order a person reads a template (code
and kind first); short things stay on one line in flow style: a label ``{vi: …, en: …}``, an
option, a grid row, a rectangle ``[x, y, w, h]`` and each placed box. Defaults are left out, except
``schema_version`` and a fixed layout's ``page_size`` and ``align``, which a reader wants to see.
Numbers are written exactly (the shortest text that reads back as the same float; whole numbers
without ``.0``), so the text parses back to an equal template with
:func:`omr.template.load.parse_template`; callers round positions to a sensible precision first.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml

from omr.errors import TemplateError
from omr.template.load import parse_template
from omr.template.model import Template

_FIRST = ("code", "kind", "field", "value", "rect", "shape", "number", "label", "page_size", "align", "marks",
          "source", "blank", "barcode")
_FLOW_KEYS = {"label", "title", "subtitle", "hint", "issuer", "introduction", "closing", "instructions",
              "correction", "legal_basis", "confidentiality", "rect", "centres", "groups", "page_size", "align"}
_FLOW_LIST_ITEMS = {"options", "scale", "rows", "boxes"}
_WHOLE_LIMIT = 1e15  # whole floats below this are written as integers ("30", not "30.0")
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


class _Flow(dict[str, Any]):
    """A mapping written on one line."""


class _FlowList(list[Any]):
    """A list written on one line."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # list items indented under their key


def _flow_map(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


def _flow_list(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


def _block_map(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False)


def _number(dumper: yaml.SafeDumper, value: float) -> yaml.Node:
    """A whole float as an integer; any other float exactly (Python's shortest round-tripping text)."""
    if math.isfinite(value) and value.is_integer() and abs(value) < _WHOLE_LIMIT:
        return dumper.represent_int(int(value))
    return dumper.represent_float(value)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    """A string; double-quoted (escaped) when it holds a line break other than ``\\n``.

    PyYAML writes a NEL (U+0085) unescaped in a single-quoted scalar and reads it back as a space.
    """
    style = '"' if any(c in value for c in _OTHER_BREAKS) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(_Flow, _flow_map)
_Dumper.add_representer(_FlowList, _flow_list)
_Dumper.add_representer(dict, _block_map)
_Dumper.add_representer(float, _number)
_Dumper.add_representer(str, _text)


def _shape(value: Any, key: str = "", in_list: str = "") -> Any:
    """Mark what goes on one line; put ``code``/``kind`` first in a mapping."""
    if isinstance(value, dict):
        ordered = {k: value[k] for k in _FIRST if k in value} | {k: v for k, v in value.items() if k not in _FIRST}
        inner = {k: _shape(v, k) for k, v in ordered.items()}
        if in_list in _FLOW_LIST_ITEMS or key in _FLOW_KEYS:
            return _Flow({k: _flat(v) for k, v in inner.items()})
        return inner
    if isinstance(value, list | tuple):
        items = [_shape(v, "", key) for v in value]
        if key in _FLOW_KEYS or all(isinstance(v, int | float | str) for v in value):
            return _FlowList(_flat(v) for v in items)
        return items
    return value


def _flat(value: Any) -> Any:
    if isinstance(value, dict):
        return _Flow({k: _flat(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return _FlowList(_flat(v) for v in value)
    return value


def template_yaml(template: Template, header: str) -> str:
    """The template as YAML text, ``header`` first as comment lines.

    Parameters
    ----------
    template : Template
        A validated template (fixed layout or not).
    header : str
        Free text put at the top, each line prefixed with ``# ``: where the template came from and
        what to check. Leading and trailing blank lines are dropped.

    Returns
    -------
    str
        YAML that :func:`omr.template.load.parse_template` reads back to an equal template.

    Examples
    --------
    >>> from omr.template.model import Template
    >>> t = Template.model_validate({"name": "x", "version": "1", "title": {"vi": "X", "en": "X"},
    ...     "marking": {"mode": "check"}, "pages": [{"fields": [{"code": "N", "kind": "text",
    ...     "label": {"vi": "Ý kiến", "en": "Comments"}}]}],
    ...     "layout": {"align": ["page"], "pages": [{"boxes": [{"field": "N", "rect": [20, 30.25, 170, 20]}]}]}})
    >>> print(template_yaml(t, "example"))  # doctest: +NORMALIZE_WHITESPACE
    # example
    schema_version: 1
    name: x
    version: '1'
    title: {vi: X, en: X}
    marking:
      mode: check
    pages:
      - fields:
          - code: N
            kind: text
            label: {vi: Ý kiến, en: Comments}
    layout:
      page_size: A4
      align: [page]
      pages:
        - boxes:
            - {field: N, rect: [20, 30.25, 170, 20]}
    """
    data = {"schema_version": template.schema_version} | template.model_dump(mode="json", exclude_defaults=True)
    if template.layout is not None:  # say the paper and the alignment even when they are the defaults
        layout = template.layout.model_dump(mode="json", include={"page_size", "align"})
        data["layout"] = {"page_size": layout["page_size"], "align": layout["align"]} | data["layout"]
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.strip("\n").splitlines())
    body = yaml.dump(_shape(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100_000,
                     default_flow_style=False)
    return comment + body


def write_template(template: Template, header: str, path: Path) -> Path:
    """Write ``template`` as YAML to ``path`` (its folder created) after checking it reads back equal.

    Parameters
    ----------
    template : Template
        The template to write.
    header : str
        The comment lines at the top (see :func:`template_yaml`).
    path : Path
        The YAML file to write.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    TemplateError
        When the text does not parse back into the same template (a bug in this writer); nothing is
        written then.
    """
    text = template_yaml(template, header)
    if parse_template(text, str(path)) != template:
        raise TemplateError(
            f"{path}: the YAML written for template {template.name} does not read back as the same template; "
            "nothing was written. Please report this with the input file(s)"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


__all__ = ["template_yaml", "write_template"]
