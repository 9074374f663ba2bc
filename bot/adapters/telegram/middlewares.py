"""Per-update plumbing: who is writing (Resident from the database), and inbound flood control."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject, User

from bot.app.residents import ResidentService
from bot.core.flood import FloodCounter, MemoryFloodCounter

CHANNEL = "telegram"


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
        if user is not None and not user.is_bot:
            data["resident"] = await self.residents.identify(CHANNEL, user.id, user.full_name)
        return await handler(event, data)


class FloodMiddleware(BaseMiddleware):
    """Drops a user's updates beyond the counter's limit per window, so a stuck key or a spammer
    cannot keep the bot busy; the first dropped update of a burst gets one polite answer.
    The counting is a `FloodCounter`: in this process by default, in Redis for several instances."""

    def __init__(self, counter: FloodCounter | None = None):
        self.counter: FloodCounter = counter or MemoryFloodCounter()
        self.limit = self.counter.limit

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        n = await self.counter.hit(user.id)
        if n > self.limit:
            if n == self.limit + 1:
                with contextlib.suppress(TelegramAPIError):
                    lang = "en" if (user.language_code or "").startswith("en") else "vi"
                    await data["bot"].send_message(user.id, data["texts"](lang, "common.slow_down"))
            return None
        return await handler(event, data)
