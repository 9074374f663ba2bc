"""What every console route shares: its services, the signed-in user, CSRF-checked forms, templates."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import jinja2
from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from bot.adapters.web.session import Session, SessionCodec
from bot.app.announcements import AnnouncementService
from bot.app.console import Console
from bot.app.console_notices import ConsoleNotices
from bot.app.guide_drafts import GuideDrafts
from bot.app.helpdesk import HelpDesk, Sender
from bot.app.residents import Role
from bot.app.stats import StatsService
from bot.app.unanswered_desk import UnansweredDesk
from bot.app.ward_settings import GroupProbe, WardSettings
from bot.app.web_signin import ConsoleUser, WebSignIn
from bot.core.clock import Clock
from bot.core.content import Content
from bot.core.i18n import LANGS, Texts
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.adapters.web.tryit import TryIt

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
LANG_COOKIE = "tlsp_lang"
HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
MAX_BODY = 64 * 1024  # bytes: the console's forms carry text only


class ConsoleServices(Protocol):
    """What the console needs from the composition root (`bot.bootstrap.App` has all of it)."""

    settings: Settings
    clock: Clock
    content: Content
    texts: Texts
    helpdesk: HelpDesk
    announcements: AnnouncementService
    signin: WebSignIn
    console: Console
    console_notices: ConsoleNotices
    stats: StatsService
    unanswered_desk: UnansweredDesk
    ward_settings: WardSettings
    guide_drafts: GuideDrafts


class SignInNeeded(Exception):
    """No valid session: the route answers with the sign-in page."""


class RoleRefused(Exception):
    """Signed in, but the role may not see this page."""


@dataclass
class Web:
    services: ConsoleServices
    sender: Sender
    codec: SessionCodec
    probe: GroupProbe | None = None  # asks the messenger about staff groups (ward settings)
    tryit: TryIt | None = None  # local mode only: the "Try it" page's three chats
    env: jinja2.Environment = field(init=False)

    def __post_init__(self) -> None:
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
        self.env.filters["local"] = local_time

    @property
    def secure_cookies(self) -> bool:
        return self.services.settings.web_base_url.startswith("https://")


def local_time(at: dt.datetime | None) -> str:
    return at.astimezone(HANOI).strftime("%d/%m/%Y %H:%M") if at is not None else ""


def web(request: Request) -> Web:
    w: Web = request.app.state.web
    return w


def lang_of(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, "vi")
    return lang if lang in LANGS else "vi"


def session_of(request: Request) -> Session | None:
    s: Session | None = getattr(request.state, "session", None)
    return s


async def current_user(request: Request) -> ConsoleUser:
    """The signed-in person (their roles read again on every request), or SignInNeeded."""
    s = session_of(request)
    if s is None:
        raise SignInNeeded
    user = await web(request).services.signin.current(s.user_id, s.role)
    if user is None:
        request.state.session = None  # a revoked role: the cookie goes
        raise SignInNeeded
    return user


def require(user: ConsoleUser, role: Role) -> None:
    """Pages by the roles the person holds now (signing in as an official does not hide their tickets)."""
    if not user.may(role):
        raise RoleRefused


async def checked_form(request: Request) -> FormData:
    """The posted form, if it carries the session's CSRF token; 403 otherwise."""
    form = await request.form(max_files=0, max_fields=50)
    s = session_of(request)
    if s is None or not s.csrf_ok(form.get("csrf")):
        raise HTTPException(403)
    return form


def render(request: Request, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    w = web(request)
    lang = lang_of(request)
    texts = w.services.texts
    s = session_of(request)

    def t(key: str, **kw: Any) -> str:
        return texts(lang, f"web.{key}", **kw)

    html = w.env.get_template(template).render(
        t=t,
        lang=lang,
        csrf=s.csrf if s is not None else "",
        user=ctx.pop("user", None),
        path=request.url.path,
        try_it=w.tryit is not None,
        **ctx,
    )
    return HTMLResponse(html, status_code=status)
