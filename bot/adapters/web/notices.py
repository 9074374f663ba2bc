"""Notices: the list with delivery reports, compose → preview → confirm, approve, recall with confirmation."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from bot.adapters.web.pages import HANOI, checked_form, current_user, lang_of, render, require, web
from bot.app.announcements import Audience, Draft, NoticeError
from bot.app.residents import Role
from bot.app.web_signin import ConsoleUser

router = APIRouter()
NoticeId = Annotated[int, Path(ge=1, le=2**31 - 1)]
AUDIENCES = (Audience.WARD, Audience.NEIGHBOURHOODS, Audience.SUBSCRIBERS)  # groups only: the Telegram wizard
FIELDS = ("ward", "text", "audience", "tdps", "when", "at")


def _values(form: FormData) -> dict[str, str]:
    return {k: str(form.get(k, ""))[:8000] for k in FIELDS}


def draft_of(v: dict[str, str]) -> Draft:
    """The form as the wizard's Draft; NoticeError for what cannot even be read."""
    try:
        audience = Audience(v["audience"])
    except ValueError:
        raise NoticeError("no_neighbourhoods") from None
    tdps = tuple(p.strip().removeprefix("tổ").strip() for p in v["tdps"].replace(";", ",").split(",") if p.strip())
    start = None
    if v["when"] == "at":
        try:
            start = dt.datetime.fromisoformat(v["at"]).replace(tzinfo=HANOI).astimezone(dt.UTC)
        except ValueError:
            raise NoticeError("in_past") from None
    return Draft(
        ward_id=v["ward"],
        text=v["text"].replace("\r\n", "\n"),
        audience=audience,
        neighbourhoods=tdps if audience is Audience.NEIGHBOURHOODS else (),
        start_at=start,
    )


def _compose(request: Request, user: ConsoleUser, v: dict[str, str], status: int = 200, **ctx: object) -> Response:
    s = web(request).services
    wards = [s.content.wards[w] for w in s.console_notices.wards(user) if w in s.content.wards]
    if not wards:
        return render(request, "error.html", 403, user=user, message_key="err_403_role")
    lang = lang_of(request)

    def audience_label(a: str) -> str:
        return s.texts(lang, f"announcements.audience_{a}")

    return render(
        request,
        "notice_new.html",
        status,
        user=user,
        v=v,
        wards=wards,
        audiences=AUDIENCES,
        audience_label=audience_label,
        **ctx,
    )


def _problem(request: Request, e: NoticeError) -> str:
    return web(request).services.texts(lang_of(request), f"announcements.err_{e.code}")


@router.get("/notices")
async def notices(request: Request, done: str = "", user: ConsoleUser = Depends(current_user)) -> Response:
    require(user, Role.OFFICIAL)
    s = web(request).services
    reports = await s.console_notices.reports(user, lang_of(request))
    can_write = bool(s.console_notices.wards(user))
    return render(request, "notices.html", user=user, reports=reports, can_write=can_write, done=done)


@router.get("/notices/new")
async def new(request: Request, user: ConsoleUser = Depends(current_user)) -> Response:
    require(user, Role.OFFICIAL)
    wards = web(request).services.console_notices.wards(user)
    v = dict.fromkeys(FIELDS, "") | {"ward": wards[0] if wards else "", "audience": "ward", "when": "now"}
    return _compose(request, user, v)


@router.post("/notices/preview")
async def preview(request: Request, user: ConsoleUser = Depends(current_user)) -> Response:
    require(user, Role.OFFICIAL)
    v = _values(await checked_form(request))
    try:
        d = draft_of(v)
        if d.ward_id not in web(request).services.console_notices.wards(user):
            raise NoticeError("not_allowed")
        text, summary = web(request).services.console_notices.preview(d)
    except NoticeError as e:  # the form again, as typed: nothing is lost
        return _compose(request, user, v, 400, problem=_problem(request, e))
    return render(request, "notice_preview.html", user=user, v=v, text=text, summary=summary)


@router.post("/notices")
async def create(request: Request, user: ConsoleUser = Depends(current_user)) -> Response:
    require(user, Role.OFFICIAL)
    form = await checked_form(request)
    v = _values(form)
    if form.get("edit"):
        return _compose(request, user, v)
    try:
        notice = await web(request).services.console_notices.create(user, draft_of(v))
    except NoticeError as e:
        return _compose(request, user, v, 400, problem=_problem(request, e))
    return RedirectResponse(f"/notices?done={notice.status.value}", status_code=303)


@router.post("/notices/{notice_id}/approve")
async def approve(request: Request, notice_id: NoticeId, user: ConsoleUser = Depends(current_user)) -> Response:
    require(user, Role.OFFICIAL)
    await checked_form(request)
    try:
        await web(request).services.console_notices.approve(user, notice_id)
    except NoticeError as e:
        return await _list_problem(request, user, e)
    return RedirectResponse("/notices?done=approved", status_code=303)


@router.get("/notices/{notice_id}/recall")
async def recall_confirm(request: Request, notice_id: NoticeId, user: ConsoleUser = Depends(current_user)) -> Response:
    require(user, Role.OFFICIAL)
    try:
        r = await web(request).services.console_notices.report(user, notice_id, lang_of(request))
    except NoticeError:
        return render(request, "error.html", 404, user=user, message_key="err_404")
    return render(request, "notice_recall.html", user=user, r=r)


@router.post("/notices/{notice_id}/recall")
async def recall(request: Request, notice_id: NoticeId, user: ConsoleUser = Depends(current_user)) -> Response:
    require(user, Role.OFFICIAL)
    await checked_form(request)
    try:
        done = await web(request).services.console_notices.recall(user, notice_id, lang_of(request))
    except NoticeError as e:
        if e.code == "not_found":
            return render(request, "error.html", 404, user=user, message_key="err_404")
        return await _list_problem(request, user, e)
    return RedirectResponse(f"/notices?done={done}", status_code=303)


async def _list_problem(request: Request, user: ConsoleUser, e: NoticeError) -> Response:
    s = web(request).services
    reports = await s.console_notices.reports(user, lang_of(request))
    return render(
        request,
        "notices.html",
        400,
        user=user,
        reports=reports,
        can_write=bool(s.console_notices.wards(user)),
        done="",
        problem=_problem(request, e),
    )
