"""Last-resort error handling: a blocked bot is recorded, a person in a private chat gets an apology,
a pressed button is answered; in a group nothing is posted (a neighbourhood group must not read
"Xin lỗi bác, cháu vừa gặp lỗi"): the failure is logged for us instead."""

from __future__ import annotations

import contextlib
import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import ErrorEvent, User

from bot.adapters.telegram.middlewares import CHANNEL
from bot.adapters.telegram.replies import ReplyStored
from bot.app.residents import ResidentService
from bot.core.i18n import Texts

log = logging.getLogger(__name__)


def _lang(user: User | None) -> str:
    return "en" if user is not None and (user.language_code or "").startswith("en") else "vi"


def make_router() -> Router:
    """A fresh router per Dispatcher (aiogram attaches a router to one parent only)."""
    router = Router(name=__name__)

    @router.errors()
    async def on_error(event: ErrorEvent, residents: ResidentService, texts: Texts, bot: Bot) -> bool:
        update = event.update
        message = update.message or update.edited_message
        query = update.callback_query
        user = message.from_user if message else query.from_user if query else None
        private_chat = None  # where an apology may go: the person's own chat with the bot
        if message is not None and message.chat.type == "private":
            private_chat = message.chat.id
        elif query is not None and (query.message is None or query.message.chat.type == "private"):
            private_chat = query.from_user.id
        if isinstance(event.exception, ReplyStored):  # kept for the reply worker: nothing lost, nothing to say
            log.info("update %s: %s", update.update_id, event.exception.message)
            if query is not None:
                with contextlib.suppress(TelegramAPIError):
                    await query.answer()
            return True
        if isinstance(event.exception, TelegramForbiddenError):
            if private_chat is not None:
                await residents.mark_blocked(CHANNEL, private_chat)
            log.info("update %s: the bot was blocked or removed", update.update_id)
            return True
        where = message.chat.id if message else query.from_user.id if query else None
        log.error("update %s (chat %s) failed", update.update_id, where, exc_info=event.exception)
        text = texts(_lang(user), "common.error")
        if query is not None:  # never leave the button spinning (fails quietly if the handler answered it)
            with contextlib.suppress(TelegramAPIError):
                await query.answer(text if private_chat is None else None, show_alert=private_chat is None)
        if private_chat is not None:
            with contextlib.suppress(TelegramAPIError):
                await bot.send_message(private_chat, text)
        return True

    return router
