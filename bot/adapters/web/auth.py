"""Signing in with a one-time link, signing out, the language switch."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.adapters.web.pages import LANG_COOKIE, checked_form, current_user, render, session_of, web
from bot.adapters.web.session import new_session
from bot.app.residents import Role
from bot.app.web_signin import ConsoleUser
from bot.core.i18n import LANGS

router = APIRouter()


@router.get("/")
async def home(request: Request) -> Response:
    if session_of(request) is None:
        return RedirectResponse("/login", status_code=303)
    return _landing(await current_user(request))


def _landing(user: ConsoleUser) -> Response:
    return RedirectResponse("/tickets" if user.may(Role.STAFF) else "/overview", status_code=303)


@router.get("/login")
async def login_page(request: Request, t: str = "") -> Response:
    """Shows a button rather than signing in at once: link previews and prefetchers would use up the link."""
    return render(request, "login.html", token=t[:100])


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=5)  # the one-time token is this form's secret
    token = form.get("t")
    user = await web(request).services.signin.redeem(token if isinstance(token, str) else "")
    if user is None:
        return render(request, "login.html", 400, token="", bad=True)
    request.state.session = new_session(user.person.id, user.role)
    return _landing(user)


@router.post("/logout")
async def logout(request: Request) -> Response:
    await checked_form(request)
    request.state.session = None
    return render(request, "login.html", token="", logged_out=True)


@router.get("/lang/{code}")
async def switch_language(request: Request, code: str, back: str = "/") -> Response:
    target = back if back.startswith("/") and not back.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    if code in LANGS:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", httponly=True)
    return response
