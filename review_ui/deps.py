"""Request dependencies as named types: the settings, the current user, CSRF, the language."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from omr.errors import NotAuthenticatedError, PermissionDeniedError
from review_ui.config import Settings
from review_ui.i18n import Lang, pick_lang
from review_ui.permissions import Action, require
from review_ui.security import new_csrf_token, same_token
from review_ui.sessions import session_user
from review_ui.users import UserInfo, get_user

CSRF_HEADER = "X-CSRF-Token"
BACKGROUND_HEADER = "X-Sipas-Background"
"""Sent (``1``) by a page's own periodic refreshes: they do not keep an idle session alive."""
CSRF_FIELD = "csrf_token"


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    tok = request.session.get("csrf")
    if not isinstance(tok, str) or not tok:
        tok = new_csrf_token()
        request.session["csrf"] = tok
    return tok


def get_lang(request: Request) -> Lang:
    return pick_lang(request.session.get("lang"))


def optional_user(request: Request, settings: Annotated[Settings, Depends(get_settings)]) -> UserInfo | None:
    """The user of this request's server-side session (None when there is none, or it ended)."""
    cached = getattr(request.state, "user", None)
    if isinstance(cached, UserInfo):
        return cached
    sid = request.session.get("sid")
    if sid is None:
        return None
    name = session_user(settings.store, sid, settings.limits,
                        touch=request.headers.get(BACKGROUND_HEADER) != "1")
    user = get_user(settings.store, name) if name else None
    if user is None:
        for key in ("sid", "user", "role", "csrf"):
            request.session.pop(key, None)
        return None
    request.state.user = user
    return user


def current_user(user: Annotated[UserInfo | None, Depends(optional_user)]) -> UserInfo:
    """The logged-in, active user; :class:`NotAuthenticatedError` otherwise."""
    if user is None:
        raise NotAuthenticatedError("log in first (sessions end at logout, on a new password and when idle)")
    return user


async def check_csrf(request: Request) -> None:
    """Refuse a state-changing request without the session's CSRF token (header or form field)."""
    expected = request.session.get("csrf")
    got = request.headers.get(CSRF_HEADER)
    if got is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        got = value if isinstance(value, str) else None
    if not same_token(got, expected if isinstance(expected, str) else None):
        raise PermissionDeniedError("missing or wrong CSRF token; reload the page and try again")


SettingsDep = Annotated[Settings, Depends(get_settings)]
CurrentUser = Annotated[UserInfo, Depends(current_user)]
LangDep = Annotated[Lang, Depends(get_lang)]
Csrf = Depends(check_csrf)


async def check_user_csrf(request: Request, user: CurrentUser) -> None:
    """Authenticate first (401 before 403), then check the CSRF token."""
    await check_csrf(request)


UserCsrf = Depends(check_user_csrf)


def allow(action: Action) -> Any:
    """A route dependency: the current user must hold ``action`` (checked before the body is read)."""

    def check(user: CurrentUser) -> None:
        require(user, action)

    return Depends(check)
