"""Find the questionnaire template (and its layout) of a form by the name stored in the database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from omr.errors import TemplateError
from omr.template.layout import FormLayout, layout_template
from omr.template.load import load_template
from omr.template.model import Template


@dataclass(frozen=True)
class TemplateInfo:
    """A template with its computed layout."""

    template: Template
    layout: FormLayout


@lru_cache(maxsize=32)
def _load(path_or_name: str) -> TemplateInfo:
    t = load_template(path_or_name)
    return TemplateInfo(t, layout_template(t))


class TemplateIndex:
    """Built-in templates by name, plus extra template files given to ``sipas review --template``."""

    def __init__(self, extra: Sequence[Path] = ()) -> None:
        self._extra: dict[str, str] = {}
        for path in extra:
            info = _load(str(path))
            self._extra[info.template.name] = str(path)

    def extra_sources(self) -> tuple[str, ...]:
        """The template files given besides the built-in ones."""
        return tuple(sorted(self._extra.values()))

    def unprinted(self) -> tuple[str, ...]:
        """Names of the templates of forms we did not print (fixed layouts): their pages carry no form id."""
        return tuple(sorted(name for name in self._extra if self.get(name).template.layout is not None))

    def get(self, name: str) -> TemplateInfo:
        """The template called ``name``; :class:`TemplateError` naming it when unknown."""
        try:
            return _load(self._extra.get(name, name))
        except TemplateError as exc:
            raise TemplateError(
                f"template {name!r} of this workspace cannot be loaded ({exc}); "
                "pass its file with `sipas review --template FILE`"
            ) from exc
