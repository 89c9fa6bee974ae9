"""The question-by-question queue: lease the next item, submit it, skip it."""

from __future__ import annotations

import dataclasses
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict

from review_ui.config import Settings
from review_ui.contexts import QueueContext
from review_ui.deps import CurrentUser, LangDep, SettingsDep, UserCsrf, allow
from review_ui.i18n import Lang
from review_ui.items import SubmitBody, item_view, submit
from review_ui.leases import lease_next, release
from review_ui.permissions import require
from review_ui.progress import item_counts
from review_ui.rendering import as_json, render

router = APIRouter(tags=["queue"])
MAX_SKIPS = 500
Kind = Literal["field", "unidentified_page", "unaligned_page"]


class NextBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Kind | None = None
    question: str | None = None


def _skips(request: Request) -> list[int]:
    raw = request.session.get("skip", [])
    return [int(x) for x in raw if isinstance(x, int)] if isinstance(raw, list) else []


def _next_json(request: Request, settings: Settings, user: str, lang: Lang, body: NextBody) -> dict[str, object]:
    """The next item (or None), how many open items match the filter (this one included), how many skipped."""
    skips = _skips(request)
    got = lease_next(settings.store, user, lease_seconds=settings.lease_seconds, skip=skips,
                     kind=body.kind, question=body.question)
    counts = {"remaining": item_counts(settings.store).open_items(body.kind, body.question), "skips": len(skips)}
    if got is None:
        return {"item": None, **counts}
    view = item_view(settings.store, settings.templates, got[0], lang)
    return {"item": dataclasses.asdict(view), **counts}


def _queue_context(settings: Settings, kind: Kind | None, question: str | None) -> QueueContext:
    counts = item_counts(settings.store)
    return QueueContext(kind, question, counts.open_items(kind, question), counts.by_kind, counts.by_question)


@router.get("/queue")
def queue_page(request: Request, settings: SettingsDep, user: CurrentUser,
               kind: Kind | None = None, question: str | None = None) -> Response:
    """The keyboard verifier, optionally for one kind of item or one question."""
    require(user, "review")
    ctx = _queue_context(settings, kind, question)
    query = "&".join(f"{k}={v}" for k, v in (("kind", kind), ("question", question)) if v)
    return render(request, "queue.html", ctx, json_url="/api/queue" + (f"?{query}" if query else ""))


@router.get("/api/queue")
def queue_json(settings: SettingsDep, user: CurrentUser, kind: Kind | None = None,
               question: str | None = None) -> JSONResponse:
    """Open, leased and done items by kind and by question (the twin of ``/queue``)."""
    require(user, "review")
    return as_json(_queue_context(settings, kind, question))


@router.post("/api/queue/next", dependencies=[allow("review"), UserCsrf])
def queue_next(request: Request, settings: SettingsDep, user: CurrentUser, lang: LangDep,
               body: NextBody | None = None) -> JSONResponse:
    """Lease the next item (the one you already hold first) and return it; ``item`` is null when done."""
    require(user, "review")
    return JSONResponse({"ok": True, **_next_json(request, settings, user.name, lang, body or NextBody())})


class SubmitAndNext(SubmitBody):
    next_kind: Kind | None = None
    next_question: str | None = None


@router.post("/api/items/{item_id}/submit", dependencies=[allow("review"), UserCsrf])
def item_submit(item_id: int, request: Request, settings: SettingsDep, user: CurrentUser, lang: LangDep,
                body: SubmitAndNext) -> JSONResponse:
    """Settle a leased item (lease token and answer revision checked) and lease the next one."""
    require(user, "review")
    plain = SubmitBody(**body.model_dump(exclude={"next_kind", "next_question"}))
    submit(settings.store, settings.templates, item_id, user.name, plain)
    nxt = _next_json(request, settings, user.name, lang, NextBody(kind=body.next_kind, question=body.next_question))
    return JSONResponse({"ok": True, "done": item_id, "next": nxt.pop("item"), **nxt})


class SkipBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lease_token: str
    next_kind: Kind | None = None
    next_question: str | None = None


@router.post("/api/items/{item_id}/skip", dependencies=[allow("review"), UserCsrf])
def item_skip(item_id: int, request: Request, settings: SettingsDep, user: CurrentUser, lang: LangDep,
              body: SkipBody) -> JSONResponse:
    """Give the item back for someone else and lease the next one (skipped items stay away this session)."""
    require(user, "review")
    release(settings.store, item_id, user.name, body.lease_token)
    request.session["skip"] = (_skips(request) + [item_id])[-MAX_SKIPS:]
    nxt = _next_json(request, settings, user.name, lang, NextBody(kind=body.next_kind, question=body.next_question))
    return JSONResponse({"ok": True, "skipped": item_id, "next": nxt.pop("item"), **nxt})


@router.post("/api/queue/reset-skips", dependencies=[allow("review"), UserCsrf])
def reset_skips(request: Request, user: CurrentUser) -> JSONResponse:
    """Bring the items skipped in this session back into the queue."""
    require(user, "review")
    request.session["skip"] = []
    return JSONResponse({"ok": True})
