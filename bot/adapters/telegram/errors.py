"""Last-resort error handling: a blocked bot is recorded, anything else gets an apology, never silence."""

from __future__ import annotations

import contextlib
import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import ErrorEvent

from bot.adapters.telegram.middlewares import CHANNEL
from bot.app.residents import ResidentService
from bot.core.i18n import Texts

log = logging.getLogger(__name__)


def make_router() -> Router:
    """A fresh router per Dispatcher (aiogram attaches a router to one parent only)."""
    router = Router(name=__name__)

    @router.errors()
    async def on_error(event: ErrorEvent, residents: ResidentService, texts: Texts, bot: Bot) -> bool:
        update = event.update
        chat_id = None
        user = None
        if update.message:
            chat_id, user = update.message.chat.id, update.message.from_user
        elif update.callback_query:
            user = update.callback_query.from_user
            chat_id = user.id
        if isinstance(event.exception, TelegramForbiddenError):
            if chat_id is not None and chat_id > 0:
                await residents.mark_blocked(CHANNEL, chat_id)
            log.info("chat %s blocked the bot", chat_id)
            return True
        log.exception("update %s failed", update.update_id, exc_info=event.exception)
        if chat_id is not None:
            lang = "en" if user is not None and (user.language_code or "").startswith("en") else "vi"
            with contextlib.suppress(TelegramAPIError):
                await bot.send_message(chat_id, texts(lang, "common.error"))
        return True

    return router
