"""Unanswered questions, grouped by similarity, most asked first: assign a guide (its phrasings wait
for review as learned phrasings), mark out of scope, or start a new guide draft (the Drafts page,
bot.adapters.web.drafts). Staff and officials of a ward, and admins."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from bot.adapters.web.pages import checked_form, current_user, lang_of, render, web
from bot.app.tickets import NotAllowed
from bot.app.unanswered_desk import GroupGone, UnknownGuide
from bot.app.web_signin import ConsoleUser

router = APIRouter()


async def _page(request: Request, user: ConsoleUser, ward: str, status: int = 200, **ctx: object) -> Response:
    s = web(request).services
    desk = s.unanswered_desk
    groups = await desk.groups(user, ward or None)
    allowed = desk.wards(user)
    lang = lang_of(request)
    wards = [w for w in s.content.wards.values() if allowed is None or w.id in allowed]
    guides = sorted(s.content.guides.values(), key=lambda g: g.title.get(lang).casefold())
    return render(
        request,
        "unanswered.html",
        status,
        user=user,
        groups=groups,
        ward=ward,
        wards=wards,
        guides=guides,
        titles={g.id: g.title.get(lang) for g in guides},
        ward_names={w.id: w.name.get(lang) for w in s.content.wards.values()},
        **ctx,
    )


@router.get("/unanswered")
async def unanswered(
    request: Request,
    ward: str = Query("", max_length=40),
    done: str = Query("", max_length=20),
    user: ConsoleUser = Depends(current_user),
) -> Response:
    try:
        return await _page(request, user, ward, done=done)
    except NotAllowed:  # another ward's questions: as if it did not exist
        return render(request, "error.html", 404, user=user, message_key="err_404")


def _back(ward: str, done: str) -> Response:
    return RedirectResponse(f"/unanswered?ward={quote(ward)}&done={done}", status_code=303)


@router.post("/unanswered/assign")
async def assign(request: Request, user: ConsoleUser = Depends(current_user)) -> Response:
    form = await checked_form(request)
    ward, text, guide = (str(form.get(k, ""))[:300] for k in ("ward", "text", "guide"))
    try:
        await web(request).services.unanswered_desk.assign(user, ward or None, text, guide)
    except UnknownGuide:
        return await _page(request, user, ward, 400, problem="unknown_guide")
    except GroupGone:
        return await _page(request, user, ward, 409, problem="gone")
    except NotAllowed:
        return render(request, "error.html", 404, user=user, message_key="err_404")
    return _back(ward, "assigned")


@router.post("/unanswered/out-of-scope")
async def out_of_scope(request: Request, user: ConsoleUser = Depends(current_user)) -> Response:
    form = await checked_form(request)
    ward, text = (str(form.get(k, ""))[:300] for k in ("ward", "text"))
    try:
        await web(request).services.unanswered_desk.out_of_scope(user, ward or None, text)
    except GroupGone:
        return await _page(request, user, ward, 409, problem="gone")
    except NotAllowed:
        return render(request, "error.html", 404, user=user, message_key="err_404")
    return _back(ward, "out_of_scope")


@router.post("/unanswered/draft")
async def start_draft(request: Request, user: ConsoleUser = Depends(current_user)) -> Response:
    form = await checked_form(request)
    ward, text = (str(form.get(k, ""))[:300] for k in ("ward", "text"))
    desk = web(request).services.unanswered_desk
    try:
        if not text.strip():
            return await _page(request, user, ward, 400, problem="no_group")
        draft_id = await desk.start_draft(user, ward or None, text)
    except GroupGone:  # decided meanwhile, or a text that was never a group of this person's list
        return await _page(request, user, ward, 404, problem="gone")
    except NotAllowed:
        return render(request, "error.html", 404, user=user, message_key="err_404")
    return RedirectResponse(f"/drafts/{draft_id}?done=started", status_code=303)
