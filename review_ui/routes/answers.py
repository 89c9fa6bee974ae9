"""Edit one answer from the page or form view (revision-checked, audited)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from omr.errors import NotFoundError
from omr.store.schema import AnswerRow, FormRow
from review_ui.answers import close_field_items, normalise_value, write_answer
from review_ui.bounds import DbInt, Id
from review_ui.deps import CurrentUser, LangDep, SettingsDep, UserCsrf, allow
from review_ui.permissions import require

router = APIRouter(prefix="/api/answers", tags=["answers"])


class AnswerEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str = Field(max_length=4000)
    revision: DbInt


@router.post("/{answer_id}", dependencies=[allow("review"), UserCsrf])
def edit_answer(answer_id: Id, settings: SettingsDep, user: CurrentUser, lang: LangDep,
                body: AnswerEdit) -> JSONResponse:
    """Set an answer; refused with 409 when someone changed it since you loaded it."""
    require(user, "review")
    with settings.store.session() as s:
        row = s.get(AnswerRow, answer_id)
        form = s.get(FormRow, row.form_id) if row else None
    if row is None or form is None:
        raise NotFoundError(f"answer {answer_id} does not exist")
    value = normalise_value(settings.templates.get(form.template).template, row.field, body.value, lang)
    with settings.store.session() as s:
        close_field_items(s, row.form_id, row.field, user.name)
        new = write_answer(s, answer_id, value=value, revision=body.revision, actor=user.name, action="edit")
    return JSONResponse({"ok": True, "id": answer_id, "value": new.value, "revision": new.revision,
                         "status": new.status})
