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

Two more rules of this module, for service-user forms that ask them:

* **Level of government** (:func:`level_field`): the first single-choice, unscored question whose
  every option label starts with "Cấp" (``Cấp tỉnh / Cấp huyện / Cấp xã``, 2019: Q2). Results are
  broken down by it like by the service field.
* **Overall-satisfaction question** (:func:`general_question`): the first single-choice, unscored
  question whose options are the satisfaction scale of the scored grid (same values and
  Vietnamese labels, 2019: Q8). It is not an index; the report gives the share answering a
  satisfied value (``scoring.satisfied``) and the share of every answer.
"""

from __future__ import annotations

import unicodedata

from omr.errors import TemplateError
from omr.template.model import GridField, Label, ShareIndicator, SingleField, Template

DECLARED_KEY = "service_field"
"""The scoring-map key read first (see the module docstring)."""
LABEL_WORDS = "lĩnh vực"
LEVEL_WORD = "cấp"
GENERAL_SUFFIX = "_ALL"
"""Code suffix of the every-answer share of the overall question (``Q8_ALL=4``)."""
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
    scored = {i for a in template.require_scoring().aspects for e in a.elements for i in e.items}
    words = _fold(LABEL_WORDS)
    for q in template.fields():
        if isinstance(q, SingleField) and q.code not in scored and words in _fold(q.label.vi):
            return q.code
    return None


def _unscored_singles(template: Template) -> list[SingleField]:
    scored = {i for a in template.require_scoring().aspects for e in a.elements for i in e.items}
    return [q for q in template.fields() if isinstance(q, SingleField) and q.code not in scored]


def level_field(template: Template) -> str | None:
    """The single-choice question naming the level of government that served the respondent, or None."""
    if template.instrument != SERVICE_USER:
        return None
    word = _fold(LEVEL_WORD)
    for q in _unscored_singles(template):
        if all(_fold(o.label.vi).startswith(word + " ") for o in q.options):
            return q.code
    return None


def breakdown_fields(template: Template) -> list[str]:
    """Default breakdown fields: the service field, then the level of government (each when present)."""
    return list(dict.fromkeys(c for c in (service_field(template), level_field(template)) if c is not None))


def general_question(template: Template) -> SingleField | None:
    """The single-choice overall-satisfaction question (see the module rule), or None."""
    scored = {i for a in template.require_scoring().aspects for e in a.elements for i in e.items}
    scales = {tuple((o.value, _fold(o.label.vi)) for o in q.scale) for q in template.fields()
              if isinstance(q, GridField) and any(r.code in scored for r in q.rows)}
    for q in _unscored_singles(template):
        if tuple((o.value, _fold(o.label.vi)) for o in q.options) in scales:
            return q
    return None


def general_indicators(template: Template) -> list[ShareIndicator]:
    """Share satisfied (code = the question's) and share of every answer (code + ``_ALL``)."""
    q = general_question(template)
    if q is None:
        return []
    satisfied = ShareIndicator(code=q.code, label=Label(vi=q.label.vi, en=q.label.en), fields=[q.code],
                               counted=list(template.require_scoring().satisfied), provisional=q.provisional)
    every = ShareIndicator(code=q.code + GENERAL_SUFFIX, label=Label(vi=q.label.vi, en=q.label.en),
                           fields=[q.code], counted=None, provisional=q.provisional)
    return [satisfied, every]
