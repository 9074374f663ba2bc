"""The help desk's Sender on Telegram: turns API errors into a Delivery status instead of raising."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.types import ReplyParameters

from bot.adapters.telegram.render import TEXT_LIMIT, keyboard, send_screens
from bot.adapters.telegram.replies import desk_sending
from bot.app.helpdesk import Delivered, Delivery
from bot.core.screens import Button, Screen
from bot.core.text_split import split_text

log = logging.getLogger(__name__)
MAX_RETRY_WAIT = 5.0


def _status(chat_id: int, e: TelegramAPIError) -> Delivery:
    if isinstance(e, TelegramForbiddenError):
        return Delivery.BLOCKED if chat_id > 0 else Delivery.GONE
    if isinstance(e, (TelegramBadRequest, TelegramNotFound)) and "chat not found" in str(e).lower():
        return Delivery.BLOCKED if chat_id > 0 else Delivery.GONE
    return Delivery.FAILED


class DeskSender:
    def __init__(self, bot: Bot):
        self.bot = bot

    async def _call(self, chat_id: int, fn: Callable[..., Awaitable[Any]], *args: Any, **kw: Any) -> Delivered:
        for _ in range(2):
            try:
                with desk_sending():
                    result = await fn(*args, **kw)
                mid = getattr(result, "message_id", None) or getattr(result, "message_thread_id", None)
                return Delivered(Delivery.OK, mid)
            except TelegramRetryAfter as e:  # one short wait, then report a failure to retry later
                if e.retry_after > MAX_RETRY_WAIT:
                    return Delivered(Delivery.FAILED)
                await asyncio.sleep(e.retry_after)
            except TelegramAPIError as e:
                log.info("help desk send to %s failed: %s", chat_id, e)
                return Delivered(_status(chat_id, e))
        return Delivered(Delivery.FAILED)

    async def send(
        self, chat_id: int, screen: Screen, *, thread_id: int | None = None, reply_to: int | None = None
    ) -> Delivered:
        if reply_to is not None and not screen.image:
            chunks = split_text(screen.text, TEXT_LIMIT) or ["…"]
            delivered = Delivered(Delivery.FAILED)
            for i, chunk in enumerate(chunks):  # every part under the ticket's card, the buttons on the last
                delivered = await self._call(
                    chat_id,
                    self.bot.send_message,
                    chat_id,
                    chunk,
                    message_thread_id=thread_id,
                    reply_markup=keyboard(screen) if i == len(chunks) - 1 else None,
                    reply_parameters=ReplyParameters(message_id=reply_to, allow_sending_without_reply=True),
                )
                if not delivered.ok:
                    break
            return delivered

        async def screens() -> object:
            sent = await send_screens(self.bot, chat_id, [screen], thread_id=thread_id)
            return sent[-1] if sent else None

        return await self._call(chat_id, screens)

    async def copy(
        self,
        chat_id: int,
        from_chat_id: int,
        message_id: int,
        *,
        caption: str | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
        buttons: tuple[tuple[Button, ...], ...] = (),
    ) -> Delivered:
        rp = ReplyParameters(message_id=reply_to, allow_sending_without_reply=True) if reply_to else None
        return await self._call(
            chat_id,
            self.bot.copy_message,
            chat_id,
            from_chat_id,
            message_id,
            caption=caption,
            message_thread_id=thread_id,
            reply_parameters=rp,
            reply_markup=keyboard(Screen("", buttons)),
        )

    async def create_topic(self, chat_id: int, name: str) -> Delivered:
        return await self._call(chat_id, self.bot.create_forum_topic, chat_id, name)
