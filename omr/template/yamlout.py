"""A template as clean, hand-editable YAML text.

Mappings are written in block style, field by field, in the order a person reads a template (code
and kind first); short things stay on one line in flow style: a label ``{vi: …, en: …}``, an
option, a grid row, a rectangle ``[x, y, w, h]`` and each placed box. Defaults are left out.
The text parses back to an equal template with :func:`omr.template.load.parse_template`.
"""

from __future__ import annotations

from typing import Any

import yaml

from omr.template.model import Template

_FIRST = ("code", "kind", "field", "value", "rect", "shape", "number", "label", "page_size", "align", "marks",
          "source", "blank", "barcode")
_FLOW_KEYS = {"label", "title", "subtitle", "hint", "issuer", "introduction", "closing", "instructions",
              "correction", "legal_basis", "confidentiality", "rect", "centres", "groups", "page_size", "align"}
_FLOW_LIST_ITEMS = {"options", "scale", "rows", "boxes"}


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
    text = f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return dumper.represent_scalar("tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int", text)


_Dumper.add_representer(_Flow, _flow_map)
_Dumper.add_representer(_FlowList, _flow_list)
_Dumper.add_representer(dict, _block_map)
_Dumper.add_representer(float, _number)


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
        what to check.

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
    ...     "layout": {"align": ["page"], "pages": [{"boxes": [{"field": "N", "rect": [20, 30, 170, 20]}]}]}})
    >>> print(template_yaml(t, "example").splitlines()[0])
    # example
    """
    data = template.model_dump(mode="json", exclude_defaults=True)
    if template.layout is not None:  # say the paper and the alignment even when they are the defaults
        layout = template.layout.model_dump(mode="json")
        data["layout"] = {"page_size": layout["page_size"], "align": layout["align"]} | data["layout"]
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    body = yaml.dump(_shape(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100_000,
                     default_flow_style=False)
    return comment + body


__all__ = ["template_yaml"]
