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


# What a person writes; any other message (new members, pins, title changes, topic created …) is Telegram's own.
WRITTEN = frozenset(
    {
        "text",
        "photo",
        "document",
        "video",
        "video_note",
        "voice",
        "audio",
        "animation",
        "sticker",
        "location",
        "venue",
        "contact",
        "poll",
        "dice",
        "story",
    }
)


def not_from_a_person(message: Message) -> str | None:
    """Why a message is nobody's words to answer (None when it is): an anonymous admin or a channel
    (`sender_chat`), a bot, or a service message. A group's upgrade notice is kept: it is acted on."""
    if message.migrate_from_chat_id is not None:
        return None
    if message.sender_chat is not None:
        return "sent as a chat"
    if message.from_user is None or message.from_user.is_bot:
        return "sent by a bot"
    if message.content_type not in WRITTEN:
        return f"service message {message.content_type}"
    return None


class NotFromAPerson(Filter):
    """Messages no handler should answer (see `not_from_a_person`); passes the reason as `why`."""

    async def __call__(self, message: Message) -> bool | dict[str, str]:
        why = not_from_a_person(message)
        return {"why": why} if why else False


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
