"""Every printed form's state and history, and the post's outcome sheet upload (role ``fieldwork``).

``/fieldwork/forms`` lists the ledger's slots filtered by unit, stratum, postman and state, a page at a
time; ``/fieldwork/forms/{form_id}`` shows one form's history. No identity is on these pages (form
ids, slots, routes and postmen only), so viewing them is not audited. ``/fieldwork/returns`` uploads
the post's sheet: the page sends it as JSON (``POST /api/fieldwork/returns``, CSRF token, at most
the app's body limit: larger sheets go through ``sipas fieldwork returns import``); the import is an
audit event and the answer is the same per-row table as the command prints. Every page has a JSON
twin under ``/api/fieldwork``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import re
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldwork.ledger import history, open_ledger
from fieldwork.ledger_schema import STATES, FieldworkForm
from omr.errors import BadArgumentsError, NotFoundError
from omr.formid import normalise_form_id
from review_ui.audit import Event, record
from review_ui.config import Settings
from review_ui.contexts import doc
from review_ui.deps import CurrentUser, SettingsDep, UserCsrf, allow
from review_ui.permissions import require
from review_ui.rendering import as_json, render
from review_ui.users import UserInfo

router = APIRouter(tags=["fieldwork"])
PER_PAGE = 100
_SAFE_NAME = re.compile(r"[^\w.-]+")


@dataclass(frozen=True)
class FormSummary:
    form_id: str = doc("printed form id (empty while only drawn)")
    stratum: str = doc("unit code / field or village code")
    unit: str = doc("unit code")
    group: str = doc("field or village code")
    list: str = doc("official or reserve")
    rank: int = doc("order of drawing within the stratum's list")
    state: str = doc("current state")
    state_on: str = doc("day of the current state (YYYY-MM-DD), when known")
    postman: str = doc("postman from the post's sheet")
    route: str = doc("delivery route (village, or residence commune)")
    substitute_for: str = doc("form id this one replaces")
    replaced_by: str = doc("form id of its substitute")
    reason: str = doc("why not reached / invalid, as recorded")


@dataclass(frozen=True)
class FormsPage:
    survey: str = doc("the survey's name")
    surveys: tuple[str, ...] = doc("surveys in the ledger")
    unit: str = doc("unit filter")
    stratum: str = doc("stratum filter")
    postman: str = doc("postman filter")
    state: str = doc("state filter")
    units: tuple[str, ...] = doc("units of the survey")
    strata: tuple[str, ...] = doc("strata of the survey")
    postmen: tuple[str, ...] = doc("postmen of the survey")
    states: tuple[str, ...] = doc("every state, in order")
    counts: dict[str, int] = doc("forms per state (with the unit/stratum/postman filters)")
    total: int = doc("forms matching the filters")
    page: int = doc("page shown, from 1")
    pages: int = doc("number of pages")
    forms: tuple[FormSummary, ...] = doc("forms of this page")


@dataclass(frozen=True)
class HistoryEvent:
    state: str = doc("state recorded")
    on: str = doc("real-world day (YYYY-MM-DD), when known")
    at: str = doc("when recorded (UTC, ISO 8601)")
    source: str = doc("draw, dispatch, substitute, post, scan, review, score, fieldwork, verify")
    actor: str = doc("who or what recorded it")
    reason: str = doc("reason given")
    batch: int | None = doc("fw_imports id of the import that recorded it")


@dataclass(frozen=True)
class FormHistory:
    form: FormSummary = doc("the form now")
    events: tuple[HistoryEvent, ...] = doc("its history, oldest first")


@dataclass(frozen=True)
class ReturnsRowResult:
    where: str = doc("row of the sheet")
    form_id: str = doc("form id as written")
    result: str = doc("applied, unchanged or rejected")
    states: tuple[str, ...] = doc("states recorded by the row")
    reason_code: str = doc("rejection reason code")
    reason: str = doc("why rejected, and what to do")
    flags: tuple[str, ...] = doc("integrity flags (collected-before-delivered)")


@dataclass(frozen=True)
class ReturnsPage:
    survey: str = doc("the survey's name")
    surveys: tuple[str, ...] = doc("surveys in the ledger")
    file: str = doc("file imported (empty before an upload)")
    already_imported_at: str = doc("set when this very file was imported before: nothing changed")
    rows: int = doc("data rows")
    applied: int = doc("rows that changed something")
    unchanged: int = doc("rows the ledger already had")
    rejected: int = doc("rows rejected")
    flagged: int = doc("rows applied with an integrity flag")
    synced: int = doc("states recorded by the sync with the reading that followed")
    outcomes: tuple[ReturnsRowResult, ...] = doc("rejected and flagged rows first, then the others")


class ReturnsUpload(BaseModel):
    """The post's sheet, sent as JSON by the upload page."""

    survey: str = Field("", max_length=64, description="the survey's name (default: the only one)")
    filename: str = Field(..., min_length=5, max_length=200, description="the file's name (.xlsx or .csv)")
    content_base64: str = Field(..., min_length=4, description="the file, base64")


def _surveys(s: Session) -> tuple[str, ...]:
    return tuple(s.scalars(select(FieldworkForm.survey).distinct().order_by(FieldworkForm.survey)))


def _survey(s: Session, asked: str) -> tuple[str, tuple[str, ...]]:
    names = _surveys(s)
    if asked:
        if asked not in names:
            raise NotFoundError(f"no survey {asked!r} in the ledger ({', '.join(names) or 'none yet'})")
        return asked, names
    if not names:
        raise NotFoundError("the ledger is empty: run `sipas fieldwork dispatch -w WORKSPACE` first")
    return names[0], names


def _summary(f: FieldworkForm) -> FormSummary:
    return FormSummary(f.form_id or "", f.stratum, f.unit, f.grp, f.list, f.rank, f.state,
                       f.state_on.isoformat() if f.state_on else "", f.postman or "", f.route or "",
                       f.substitute_for or "", f.replaced_by or "", f.reason or "")


def _forms(settings: Settings, survey: str, unit: str, stratum: str, postman: str, state: str,
           page: int) -> FormsPage:
    if state and state not in STATES:
        raise BadArgumentsError(f"state {state!r}: use one of {', '.join(STATES)}")
    open_ledger(settings.store)
    with settings.store.session() as s:
        name, names = _survey(s, survey)
        base = FieldworkForm.survey == name
        where = [base]
        for col, value in ((FieldworkForm.unit, unit), (FieldworkForm.stratum, stratum),
                           (FieldworkForm.postman, postman)):
            if value:
                where.append(col == value)
        counts = {st: int(n) for st, n in s.execute(select(FieldworkForm.state, func.count())
                                                    .where(*where).group_by(FieldworkForm.state))}
        if state:
            where.append(FieldworkForm.state == state)
        total = int(s.scalar(select(func.count()).select_from(FieldworkForm).where(*where)) or 0)
        pages = max(1, math.ceil(total / PER_PAGE))
        page = min(max(1, page), pages)
        rows = s.scalars(select(FieldworkForm).where(*where)
                         .order_by(FieldworkForm.stratum, FieldworkForm.list, FieldworkForm.rank)
                         .offset((page - 1) * PER_PAGE).limit(PER_PAGE))
        forms = tuple(_summary(f) for f in rows)

        def distinct(col: object) -> tuple[str, ...]:
            return tuple(v for v in s.scalars(select(col).where(base).distinct().order_by(col)) if v)  # type: ignore[call-overload]

        return FormsPage(name, names, unit, stratum, postman, state, distinct(FieldworkForm.unit),
                         distinct(FieldworkForm.stratum), distinct(FieldworkForm.postman), STATES,
                         {st: counts.get(st, 0) for st in STATES}, total, page, pages, forms)


def _history(settings: Settings, form_id: str) -> FormHistory:
    fid = normalise_form_id(form_id)
    open_ledger(settings.store)
    with settings.store.session() as s:
        form = s.scalars(select(FieldworkForm).where(FieldworkForm.form_id == fid)).first() if fid else None
        if form is None:
            raise NotFoundError(f"no form {form_id!r} in the ledger")
        events = tuple(HistoryEvent(e.state, e.on.isoformat() if e.on else "", e.at.isoformat(), e.source, e.actor,
                                    e.reason or "", e.batch) for e in history(s, form.id))
        return FormHistory(_summary(form), events)


def _returns_page(survey: str, names: tuple[str, ...], file: str = "", result: object = None,
                  synced: int = 0) -> ReturnsPage:
    from fieldwork.returns import ImportResult

    if not isinstance(result, ImportResult):
        return ReturnsPage(survey, names, file, "", 0, 0, 0, 0, 0, 0, ())
    ordered = sorted(result.outcomes, key=lambda o: (o.result != "rejected" and not o.flags))
    rows = tuple(ReturnsRowResult(o.where, o.form_id, o.result, o.states, o.reason_code, o.reason, o.flags)
                 for o in ordered)
    at = result.already_imported_at.isoformat() if result.already_imported_at else ""
    return ReturnsPage(survey, names, file, at, result.rows, result.applied, result.unchanged, result.rejected,
                       result.flagged, synced, rows)


def _save_upload(settings: Settings, body: ReturnsUpload) -> Path:
    name = _SAFE_NAME.sub("_", Path(body.filename).name)
    if not name.lower().endswith((".xlsx", ".csv")):
        raise BadArgumentsError(f"{body.filename}: send the post's sheet as .xlsx or .csv")
    try:
        data = base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadArgumentsError("content_base64 is not base64") from exc
    folder = settings.workspace / "fieldwork" / "returns"
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / f"{hashlib.sha256(data).hexdigest()[:12]}-{name}"  # the same sheet twice: one file
    if not dest.is_file():
        dest.write_bytes(data)
    return dest


def _import(settings: Settings, user: UserInfo, body: ReturnsUpload) -> ReturnsPage:
    from fieldwork.returns import import_returns
    from fieldwork.sync import sync

    open_ledger(settings.store)
    with settings.store.session() as s:
        name, names = _survey(s, body.survey)
    path = _save_upload(settings, body)
    result = import_returns(settings.store, name, path, user.name)
    with settings.store.session() as s:
        record(s, Event(actor=user.name, action="import-returns", field=path.name[:64],
                        new=f"{name}: {result.rows} rows, {result.applied} applied, {result.unchanged} unchanged, "
                            f"{result.rejected} rejected{' (already imported)' if result.already_imported_at else ''}"))
    synced = sync(settings.store, name).changed if result.already_imported_at is None else 0
    return _returns_page(name, names, body.filename, result, synced)


@router.get("/fieldwork/forms")
def forms_html(request: Request, settings: SettingsDep, user: CurrentUser, survey: str = "", unit: str = "",
               stratum: str = "", postman: str = "", state: str = "", page: int = 1) -> Response:
    require(user, "fieldwork")
    ctx = _forms(settings, survey, unit, stratum, postman, state, page)
    return render(request, "fieldwork/forms.html", ctx, json_url=f"/api{request.url.path}?{request.url.query}")


@router.get("/api/fieldwork/forms")
def forms_json(settings: SettingsDep, user: CurrentUser, survey: str = "", unit: str = "", stratum: str = "",
               postman: str = "", state: str = "", page: int = 1) -> JSONResponse:
    require(user, "fieldwork")
    return as_json(_forms(settings, survey, unit, stratum, postman, state, page))


@router.get("/fieldwork/forms/{form_id}")
def history_html(request: Request, form_id: str, settings: SettingsDep, user: CurrentUser) -> Response:
    require(user, "fieldwork")
    return render(request, "fieldwork/forms_history.html", _history(settings, form_id),
                  json_url=f"/api/fieldwork/forms/{form_id}")


@router.get("/api/fieldwork/forms/{form_id}")
def history_json(form_id: str, settings: SettingsDep, user: CurrentUser) -> JSONResponse:
    require(user, "fieldwork")
    return as_json(_history(settings, form_id))


@router.get("/fieldwork/returns")
def returns_html(request: Request, settings: SettingsDep, user: CurrentUser, survey: str = "") -> Response:
    require(user, "fieldwork")
    open_ledger(settings.store)
    with settings.store.session() as s:
        name, names = _survey(s, survey)
    return render(request, "fieldwork/forms_returns.html", _returns_page(name, names),
                  json_url="/api/fieldwork/returns")


@router.post("/api/fieldwork/returns", dependencies=[allow("fieldwork"), UserCsrf])
def returns_json(body: ReturnsUpload, settings: SettingsDep, user: CurrentUser) -> JSONResponse:
    return as_json(_import(settings, user, body))
