"""Guide drafts: the list (newest first), one draft with its title, questions and YAML skeleton,
the skeleton as a download, renaming, and discarding with a confirmation. Drafts are started on the
unanswered questions page (`/unanswered/draft`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from bot.adapters.web.pages import checked_form, current_user, lang_of, render, web
from bot.app.guide_drafts import BadTitle, DraftNotFound, GuideDraft
from bot.app.web_signin import ConsoleUser
from bot.core.guide_draft import TITLE_MAX, clean_title

router = APIRouter()
DraftId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _ward_names(request: Request) -> dict[str, str]:
    lang = lang_of(request)
    return {w.id: w.name.get(lang) for w in web(request).services.content.wards.values()}


def _not_found(request: Request, user: ConsoleUser) -> Response:
    return render(request, "error.html", 404, user=user, message_key="err_404")


def _draft_page(request: Request, user: ConsoleUser, draft: GuideDraft, status: int = 200, **ctx: object) -> Response:
    return render(
        request,
        "draft.html",
        status,
        user=user,
        draft=draft,
        yaml_text=web(request).services.guide_drafts.skeleton(draft),
        ward_names=_ward_names(request),
        title_max=TITLE_MAX,
        **ctx,
    )


@router.get("/drafts")
async def drafts(
    request: Request, done: str = Query("", max_length=20), user: ConsoleUser = Depends(current_user)
) -> Response:
    items = await web(request).services.guide_drafts.drafts(user)
    return render(request, "drafts.html", user=user, drafts=items, ward_names=_ward_names(request), done=done)


# before /drafts/{draft_id}: "12.yaml" is not a draft id
@router.get("/drafts/{draft_id}.yaml")
async def download(request: Request, draft_id: DraftId, user: ConsoleUser = Depends(current_user)) -> Response:
    try:
        draft, text = await web(request).services.guide_drafts.export(user, draft_id)
    except DraftNotFound:
        return _not_found(request, user)
    return Response(
        text.encode("utf-8"),
        media_type="text/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="guide-draft-{draft.id}.yaml"'},
    )


@router.get("/drafts/{draft_id}")
async def draft_page(
    request: Request,
    draft_id: DraftId,
    done: str = Query("", max_length=20),
    user: ConsoleUser = Depends(current_user),
) -> Response:
    try:
        draft = await web(request).services.guide_drafts.get(user, draft_id)
    except DraftNotFound:
        return _not_found(request, user)
    return _draft_page(request, user, draft, done=done)


@router.post("/drafts/{draft_id}")
async def rename(request: Request, draft_id: DraftId, user: ConsoleUser = Depends(current_user)) -> Response:
    form = await checked_form(request)
    title = str(form.get("title", ""))[:2000]
    drafts_ = web(request).services.guide_drafts
    try:
        try:
            await drafts_.rename(user, draft_id, title)
        except BadTitle as e:  # the form again, with what was typed and why it was refused
            draft = await drafts_.get(user, draft_id)
            typed_len = len(clean_title(title))
            return _draft_page(request, user, draft, 400, problem=e.code, typed=title, typed_len=typed_len)
    except DraftNotFound:
        return _not_found(request, user)
    return RedirectResponse(f"/drafts/{draft_id}?done=renamed", status_code=303)


@router.get("/drafts/{draft_id}/discard")
async def discard_confirm(request: Request, draft_id: DraftId, user: ConsoleUser = Depends(current_user)) -> Response:
    try:
        draft = await web(request).services.guide_drafts.get(user, draft_id)
    except DraftNotFound:
        return _not_found(request, user)
    return render(request, "draft_discard.html", user=user, draft=draft)


@router.post("/drafts/{draft_id}/discard")
async def discard(request: Request, draft_id: DraftId, user: ConsoleUser = Depends(current_user)) -> Response:
    await checked_form(request)
    try:
        await web(request).services.guide_drafts.discard(user, draft_id)
    except DraftNotFound:
        return _not_found(request, user)
    return RedirectResponse("/drafts?done=discarded", status_code=303)
