"""Async filters for the hot path.

aiogram runs a filter that is neither a `Filter` instance nor an async callable in a worker thread
(`asyncio.to_thread`), and `F.chat.type == "private"` is such a filter: one thread hop per handler per
update. These are `Filter` subclasses, evaluated inline. Rule for every router: gate it once at the
router level (`router.message.filter(PrivateChat())`), never with a plain callable or a magic filter.
"""

from __future__ import annotations

from collections.abc import Callable

from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject

GROUP_TYPES = frozenset({"group", "supergroup"})


def _chat(event: TelegramObject) -> Chat | None:
    if isinstance(event, Message):
        return event.chat
    if isinstance(event, CallbackQuery):
        return event.message.chat if event.message is not None else None  # also a message too old to edit
    return getattr(event, "chat", None)


class PrivateChat(Filter):
    async def __call__(self, event: TelegramObject) -> bool:
        chat = _chat(event)
        return chat is not None and chat.type == "private"


class GroupChat(Filter):
    async def __call__(self, event: TelegramObject) -> bool:
        chat = _chat(event)
        return chat is not None and chat.type in GROUP_TYPES


class TextMatches(Filter):
    """The message's text satisfies `predicate` (a plain function, called inline: no thread hop)."""

    def __init__(self, predicate: Callable[[str], bool]):
        self.predicate = predicate

    async def __call__(self, message: Message) -> bool:
        return message.text is not None and self.predicate(message.text)


class ChatMigrated(Filter):
    """The service message a group leaves when it becomes a supergroup."""

    async def __call__(self, message: Message) -> bool:
        return message.migrate_from_chat_id is not None


class DataIs(Filter):
    """Callback data equal to one of `values`, or starting with `prefix`."""

    def __init__(self, *values: str, prefix: str | None = None):
        self.values = frozenset(values)
        self.prefix = prefix

    async def __call__(self, query: CallbackQuery) -> bool:
        data = query.data or ""
        return data in self.values or (self.prefix is not None and data.startswith(self.prefix))
