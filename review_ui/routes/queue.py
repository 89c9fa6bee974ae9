"""The question-by-question queue: lease the next item, submit it, skip it."""

from __future__ import annotations

import dataclasses
from typing import Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from review_ui import doubles
from review_ui.bounds import Code, CodeQuery, Id
from review_ui.config import Settings
from review_ui.contexts import QueueContext
from review_ui.deps import CurrentUser, LangDep, SettingsDep, UserCsrf, allow
from review_ui.i18n import Lang
from review_ui.items import SubmitBody, item_view, submit
from review_ui.leases import lease_next, release
from review_ui.permissions import require
from review_ui.progress import item_counts
from review_ui.rendering import as_json, render
from review_ui.sessions import add_skip, clear_skips, skips
from review_ui.undo import undo_review
from review_ui.users import UserInfo

router = APIRouter(tags=["queue"])
Kind = Literal["field", "unidentified_page", "unaligned_page", "second_review", "disagreement"]


class NextBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Kind | None = None
    question: Code | None = None
    template: Code | None = None


def _sid(request: Request) -> str:
    sid = request.session.get("sid")
    return sid if isinstance(sid, str) else ""


def _next_json(request: Request, settings: Settings, user: UserInfo, lang: Lang, body: NextBody) -> dict[str, object]:
    """The next item (or None), how many open items match the filter (this one included), how many skipped.

    Second reviews of the user's own answers, and disagreements unless the user is a supervisor, are
    never served to them.
    """
    skipped = skips(settings.store, _sid(request))
    with settings.store.session() as s:
        barred = doubles.not_for(s, user.name, user.role)
    got = lease_next(settings.store, user.name, lease_seconds=settings.lease_seconds, skip=[*skipped, *barred],
                     kind=body.kind, question=body.question, template=body.template)
    remaining = item_counts(settings.store).open_items(body.kind, body.question, body.template)
    counts = {"remaining": remaining, "skips": len(skipped)}
    if got is None:
        return {"item": None, **counts}
    view = item_view(settings.store, settings.templates, got[0], lang)
    return {"item": dataclasses.asdict(view), **counts}


def _queue_context(settings: Settings, kind: Kind | None, question: str | None, template: str | None) -> QueueContext:
    counts = item_counts(settings.store)
    return QueueContext(kind, question, template, counts.open_items(kind, question, template), counts.by_kind,
                        counts.by_question)


@router.get("/queue")
def queue_page(request: Request, settings: SettingsDep, user: CurrentUser,
               kind: Kind | None = None, question: CodeQuery = None, template: CodeQuery = None) -> Response:
    """The keyboard verifier, optionally for one kind of item or one question."""
    require(user, "review")
    ctx = _queue_context(settings, kind, question, template)
    query = urlencode([(k, v) for k, v in (("kind", kind), ("template", template), ("question", question)) if v])
    return render(request, "queue.html", ctx, json_url="/api/queue" + (f"?{query}" if query else ""))


@router.get("/api/queue")
def queue_json(settings: SettingsDep, user: CurrentUser, kind: Kind | None = None,
               question: CodeQuery = None, template: CodeQuery = None) -> JSONResponse:
    """Open, leased and done items by kind and by question (the twin of ``/queue``)."""
    require(user, "review")
    return as_json(_queue_context(settings, kind, question, template))


@router.post("/api/queue/next", dependencies=[allow("review"), UserCsrf])
def queue_next(request: Request, settings: SettingsDep, user: CurrentUser, lang: LangDep,
               body: NextBody | None = None) -> JSONResponse:
    """Lease the next item (the one you already hold first) and return it; ``item`` is null when done."""
    require(user, "review")
    return JSONResponse({"ok": True, **_next_json(request, settings, user, lang, body or NextBody())})


class SubmitAndNext(SubmitBody):
    next_kind: Kind | None = None
    next_question: Code | None = None
    next_template: Code | None = None


@router.post("/api/items/{item_id}/submit", dependencies=[allow("review"), UserCsrf])
def item_submit(item_id: Id, request: Request, settings: SettingsDep, user: CurrentUser, lang: LangDep,
                body: SubmitAndNext) -> JSONResponse:
    """Settle a leased item (lease token and answer revision checked) and lease the next one."""
    require(user, "review")
    plain = SubmitBody(**body.model_dump(exclude={"next_kind", "next_question", "next_template"}))
    submit(settings.store, settings.templates, item_id, user.name, plain, lang, settings.doubles)
    nxt = _next_json(request, settings, user, lang, NextBody(kind=body.next_kind, question=body.next_question,
                                                                     template=body.next_template))
    return JSONResponse({"ok": True, "done": item_id, "next": nxt.pop("item"), **nxt})


class SkipBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lease_token: str = Field(min_length=1, max_length=64)
    next_kind: Kind | None = None
    next_question: Code | None = None
    next_template: Code | None = None


@router.post("/api/items/{item_id}/skip", dependencies=[allow("review"), UserCsrf])
def item_skip(item_id: Id, request: Request, settings: SettingsDep, user: CurrentUser, lang: LangDep,
              body: SkipBody) -> JSONResponse:
    """Give the item back for someone else and lease the next one (skipped items stay away this session)."""
    require(user, "review")
    release(settings.store, item_id, user.name, body.lease_token)
    add_skip(settings.store, _sid(request), item_id)
    nxt = _next_json(request, settings, user, lang, NextBody(kind=body.next_kind, question=body.next_question,
                                                                     template=body.next_template))
    return JSONResponse({"ok": True, "skipped": item_id, "next": nxt.pop("item"), **nxt})


@router.post("/api/items/{item_id}/undo", dependencies=[allow("review"), UserCsrf])
def item_undo(item_id: Id, settings: SettingsDep, user: CurrentUser, lang: LangDep,
              body: NextBody | None = None) -> JSONResponse:
    """Take back an answer you saved from the queue: the item is yours again, the old value restored."""
    require(user, "review")
    undo_review(settings.store, item_id, user.name, settings.lease_seconds)
    filt = body or NextBody()
    counts = {"remaining": item_counts(settings.store).open_items(filt.kind, filt.question, filt.template)}
    view = item_view(settings.store, settings.templates, item_id, lang)
    return JSONResponse({"ok": True, "item": dataclasses.asdict(view), **counts})


@router.post("/api/queue/reset-skips", dependencies=[allow("review"), UserCsrf])
def reset_skips(request: Request, settings: SettingsDep, user: CurrentUser) -> JSONResponse:
    """Bring the items skipped in this session back into the queue."""
    require(user, "review")
    clear_skips(settings.store, _sid(request))
    return JSONResponse({"ok": True})
