"""Re-verification calls (phúc tra) for role ``monitor``: the forms drawn, one form per call, the outcomes.

Monitors see the name, phone and address of the forms drawn for re-verification only (never the
lists), and every page that shows them records an audit event. Recording an outcome is a JSON POST
with the CSRF token (the call page sends it from ``static/fieldwork_verify.js``, as every page of the
app does); a respondent reporting interference flags the form (an audit event of its own).
Every page has a JSON twin under ``/api/fieldwork/verify``.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from fieldwork.ledger import open_ledger
from fieldwork.ledger_schema import VerificationRow
from fieldwork.verify import QUESTIONS, Outcome, find, record_outcome, unit_summary
from fieldwork.verify_io import QUESTION_TEXT, Identity, identity_files, read_identities
from omr.formid import normalise_form_id
from review_ui.audit import Event, record
from review_ui.config import Settings
from review_ui.contexts import doc
from review_ui.deps import CurrentUser, SettingsDep, UserCsrf, allow
from review_ui.permissions import require
from review_ui.rendering import as_json, render
from review_ui.users import UserInfo

router = APIRouter(tags=["fieldwork-verify"])


@dataclass(frozen=True)
class UnitRow:
    survey: str = doc("survey name")
    unit: str = doc("unit code")
    drawn: int = doc("forms drawn for re-verification")
    called: int = doc("calls made (reached or not)")
    reached: int = doc("respondents reached")
    flagged: int = doc("forms whose respondent reported interference")


@dataclass(frozen=True)
class CallRow:
    survey: str = doc("survey name")
    unit: str = doc("unit code")
    form_id: str = doc("form id")
    name: str = doc("respondent's name (identity)")
    phone: str = doc("respondent's phone (identity)")
    outcome: str = doc("pending | reached | not-reached")
    flagged: bool = doc("interference reported")


@dataclass(frozen=True)
class VerifyList:
    unit: str = doc("the unit shown, or empty for all")
    units: tuple[UnitRow, ...] = doc("summary per unit")
    calls: tuple[CallRow, ...] = doc("the calls of the unit shown (all units when none)")


@dataclass(frozen=True)
class Question:
    key: str = doc("received | self_filled | told_answers | collected_on_day")
    vi: str = doc("the question in Vietnamese")
    en: str = doc("the question in English")
    answer: str = doc("yes | no | empty (not asked yet)")


@dataclass(frozen=True)
class VerifyCall:
    survey: str = doc("survey name")
    unit: str = doc("unit code")
    form_id: str = doc("form id")
    name: str = doc("respondent's name (identity)")
    phone: str = doc("respondent's phone (identity)")
    address: str = doc("respondent's address (identity)")
    outcome: str = doc("pending | reached | not-reached")
    questions: tuple[Question, ...] = doc("the four check questions and the answers recorded")
    note: str = doc("the monitor's note")
    flagged: bool = doc("interference reported")
    entered_by: str = doc("who recorded the outcome")


class CallBody(BaseModel):
    """An outcome sent as JSON."""

    model_config = ConfigDict(extra="forbid")
    not_reached: bool = False
    received: bool | None = None
    self_filled: bool | None = None
    told_answers: bool | None = None
    collected_on_day: bool | None = None
    note: str = Field(default="", max_length=2000)


def _yn(value: bool | None) -> str:
    return "" if value is None else "yes" if value else "no"


def _identities(settings: Settings, form_ids: set[str]) -> dict[str, Identity]:
    return read_identities(identity_files(settings.workspace / "fieldwork"), form_ids)


def _audit(settings: Settings, user: UserInfo, what: str, form_id: str | None = None, detail: str = "") -> None:
    with settings.store.session() as s:
        record(s, Event(actor=user.name, action="view-identities", form_id=form_id, field=what[:64],
                        new=detail or None))


def _list(settings: Settings, unit: str) -> VerifyList:
    open_ledger(settings.store)
    with settings.store.session() as s:
        units = tuple(UnitRow(u.survey, u.unit, u.drawn, u.called, u.reached, u.flagged) for u in unit_summary(s))
        rows = [(r.survey, r.unit, r.form_id, r.outcome, r.flagged) for r in s.scalars(
            select(VerificationRow).order_by(VerificationRow.survey, VerificationRow.unit, VerificationRow.form_id))
            if not unit or r.unit == unit]
    ids = _identities(settings, {r[2] for r in rows})
    none = Identity("", "", "", "")
    calls = tuple(CallRow(sv, u, f, ids.get(f, none).name, ids.get(f, none).phone, o, fl) for sv, u, f, o, fl in rows)
    return VerifyList(unit, units, calls)


def _call(settings: Settings, form_id: str) -> VerifyCall:
    fid = normalise_form_id(form_id) or form_id
    open_ledger(settings.store)
    with settings.store.session() as s:
        r = find(s, fid)
        answers = {q: _yn(getattr(r, q)) for q in QUESTIONS}
        survey, unit, outcome, note, flagged, by = r.survey, r.unit, r.outcome, r.note, r.flagged, r.entered_by
    who = _identities(settings, {fid}).get(fid, Identity(fid, "", "", ""))
    questions = tuple(Question(q, vi, en, answers[q]) for q, (vi, en) in zip(QUESTIONS, QUESTION_TEXT, strict=True))
    return VerifyCall(survey, unit, fid, who.name, who.phone, who.address, outcome, questions, note or "", flagged,
                      by or "")


def _save(settings: Settings, user: UserInfo, form_id: str, o: Outcome) -> VerifyCall:
    fid = normalise_form_id(form_id) or form_id
    with settings.store.session() as s:
        record_outcome(s, find(s, fid), o, actor=user.name, overwrite=True)
    return _call(settings, fid)


@router.get("/fieldwork/verify")
def list_html(request: Request, settings: SettingsDep, user: CurrentUser, unit: str = "") -> Response:
    require(user, "monitor")
    page = _list(settings, unit)
    _audit(settings, user, "verify-calls", detail=unit)
    return render(request, "fieldwork/verify_list.html", page, json_url="/api/fieldwork/verify")


@router.get("/api/fieldwork/verify")
def list_json(settings: SettingsDep, user: CurrentUser, unit: str = "") -> JSONResponse:
    require(user, "monitor")
    page = _list(settings, unit)
    _audit(settings, user, "verify-calls", detail=unit)
    return as_json(page)


@router.get("/fieldwork/verify/{form_id}")
def call_html(request: Request, form_id: str, settings: SettingsDep, user: CurrentUser) -> Response:
    require(user, "monitor")
    page = _call(settings, form_id)
    _audit(settings, user, "verify-call", page.form_id)
    return render(request, "fieldwork/verify_call.html", page, json_url=f"/api/fieldwork/verify/{page.form_id}")


@router.get("/api/fieldwork/verify/{form_id}")
def call_json(form_id: str, settings: SettingsDep, user: CurrentUser) -> JSONResponse:
    require(user, "monitor")
    page = _call(settings, form_id)
    _audit(settings, user, "verify-call", page.form_id)
    return as_json(page)


@router.post("/api/fieldwork/verify/{form_id}", dependencies=[allow("monitor"), UserCsrf])
def call_post_json(form_id: str, settings: SettingsDep, user: CurrentUser, body: CallBody) -> JSONResponse:
    """Record a call sent as JSON; answers the call's page."""
    require(user, "monitor")
    o = Outcome(not body.not_reached, body.received, body.self_filled, body.told_answers, body.collected_on_day,
                body.note.strip() or None)
    return as_json(_save(settings, user, form_id, o))
