"""Per-update plumbing: edits read as new messages in private, who is writing (Resident from the database),
and inbound flood control."""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message, TelegramObject, Update, User

from bot.app.residents import ResidentService

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
    """Drops a user's updates beyond `limit` per `window` seconds, so a stuck key or a spammer
    cannot keep the bot busy; the first dropped update of a burst gets one polite answer.

    Memory stays bounded: users idle for a whole window are forgotten (swept once per window)."""

    def __init__(self, limit: int = 20, window: float = 10.0, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self.hits: dict[int, deque[float]] = {}
        self._swept = clock()

    def _sweep(self, now: float) -> None:
        self._swept = now
        idle = [uid for uid, q in self.hits.items() if not q or now - q[-1] > self.window]
        for uid in idle:
            del self.hits[uid]

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or user.is_bot:  # GroupAnonymousBot is every anonymous admin at once: not one person
            return await handler(event, data)
        now = self.clock()
        if now - self._swept > self.window:
            self._sweep(now)
        q = self.hits.get(user.id)
        if q is None:
            q = self.hits[user.id] = deque()
        while q and now - q[0] > self.window:
            q.popleft()
        q.append(now)
        if len(q) > self.limit:
            await self._refuse(event, user, data, first=len(q) == self.limit + 1)
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
