"""`create_app`: the console's FastAPI application, its error pages and its middleware."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.adapters.web import admin, auth, drafts, guides, notices, overview, tickets, tryit, unanswered, ward_page
from bot.adapters.web.pages import (
    MAX_BODY,
    STATIC,
    ConsoleServices,
    RoleRefused,
    SignInNeeded,
    Web,
    render,
)
from bot.adapters.web.session import COOKIE, IDLE, SessionCodec
from bot.app.helpdesk import Sender
from bot.app.tickets import NotAllowed, TicketNotFound
from bot.app.ward_settings import GroupProbe

log = logging.getLogger("bot.web")
ERRORS = {400: "err_422", 403: "err_403", 404: "err_404", 405: "err_405", 413: "err_413", 422: "err_422"}


def create_app(
    services: ConsoleServices, sender: Sender, probe: GroupProbe | None = None, try_it: tryit.TryIt | None = None
) -> FastAPI:
    """The console on the composition root's services (pass `bootstrap.App`); `sender` reaches residents,
    `probe` checks staff groups for the ward settings page (without one their health shows as not checked),
    `try_it` (local mode only) plays the three chats of the "Try it" page."""
    api = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    api.state.web = Web(services, sender, SessionCodec(services.settings.hash_salt.get_secret_value()), probe, try_it)
    api.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (auth, tickets, notices, overview, guides, unanswered, drafts, ward_page, admin, tryit):
        api.include_router(module.router)
    _error_pages(api)

    @api.middleware("http")
    async def session_and_log(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        w: Web = request.app.state.web
        length = request.headers.get("content-length", "")
        if length and (not length.isdigit() or int(length) > MAX_BODY):
            response: Response = render(request, "error.html", 413, message_key=ERRORS[413])
        else:
            request.state.session = w.codec.load(request.cookies.get(COOKIE))
            response = await call_next(request)
            s = getattr(request.state, "session", None)
            if s is not None:  # signed again on every response: the 12 hours count from the last request
                response.set_cookie(
                    COOKIE, w.codec.dump(s), max_age=IDLE, httponly=True, samesite="lax", secure=w.secure_cookies
                )
            elif COOKIE in request.cookies:
                response.delete_cookie(COOKIE, httponly=True, samesite="lax", secure=w.secure_cookies)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")  # the sign-in link never leaves as a Referer
        response.headers.setdefault("Cache-Control", "no-store")
        # the path only: never the query (a sign-in token) nor a header (the session cookie)
        log.info(
            "%s %s %s %.0fms",
            request.method,
            request.url.path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response

    return api


def _error_pages(api: FastAPI) -> None:
    @api.exception_handler(SignInNeeded)
    async def sign_in(request: Request, exc: SignInNeeded) -> Response:
        return RedirectResponse("/login", status_code=303)

    @api.exception_handler(RoleRefused)
    async def role_refused(request: Request, exc: RoleRefused) -> Response:
        return render(request, "error.html", 403, message_key="err_403_role")

    @api.exception_handler(NotAllowed)
    async def not_allowed(request: Request, exc: NotAllowed) -> Response:
        return render(request, "error.html", 403, message_key="err_403_role")

    @api.exception_handler(TicketNotFound)
    async def not_found(request: Request, exc: TicketNotFound) -> Response:
        return render(request, "error.html", 404, message_key="err_404")

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return render(request, "error.html", exc.status_code, message_key=ERRORS.get(exc.status_code, "err_500"))

    @api.exception_handler(RequestValidationError)
    async def bad_input(request: Request, exc: RequestValidationError) -> Response:
        if any(e.get("loc", ("",))[0] == "path" for e in exc.errors()):  # /tickets/abc, /tickets/99999999999
            return render(request, "error.html", 404, message_key="err_404")
        return render(request, "error.html", 422, message_key="err_422")

    @api.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("console error on %s %s", request.method, request.url.path)
        return render(request, "error.html", 500, message_key="err_500")
