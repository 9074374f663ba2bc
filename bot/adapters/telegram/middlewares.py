"""Per-update plumbing: edits read as new messages in private, who is writing (Resident from the database),
and inbound flood control."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message, TelegramObject, Update, User

from bot.app.residents import ResidentService
from bot.core.flood import FloodCounter, MemoryFloodCounter

CHANNEL = "telegram"


class EditsAsNew(BaseMiddleware):
    """A resident who fixes a typo in her question is asking the corrected question: in a private chat an
    edited message goes through the handlers as a new one. Edits in groups stay `edited_message` updates,
    which the `ignored` router drops (a staff answer, once relayed, is not relayed again)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Update) and (edited := event.edited_message) is not None and edited.chat.type == "private":
            event = event.model_copy(update={"message": edited, "edited_message": None})
        return await handler(event, data)


class IdentifyMiddleware(BaseMiddleware):
    """Loads (or creates) the Resident behind every update and passes it to handlers as `resident`."""

    def __init__(self, residents: ResidentService):
        self.residents = residents

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        as_chat = isinstance(event, Message) and event.sender_chat is not None  # an anonymous admin, a channel
        if user is not None and not user.is_bot and not as_chat:
            data["resident"] = await self.residents.identify(CHANNEL, user.id, user.full_name)
        return await handler(event, data)


class FloodMiddleware(BaseMiddleware):
    """Drops a user's updates beyond the counter's limit per window, so a stuck key or a spammer
    cannot keep the bot busy; the first dropped update of a burst gets one polite answer.
    The counting is a `FloodCounter`: in this process by default, in Redis for several instances."""

    def __init__(self, counter: FloodCounter | None = None):
        self.counter: FloodCounter = counter or MemoryFloodCounter()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or user.is_bot:  # GroupAnonymousBot is every anonymous admin at once: not one person
            return await handler(event, data)
        n = await self.counter.hit(user.id)
        limit = self.counter.limit
        if n > limit:
            await self._refuse(event, user, data, first=n == limit + 1)
            return None
        return await handler(event, data)

    @staticmethod
    async def _refuse(event: TelegramObject, user: User, data: dict[str, Any], *, first: bool) -> None:
        """A dropped button press is still answered (or it spins); a message burst gets one word, in private."""
        lang = "en" if (user.language_code or "").startswith("en") else "vi"
        text = data["texts"](lang, "common.slow_down")
        with contextlib.suppress(TelegramAPIError):
            if isinstance(event, CallbackQuery):
                await event.answer(text if first else None)
            elif first and isinstance(event, Message) and event.chat.type == "private":
                await data["bot"].send_message(user.id, text)
