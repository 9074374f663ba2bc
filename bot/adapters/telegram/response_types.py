"""Keep aiogram's parsed-response classes alive for the life of the process.

aiogram parses every Bot API answer with `Response[method.__returning__]`, a pydantic generic. pydantic
(2.13) caches parametrised generics in a `WeakValueDictionary` only, and these classes sit in reference
cycles, so every cyclic garbage collection drops them and the next send rebuilds the class and its
schema: about 14 ms of CPU, measured as 43 % of a resident's question in `benchmarks/dispatch_bench.py`
(130 rebuilds per 1,000 questions). Holding one strong reference per return type the bot uses makes the
cache hit every time.
"""

from __future__ import annotations

from typing import Any

from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteWebhook,
    EditMessageReplyMarkup,
    EditMessageText,
    GetChat,
    GetChatMember,
    GetMe,
    GetUpdates,
    SendMessage,
    SetMyCommands,
)
from aiogram.methods.base import Response

# bool (answers, deletes, pins), Message, Message | bool (edits), list[Update], User, ChatFullInfo, ChatMember
_METHODS = (
    AnswerCallbackQuery,
    SendMessage,
    EditMessageText,
    EditMessageReplyMarkup,
    GetUpdates,
    GetMe,
    GetChat,
    GetChatMember,
    DeleteWebhook,
    SetMyCommands,
)
_PINNED: dict[Any, type[Any]] = {}


def pin_response_types() -> int:
    """Build (once) and keep the response classes; returns how many are held. Safe to call again."""
    for method in _METHODS:
        returning = method.__returning__
        if returning not in _PINNED:
            _PINNED[returning] = Response[returning]  # type: ignore[valid-type]
    return len(_PINNED)
