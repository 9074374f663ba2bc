"""Home visits on Telegram: the resident's wizard (`visit_wizard`) and the team groups (`visit_team`)."""

from __future__ import annotations

from aiogram import Router

from bot.adapters.telegram import visit_team, visit_wizard
from bot.adapters.telegram.visit_sender import VisitSender


def make_router() -> Router:
    router = Router(name=__name__)
    router.include_router(visit_wizard.make_router())
    router.include_router(visit_team.make_router())
    return router


__all__ = ["VisitSender", "make_router"]
