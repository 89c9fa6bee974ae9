"""Write an imported template as YAML a survey manager can edit, and check it reads back the same.

Mappings and lists that hold only plain values (a label ``{vi: ..., en: ...}``, an option, a box
with its ``rect: [x, y, w, h]``) are written on one line; everything else in block style. The text
starts with a comment header saying where the template came from and what to check.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from omr.errors import TemplateError
from omr.template.load import parse_template
from omr.template.model import Template

_DECIMALS = 3
_FLOW_MAX = 110  # longest one-line mapping, in characters (about)
_FIRST_KEYS = ("code", "kind", "field", "value")


class _Flow(list[Any]):
    """A list written in flow style."""


class _FlowMap(dict[str, Any]):
    """A mapping written in flow style."""


class _Dumper(yaml.SafeDumper):
    """Block style by default, flow style for :class:`_Flow` and :class:`_FlowMap`, keys in model order."""


def _represent_flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


def _represent_flow_map(dumper: yaml.SafeDumper, data: _FlowMap) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = '"' if data == "" or data.strip() != data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(_Flow, _represent_flow)
_Dumper.add_representer(_FlowMap, _represent_flow_map)
_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(str, _represent_str)


def _is_plain(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _styled(value: Any) -> Any:
    """Plain data with flat lists and mappings of plain values marked for flow style; floats rounded."""
    if isinstance(value, float):
        rounded = round(value, _DECIMALS)
        return int(rounded) if rounded.is_integer() else rounded
    if isinstance(value, dict):
        first = [k for k in _FIRST_KEYS if k in value]
        items = {k: _styled(value[k]) for k in first + [k for k in value if k not in first]}
        flat = all(_is_plain(v) or isinstance(v, _Flow | _FlowMap) for v in items.values())
        return _FlowMap(items) if flat and len(repr(items)) <= _FLOW_MAX else items
    if isinstance(value, list | tuple):
        items_list = [_styled(v) for v in value]
        return _Flow(items_list) if all(_is_plain(v) for v in items_list) else items_list
    return value


def template_yaml_text(template: Template, header: str) -> str:
    """The template as YAML text: the ``header`` lines as comments, then the non-default settings."""
    data = template.model_dump(mode="json", exclude_defaults=True, exclude_none=True)
    data = {"schema_version": template.schema_version, **data}
    if template.layout is not None:  # state the page size and alignment even when they are the defaults
        layout = template.layout.model_dump(mode="json", include={"page_size", "align"})
        data["layout"] = {**layout, **data["layout"]}
    body = yaml.dump(_styled(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000)
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header.strip("\n").splitlines())
    return comments + body


def render_template(template: Template, header: str) -> str:
    """The YAML text of ``template`` (``omr.template.yamlout`` when present), checked to read back equal.

    Raises
    ------
    TemplateError
        When the text does not parse back into the same template (a bug in the writer).
    """
    text = template_yaml_text(template, header)
    back = parse_template(text, f"imported {template.name}")
    if back != template:
        raise TemplateError(
            f"imported {template.name}: the YAML written does not read back as the same template; "
            "please report this with the input file"
        )
    return text


def write_template(template: Template, header: str, path: Path) -> Path:
    """Write ``template`` as YAML to ``path`` (folders created); the path written."""
    text = render_template(template, header)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
