"""Admin pages: the audit log of every staff, official and admin action."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from bot.adapters.web.pages import current_user, render, web
from bot.app.web_signin import ConsoleUser

router = APIRouter()


@router.get("/audit")
async def audit(request: Request, user: ConsoleUser = Depends(current_user)) -> Response:
    lines = await web(request).services.console.audit(user)  # NotAllowed (403) for anyone but an admin
    return render(request, "audit.html", user=user, lines=lines)
