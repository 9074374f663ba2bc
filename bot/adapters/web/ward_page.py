"""Ward settings: the office (as content/wards.yaml has it, or as edited here), the staff group and its
health, staff and officials; officials and admins edit the office's address, hours, phones and tổ dân
phố list, or put the YAML's back after a confirmation page; admins grant and revoke ward roles after a
confirmation page. Rules in bot.app.ward_settings."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from bot.adapters.web.pages import checked_form, current_user, render, web
from bot.app.tickets import DEFAULT_UNANSWERED_HOURS, NotAllowed
from bot.app.ward_settings import WARD_ROLES, RoleChangeError, WardSettings
from bot.app.web_signin import ConsoleUser
from bot.core.ward_overrides import MAX_FIELD_INPUT, OfficeForm, OfficeFormErrors

router = APIRouter()
UserId = Annotated[int, Query(ge=1, le=2**31 - 1)]
ROLE_VALUES = tuple(r.value for r in WARD_ROLES)


def _not_found(request: Request, user: ConsoleUser) -> Response:
    return render(request, "error.html", 404, user=user, message_key="err_404")


@router.get("/settings")
async def settings(
    request: Request,
    ward: str = Query("", max_length=40),
    done: str = Query("", max_length=20),
    user: ConsoleUser = Depends(current_user),
) -> Response:
    w = web(request)
    desk = w.services.ward_settings
    wards = desk.wards(user)
    if not wards:
        return _not_found(request, user)
    try:
        view = await desk.view(user, ward or wards[0].id, w.probe)
    except NotAllowed:  # another ward's settings: as if it did not exist
        return _not_found(request, user)
    return render(
        request,
        "settings.html",
        user=user,
        view=view,
        wards=wards,
        roles=ROLE_VALUES,
        done=done,
        default_sla=DEFAULT_UNANSWERED_HOURS,
    )


@router.get("/settings/role")
async def role_confirm(
    request: Request,
    person: UserId,
    ward: str = Query(max_length=40),
    role: str = Query(max_length=16),
    do: str = Query(max_length=8),
    user: ConsoleUser = Depends(current_user),
) -> Response:
    if not user.is_admin:
        return render(request, "error.html", 403, user=user, message_key="err_403_role")
    w = web(request).services
    target = await w.ward_settings.residents.get(person)
    if target is None or role not in ROLE_VALUES or do not in ("grant", "revoke") or w.content.ward(ward) is None:
        return _not_found(request, user)
    return render(request, "role_confirm.html", user=user, target=target, ward=w.content.wards[ward], role=role, do=do)


@router.post("/settings/role")
async def role_change(request: Request, user: ConsoleUser = Depends(current_user)) -> Response:
    form = await checked_form(request)
    ward, role, do, person = (str(form.get(k, ""))[:40] for k in ("ward", "role", "do", "person"))
    if not person.isdigit() or do not in ("grant", "revoke"):
        return _not_found(request, user)
    try:
        await web(request).services.ward_settings.change_role(user, ward, int(person), role, do == "grant")
    except NotAllowed:
        if not user.is_admin:
            return render(request, "error.html", 403, user=user, message_key="err_403_role")
        return _not_found(request, user)
    except RoleChangeError:
        return _not_found(request, user)
    return RedirectResponse(f"/settings?ward={quote(ward)}&done={do}", status_code=303)


def _refused(request: Request, user: ConsoleUser, desk: WardSettings, ward_id: str) -> Response:
    """Staff of the ward read only (403); another ward does not exist for them (404)."""
    if any(w.id == ward_id for w in desk.wards(user)):
        return render(request, "error.html", 403, user=user, message_key="err_403_office")
    return _not_found(request, user)


@router.get("/settings/office")
async def office_form(
    request: Request, ward: str = Query(max_length=40), user: ConsoleUser = Depends(current_user)
) -> Response:
    desk = web(request).services.ward_settings
    try:
        current, form, source = await desk.office_form(user, ward)
    except NotAllowed:
        return _refused(request, user, desk, ward)
    return render(request, "office_form.html", user=user, ward=current, v=form, source=source, errors={})


@router.post("/settings/office")
async def office_save(request: Request, user: ConsoleUser = Depends(current_user)) -> Response:
    form = await checked_form(request)
    ward = str(form.get("ward", ""))[:40]
    typed = OfficeForm(
        **{
            k: str(form.get(k, ""))[: MAX_FIELD_INPUT + 1]
            for k in ("address", "hours_vi", "hours_en", "phones", "tdps")
        }
    )
    desk = web(request).services.ward_settings
    try:
        await desk.edit_office(user, ward, typed)
    except NotAllowed:
        return _refused(request, user, desk, ward)
    except OfficeFormErrors as e:
        current, _, source = await desk.office_form(user, ward)
        return render(
            request, "office_form.html", 400, user=user, ward=current, v=typed, source=source, errors=e.errors
        )
    return RedirectResponse(f"/settings?ward={quote(ward)}&done=office", status_code=303)


@router.get("/settings/office/reset")
async def office_reset_confirm(
    request: Request, ward: str = Query(max_length=40), user: ConsoleUser = Depends(current_user)
) -> Response:
    desk = web(request).services.ward_settings
    try:
        current, _, source = await desk.office_form(user, ward)
    except NotAllowed:
        return _refused(request, user, desk, ward)
    return render(request, "office_reset.html", user=user, ward=current, source=source)


@router.post("/settings/office/reset")
async def office_reset(request: Request, user: ConsoleUser = Depends(current_user)) -> Response:
    form = await checked_form(request)
    ward = str(form.get("ward", ""))[:40]
    desk = web(request).services.ward_settings
    try:
        await desk.reset_office(user, ward)
    except NotAllowed:
        return _refused(request, user, desk, ward)
    return RedirectResponse(f"/settings?ward={quote(ward)}&done=office_reset", status_code=303)
