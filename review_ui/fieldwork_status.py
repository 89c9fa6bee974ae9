"""The fieldwork progress page: the status tables of ``sipas fieldwork status`` in the browser.

Readable by role ``fieldwork`` and by role ``monitor``; it shows counts only (no name, address or
phone), so viewing it records no audit event. ``/fieldwork/status`` and its JSON twin
``/api/fieldwork/status`` take ``?survey=NAME`` (default: the ledger's most recently changed survey),
``?unit=CODE`` and ``?today=YYYY-MM-DD``. Unit names and the collection dates come from a survey file
of the same name in ``<workspace>/fieldwork/`` (``*.yaml``), else the page shows codes and a note.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from fieldwork.errors import SurveyFileError
from fieldwork.status import Counts, StatusRow, compute_status, layout_of, ledger_layout, ledger_surveys
from fieldwork.status_table import COLUMNS, cell
from fieldwork.survey import Survey, load_survey
from omr.errors import BadArgumentsError, PermissionDeniedError
from review_ui.config import Settings
from review_ui.contexts import doc
from review_ui.deps import CurrentUser, SettingsDep
from review_ui.permissions import allowed
from review_ui.rendering import as_json, render
from review_ui.users import UserInfo

router = APIRouter(tags=["fieldwork-status"])


@dataclass(frozen=True)
class ColumnView:
    field: str = doc("the column's field in counts (docs/fieldwork-status.md)")
    vi: str = doc("Vietnamese header")
    en: str = doc("English header")


@dataclass(frozen=True)
class RowView:
    key: str = doc("unit code, unit/group stratum, postman, or route:<route>")
    name: str = doc("unit name, field or village name, postman, or `route: …`")
    cells: tuple[str, ...] = doc("the shown columns as text, in the order of columns")
    counts: dict[str, int | float | None] = doc("every count and rate of the row (fieldwork.status.Counts)")
    response_pct: int = doc("collected of issued, in percent (0 when nothing issued): the bar")
    delivered_pct: int = doc("delivered of issued, in percent, capped at 100: the bar")


@dataclass(frozen=True)
class StatusPage:
    survey: str = doc("the survey shown (its name), or empty when the ledger holds none")
    surveys: tuple[str, ...] = doc("surveys the ledger holds forms of, most recently changed first")
    unit: str = doc("the unit the page is limited to, or empty for all")
    units: tuple[str, ...] = doc("unit codes to filter by")
    today: str = doc("the day overdue is judged on (YYYY-MM-DD)")
    deliver_by: str | None = doc("the survey's collection.deliver_by, or null")
    collect_by: str | None = doc("the survey's collection.collect_by, or null")
    survey_file: str | None = doc("the file in <workspace>/fieldwork names and dates came from, or null (codes only)")
    columns: tuple[ColumnView, ...] = doc("the columns of the tables")
    by_unit: tuple[RowView, ...] = doc("one row per unit")
    by_stratum: tuple[RowView, ...] = doc("one row per field or village")
    by_postman: tuple[RowView, ...] = doc("one row per postman (route while no postman is known)")
    total: RowView = doc("the total row")
    issued: int = doc("forms issued, as the Ministry counts them")
    returned: int = doc("forms returned (collected)")
    valid: int = doc("forms valid (scored)")
    ministry_vi: str = doc("the Ministry's line in Vietnamese")
    ministry_en: str = doc("the Ministry's line in English")
    notes: tuple[str, ...] = doc("what the figures cannot say")


def _require(user: UserInfo) -> None:
    if not (allowed(user, "fieldwork") or allowed(user, "monitor")):
        raise PermissionDeniedError(f"{user.name} ({user.role}) may not see the fieldwork status; "
                                    "ask an admin for the fieldwork or monitor role")


def _survey_file(folder: Path, name: str) -> tuple[Survey, Path] | None:
    """A survey file of ``<workspace>/fieldwork`` whose name is ``name``."""
    if not folder.is_dir():
        return None
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        try:
            s = load_survey(path)
        except SurveyFileError:
            continue  # not a survey file (or a broken one): codes only
        if s.name == name:
            return s, path
    return None


def _row(r: StatusRow | None, counts: Counts) -> RowView:
    issued = counts.issued
    return RowView(r.key if r else "", r.name if r else "", tuple(cell(counts, c) for c in COLUMNS),
                   dict(dataclasses.asdict(counts)),
                   round(100 * counts.collected / issued) if issued else 0,
                   min(100, round(100 * counts.delivered / issued)) if issued else 0)


def _day(text: str) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise BadArgumentsError(f"today={text!r}: give a day as YYYY-MM-DD") from exc


def _page(settings: Settings, survey: str, unit: str, today: str) -> StatusPage:
    store = settings.store
    surveys = ledger_surveys(store)
    name = survey or (surveys[0] if surveys else "")
    if name and name not in surveys:
        raise BadArgumentsError(f"survey {name!r}: the ledger holds no form of it; one of: "
                                f"{', '.join(surveys) or '(none yet)'}")
    day = _day(today)
    found = _survey_file(settings.workspace / "fieldwork", name) if name else None
    layout = layout_of(found[0]) if found else ledger_layout(store, name)
    st = compute_status(store, layout, today=day, unit=unit or None)
    units = tuple(code for code, _ in layout.units)
    notes = st.notes
    if name and not found:
        notes = (f"no survey file named {name} in {settings.workspace / 'fieldwork'}: codes instead of names, "
                 "no collection dates", *notes)
    if not name:
        notes = ("the ledger holds no form yet: dispatch a survey first", *notes)
    return StatusPage(
        name, surveys, unit, units, day.isoformat(), st.deliver_by.isoformat() if st.deliver_by else None,
        st.collect_by.isoformat() if st.collect_by else None, found[1].name if found else None,
        tuple(ColumnView(c.field, c.vi, c.en) for c in COLUMNS),
        tuple(_row(r, r.counts) for r in st.by_unit), tuple(_row(r, r.counts) for r in st.by_stratum),
        tuple(_row(r, r.counts) for r in st.by_postman), _row(None, st.total),
        st.ministry.issued, st.ministry.returned, st.ministry.valid, st.ministry.line("vi"), st.ministry.line("en"),
        notes)


@router.get("/fieldwork/status")
def status_html(request: Request, settings: SettingsDep, user: CurrentUser, survey: str = "", unit: str = "",
                today: str = "") -> Response:
    _require(user)
    return render(request, "fieldwork/status.html", _page(settings, survey, unit, today),
                  json_url="/api/fieldwork/status" + (f"?{request.url.query}" if request.url.query else ""))


@router.get("/api/fieldwork/status")
def status_json(settings: SettingsDep, user: CurrentUser, survey: str = "", unit: str = "",
                today: str = "") -> JSONResponse:
    _require(user)
    return as_json(_page(settings, survey, unit, today))
