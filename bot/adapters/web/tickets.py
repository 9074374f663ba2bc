"""The ticket inbox, a ticket's page, and answering, noting, taking, giving and closing it (staff and admins)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response

from bot.adapters.web.pages import checked_form, current_user, lang_of, render, require, web
from bot.app.console import AGES, MAX_TEXT, AssignProblem, Box, InboxFilter, TextProblem
from bot.app.residents import Role
from bot.app.web_signin import ConsoleUser

router = APIRouter()
# a forged huge number never reaches the database (it is a 404 page, see app.py)
TicketId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/tickets")
async def inbox(
    request: Request,
    box: Box = Box.OPEN,
    age: int = 0,
    q: str = "",
    ward: str = "",
    assignee: str = "",
    tdp: str = "",
    user: ConsoleUser = Depends(current_user),
) -> Response:
    require(user, Role.STAFF)
    w = web(request).services
    f = InboxFilter(box, age if age in AGES else 0, q[:100], ward[:40] or None, assignee[:12], tdp[:40])
    page = await w.console.inbox_page(user, f)
    allowed = w.console.ticket_wards(user)
    wards = [x for x in w.content.wards.values() if allowed is None or x.id in allowed]
    names = {x.id: x.name.get(lang_of(request)) for x in w.content.wards.values()}
    return render(
        request,
        "inbox.html",
        user=user,
        rows=page.rows,
        f=page.filter,
        staff=page.staff,
        tdps=page.neighbourhoods,
        boxes=list(Box),
        ages=AGES,
        wards=wards,
        ward_names=names,
    )


async def _page(request: Request, user: ConsoleUser, ticket_id: int, status: int = 200, **ctx: object) -> Response:
    page = await web(request).services.console.ticket(user, ticket_id)
    ward = web(request).services.content.ward(page.ticket.ward_id)
    return render(request, "ticket.html", status, user=user, page=page, ward=ward, limit=MAX_TEXT, **ctx)


@router.get("/tickets/{ticket_id}")
async def ticket(
    request: Request, ticket_id: TicketId, done: str = "", user: ConsoleUser = Depends(current_user)
) -> Response:
    require(user, Role.STAFF)
    return await _page(request, user, ticket_id, done=done)


def _done(ticket_id: int, what: str) -> Response:
    return RedirectResponse(f"/tickets/{ticket_id}?done={quote(what)}", status_code=303)


@router.post("/tickets/{ticket_id}/answer")
async def answer(request: Request, ticket_id: TicketId, user: ConsoleUser = Depends(current_user)) -> Response:
    require(user, Role.STAFF)
    form = await checked_form(request)
    text = str(form.get("text", ""))
    w = web(request)
    try:
        result = await w.services.console.answer(user, ticket_id, text, w.sender)
    except TextProblem as e:  # shown with the text kept in the box: nothing typed is lost
        return await _page(request, user, ticket_id, 400, problem=e.code, answer_text=text[: MAX_TEXT * 2])
    if result.text:
        return await _page(request, user, ticket_id, 200, notice=result.text, answer_text=text)
    return _done(ticket_id, "answer")


@router.post("/tickets/{ticket_id}/note")
async def note(request: Request, ticket_id: TicketId, user: ConsoleUser = Depends(current_user)) -> Response:
    require(user, Role.STAFF)
    form = await checked_form(request)
    text = str(form.get("text", ""))
    try:
        await web(request).services.console.note(user, ticket_id, text)
    except TextProblem as e:
        return await _page(request, user, ticket_id, 400, problem=e.code, note_text=text[: MAX_TEXT * 2])
    return _done(ticket_id, "note")


@router.post("/tickets/{ticket_id}/take")
async def take(request: Request, ticket_id: TicketId, user: ConsoleUser = Depends(current_user)) -> Response:
    require(user, Role.STAFF)
    await checked_form(request)
    w = web(request)
    try:
        result = await w.services.console.take(user, ticket_id, w.sender)
    except AssignProblem as e:
        return await _page(request, user, ticket_id, 400, assign_problem=e.code)
    if result.alert:  # someone took it first, or it closed meanwhile
        return await _page(request, user, ticket_id, 409, notice=result.text)
    return _done(ticket_id, "take")


@router.post("/tickets/{ticket_id}/assign")
async def assign(request: Request, ticket_id: TicketId, user: ConsoleUser = Depends(current_user)) -> Response:
    require(user, Role.STAFF)
    form = await checked_form(request)
    w = web(request)
    try:
        result = await w.services.console.give(user, ticket_id, str(form.get("staff", "")), w.sender)
    except AssignProblem as e:
        return await _page(request, user, ticket_id, 400, assign_problem=e.code)
    if result.text:  # someone changed it meanwhile (409), or it is theirs already
        return await _page(request, user, ticket_id, 409 if result.alert else 200, notice=result.text)
    return _done(ticket_id, "assign")


@router.get("/tickets/{ticket_id}/close")
async def close_confirm(request: Request, ticket_id: TicketId, user: ConsoleUser = Depends(current_user)) -> Response:
    require(user, Role.STAFF)
    page = await web(request).services.console.ticket(user, ticket_id)
    return render(request, "close.html", user=user, page=page)


@router.post("/tickets/{ticket_id}/close")
async def close(request: Request, ticket_id: TicketId, user: ConsoleUser = Depends(current_user)) -> Response:
    require(user, Role.STAFF)
    await checked_form(request)
    w = web(request)
    result = await w.services.console.close(user, ticket_id, w.sender)
    if result.text:
        return await _page(request, user, ticket_id, 200, notice=result.text)
    return _done(ticket_id, "close")
