"""One person's updates handled one at a time, in the order they came (issue 14).

Polling hands aiogram a batch of updates and it handles them concurrently: two quick taps of "Tiếp"
from one resident could both read step 3 and both write step 4, or a /start and a question could
interleave their onboarding. This outer middleware queues each person's updates behind a lock of
their own: a private chat by its id, a group per (group, member), so staff in one group never wait
for each other. Different people still run in parallel. Locks live only while someone waits on them.

In one process only: with several instances behind a webhook, Telegram sends one chat's updates in
order but not to one instance, and what two instances may interleave is guarded by the database
(conditional updates, upserts) instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.middlewares.user_context import EVENT_CONTEXT_KEY, EventContext
from aiogram.types import TelegramObject


class PerChatSequence(BaseMiddleware):
    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @staticmethod
    def _key(context: EventContext | None) -> Hashable | None:
        if context is None or context.chat is None:
            return context.user_id if context is not None else None
        if context.chat.type == "private":
            return context.chat.id
        return (context.chat.id, context.user_id)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        key = self._key(data.get(EVENT_CONTEXT_KEY))
        if key is None:
            return await handler(event, data)
        lock, waiting = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, waiting + 1)
        try:
            async with lock:
                return await handler(event, data)
        finally:
            lock, waiting = self._locks[key]
            if waiting <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, waiting - 1)

    @property
    def held(self) -> int:
        """People with an update running or waiting (a test checks nothing is left behind)."""
        return len(self._locks)
