"""Which question breaks results down by service field (lĩnh vực) — one documented rule.

Service-user surveys (SIPAS 2017–2021) asked which field the respondent's procedure belonged to
(land, justice, construction…), and the annual report ranked the fields like provinces. The
template says which question that is in ``scoring.service_field``; :func:`service_field` decides:

1. **Declared.** When the template's scoring map carries ``service_field`` (``sipas-2019`` does),
   that code is used — checked to be a single-choice question of the template. Nothing else is
   guessed then.
2. **Label heuristic** (for templates that do not declare it). For a ``service-user`` instrument only: the
   first single-choice question in print order that is not itself a scored item and whose
   Vietnamese label contains "lĩnh vực". Labels are compared after Unicode NFC normalisation and
   case folding, so "Lĩnh vực" and a decomposed "lĩnh vực" (as some editors save it) both match.
   Household forms (2022 on) have no service field.

``sipas score --by CODE`` overrides both.
"""

from __future__ import annotations

import unicodedata

from omr.errors import TemplateError
from omr.template.model import SingleField, Template

DECLARED_KEY = "service_field"
"""The scoring-map key read first (see the module docstring)."""
LABEL_WORDS = "lĩnh vực"
SERVICE_USER = "service-user"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def declared_service_field(template: Template) -> str | None:
    """The code the template's scoring map declares as its service field, checked; None if none."""
    code = getattr(template.scoring, DECLARED_KEY, None)
    if code is None:
        return None
    singles = {q.code for q in template.fields() if isinstance(q, SingleField)}
    if not isinstance(code, str) or code not in singles:
        raise TemplateError(
            f"template {template.name}: scoring.{DECLARED_KEY} is {code!r}, which is not a single-choice "
            f"question of the template (choose one of {', '.join(sorted(singles)) or 'none'})"
        )
    return code


def service_field(template: Template) -> str | None:
    """The single-choice question naming the service field of a form, or None (see the module rule)."""
    declared = declared_service_field(template)
    if declared is not None:
        return declared
    if template.instrument != SERVICE_USER:
        return None
    scored = {i for a in template.scoring.aspects for e in a.elements for i in e.items}
    words = _fold(LABEL_WORDS)
    for q in template.fields():
        if isinstance(q, SingleField) and q.code not in scored and words in _fold(q.label.vi):
            return q.code
    return None
