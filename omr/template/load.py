"""Load and validate template YAML files, with errors that name the file and the place in it."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml
from pydantic import ValidationError

from omr.errors import TemplateError
from omr.template.model import Template

_KINDS = {"single", "multi", "grid", "digits", "text"}
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def templates_dir() -> Path:
    """The folder of the built-in templates (``templates/`` in the source tree and the wheel)."""
    import templates

    return Path(templates.__file__).parent


def builtin_templates() -> dict[str, Path]:
    """Built-in template names mapped to their files."""
    return {p.stem: p for p in sorted(templates_dir().glob("*.yaml"))}


def resolve_template(name_or_path: str | Path) -> Path:
    """A template name (``sipas-2023``) or a path to a YAML file, as a path."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml"):
        if not path.is_file():
            raise TemplateError(f"{path}: no such template file")
        return path
    known = builtin_templates()
    if str(name_or_path) in known:
        return known[str(name_or_path)]
    raise TemplateError(
        f"unknown template {name_or_path!r}: use one of {', '.join(known) or '(none)'} "
        "or give the path of a .yaml file (see `sipas template list`)"
    )


def format_location(loc: tuple[int | str, ...]) -> str:
    """``('pages', 1, 'fields', 3, 'single', 'options')`` → ``pages[1].fields[3].options``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in _KINDS or part.startswith("function-"):
            continue  # the discriminator tag pydantic puts in the path
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


def parse_template(text: str, source: str) -> Template:
    """Parse YAML text into a validated :class:`Template`; ``source`` names it in errors."""
    try:
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader (C-accelerated when available)
    except yaml.YAMLError as exc:
        raise TemplateError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise TemplateError(f"{source}: a template must be a YAML mapping at the top level")
    try:
        return Template.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = format_location(tuple(err["loc"]))
            msg = str(err["msg"]).removeprefix("Value error, ")
            lines.append(f"{source}: {where}: {msg}")
        raise TemplateError("\n".join(lines)) from exc


@functools.lru_cache(maxsize=32)
def _load_cached(path: Path, mtime_ns: int) -> Template:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateError(f"{path}: cannot read the template: {exc.strerror}") from exc
    return parse_template(text, str(path))


def load_template(name_or_path: str | Path) -> Template:
    """Load a built-in template by name, or a template file by path."""
    path = resolve_template(name_or_path).resolve()
    return _load_cached(path, path.stat().st_mtime_ns)
