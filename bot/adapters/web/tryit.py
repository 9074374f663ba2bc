"""Try it (local mode only): a resident's phone, the ward staff group and an official's chat side by side,
all played against the real dispatcher and the local fake Bot API, so a ward sees the whole flow before it
connects a real bot. Works without JavaScript: each pane is a form; a button is a submit button.

The console gets a `TryIt` only in local mode (`bot chat`'s `:web`, bot.adapters.localchat.tryit);
otherwise /try is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from bot.adapters.web.pages import checked_form, current_user, render, web
from bot.app.web_signin import ConsoleUser

router = APIRouter()
MAX_TEXT = 4000


@dataclass(frozen=True)
class Line:
    """One message in a pane: typed by the person (`mine`) or sent by the bot, with its buttons."""

    mine: bool
    text: str
    message_id: int = 0
    thread_id: int | None = None
    buttons: tuple[tuple[str, str], ...] = ()  # (label, callback data)


@dataclass(frozen=True)
class Pane:
    key: str  # "resident" | "staff" | "official"
    title: str
    lines: tuple[Line, ...]
    threads: tuple[int, ...] = field(default=())  # a forum group's topics, newest first


class TryIt(Protocol):
    def panes(self) -> list[Pane]: ...
    async def send(self, pane: str, text: str, thread_id: int | None = None) -> None: ...
    async def press(self, pane: str, data: str, message_id: int) -> None: ...


def _tryit(request: Request) -> TryIt:
    t: TryIt | None = getattr(web(request), "tryit", None)
    if t is None:
        raise HTTPException(404)
    return t


@router.get("/try")
async def page(request: Request, user: ConsoleUser = Depends(current_user)) -> Response:
    return render(request, "tryit.html", user=user, panes=_tryit(request).panes())


@router.post("/try/{pane}")
async def act(request: Request, pane: str, user: ConsoleUser = Depends(current_user)) -> Response:
    t = _tryit(request)
    if pane not in {p.key for p in t.panes()}:
        raise HTTPException(404)
    form = await checked_form(request)
    data, text = str(form.get("data") or ""), str(form.get("text") or "").strip()
    if data:
        message_id = str(form.get("message_id") or "")
        if not message_id.isdigit():
            raise HTTPException(400)
        await t.press(pane, data[:64], int(message_id))
    elif text:
        thread = str(form.get("thread") or "")
        await t.send(pane, text[:MAX_TEXT], int(thread) if thread.isdigit() else None)
    return RedirectResponse(f"/try#{pane}", status_code=303)
