"""The SIPAS report's fieldwork section: the ledger's figures in the report's terms.

``sipas score --survey FILE`` (or a workspace whose ledger holds exactly one survey) adds the forms
issued, returned and valid, the response and valid rates (percentages), overall and per unit.
"""

from __future__ import annotations

from sqlalchemy import inspect, select

from fieldwork.ledger_schema import FieldworkForm
from fieldwork.status import FieldworkFigures as LedgerFigures
from fieldwork.status import fieldwork_figures
from fieldwork.survey import Survey
from omr.store.db import Store
from scoring.results import FieldworkFigures, FieldworkUnit


def _pct(rate: float | None) -> float | None:
    return None if rate is None else 100.0 * rate


def surveys_in_ledger(store: Store) -> tuple[str, ...]:
    """The survey names the workspace's ledger holds (none when it has no ledger)."""
    if not inspect(store.engine).has_table(FieldworkForm.__tablename__):
        return ()
    with store.session() as s:
        return tuple(sorted(s.scalars(select(FieldworkForm.survey).distinct())))


def report_figures(store: Store, survey: Survey | str) -> FieldworkFigures | None:
    """The report's fieldwork figures of ``survey`` (None when the ledger has none of its forms)."""
    figures: LedgerFigures | None = fieldwork_figures(store, survey)
    if figures is None:
        return None
    levels = {} if isinstance(survey, str) else {u.code: u.level for u in survey.units}
    units = tuple(FieldworkUnit(level=levels.get(u.unit, "unit"), code=u.unit, label=u.name, issued=u.issued,
                                returned=u.returned, valid=u.valid, response_rate=_pct(u.response_rate),
                                valid_rate=_pct(u.valid_rate)) for u in figures.units)
    return FieldworkFigures(forms_issued=figures.issued, forms_returned=figures.returned, forms_valid=figures.valid,
                            response_rate=_pct(figures.response_rate), valid_rate=_pct(figures.valid_rate),
                            units=units)
