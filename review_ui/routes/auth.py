"""Log in, log out, switch language; the session as JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from omr.errors import NotAuthenticatedError
from review_ui.config import Settings
from review_ui.contexts import LoginContext, SessionContext
from review_ui.deps import Csrf, CurrentUser, SettingsDep, UserCsrf, csrf_token, optional_user
from review_ui.i18n import LANGS, pick_lang
from review_ui.permissions import ACTIONS
from review_ui.rendering import as_json, render
from review_ui.security import new_csrf_token
from review_ui.sessions import end_session, start_session
from review_ui.throttle import check_allowed, clear_account, record_failure
from review_ui.users import UserInfo, authenticate

router = APIRouter(tags=["auth"])


def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _check_login(request: Request, settings: Settings, name: str, password: str) -> UserInfo | None:
    """The user when the password is right; throttled per account and per address (429)."""
    check_allowed(settings.store, settings.throttle, name, _address(request))
    user = authenticate(settings.store, name, password)
    if user is None:
        record_failure(settings.store, settings.throttle, name, _address(request))
        return None
    clear_account(settings.store, name)
    return user


def _start_session(request: Request, settings: Settings, user: UserInfo) -> None:
    lang = request.session.get("lang")
    end_session(settings.store, request.session.get("sid"))
    request.session.clear()  # a new session at login: no fixation
    sid = start_session(settings.store, user.name, _address(request), settings.limits)
    request.session.update({"sid": sid, "csrf": new_csrf_token()})
    if lang:
        request.session["lang"] = lang


def home_for(user: UserInfo) -> str:
    if user.role == "fieldwork":
        return "/fieldwork"
    if user.role == "monitor":
        return "/fieldwork/verify"
    if user.role in ACTIONS["review"]:
        return "/queue"
    if user.role in ACTIONS["view-pages"]:
        return "/progress"
    return "/progress"


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    """The login form (public)."""
    return render(request, "login.html", LoginContext(_safe_next(next)), json_url="/api/session")


@router.post("/login", dependencies=[Csrf])
def login(
    request: Request,
    settings: SettingsDep,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    user = _check_login(request, settings, name, password)
    if user is None:
        return render(request, "login.html", LoginContext(_safe_next(next), "bad_login"), status=401)
    _start_session(request, settings, user)
    target = _safe_next(next)
    return RedirectResponse(home_for(user) if target == "/" else target, status_code=303)


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=64)
    password: str = Field(max_length=256)


@router.get("/api/session")
def session_json(request: Request, settings: SettingsDep) -> JSONResponse:
    """Who is logged in (or null) and the CSRF token to send with POSTs (public)."""
    return as_json(session_context(request, settings))


def session_context(request: Request, settings: Settings) -> SessionContext:
    user = optional_user(request, settings)
    return SessionContext(user.name if user else None, user.role if user else None,
                          pick_lang(request.session.get("lang")), csrf_token(request))


@router.post("/api/login", dependencies=[Csrf])
def login_json(request: Request, settings: SettingsDep, body: LoginBody) -> JSONResponse:
    user = _check_login(request, settings, body.name, body.password)
    if user is None:
        raise NotAuthenticatedError("wrong user name or password")
    _start_session(request, settings, user)
    return JSONResponse({"ok": True, "user": user.name, "role": user.role, "csrf_token": request.session["csrf"]})


@router.post("/logout", dependencies=[UserCsrf])
def logout(request: Request, settings: SettingsDep, user: CurrentUser) -> Response:
    """End the session on the server too: a copy of the cookie stops working at once."""
    end_session(settings.store, request.session.get("sid"))
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.post("/lang", dependencies=[Csrf])
def set_lang(request: Request, lang: Annotated[str, Form()], back: Annotated[str, Form()] = "/") -> Response:
    """Switch the interface language (kept in the session; works before login too)."""
    if lang in LANGS:
        request.session["lang"] = lang
    return RedirectResponse(_safe_next(back), status_code=303)


@router.get("/")
def home(request: Request, user: CurrentUser) -> Response:
    return RedirectResponse(home_for(user), status_code=303)
