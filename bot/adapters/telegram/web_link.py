"""`/web` in a private chat: a one-time sign-in link to the web console for staff, officials and admins."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.adapters.telegram.filters import PrivateChat
from bot.adapters.telegram.render import send_screens
from bot.app.residents import Resident
from bot.app.web_signin import NotConsoleUser, WebSignIn
from bot.core.i18n import Texts
from bot.core.screens import Screen
from bot.settings import Settings


def login_url(settings: Settings, token: str) -> str:
    return f"{settings.web_base_url.rstrip('/')}/login?t={token}"


def make_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PrivateChat())

    @router.message(Command("web"))
    async def on_web(
        message: Message, resident: Resident, signin: WebSignIn, settings: Settings, texts: Texts, bot: Bot
    ) -> None:
        try:
            token = await signin.issue(resident)
        except NotConsoleUser:
            text = texts(resident.language, "web.link_refused")
        else:
            text = texts(resident.language, "web.link", url=login_url(settings, token))
        await send_screens(bot, message.chat.id, [Screen(text)])

    return router
