"""One send path: every Bot API call that puts something in a chat goes through `ReplyGuard`.

`ReplyGuard` is an aiogram session middleware, so handlers keep writing `message.answer(...)` and every
send (a handler's reply, a help-desk message, a stored reply sent again) gets the same treatment:

- it takes an *interactive* slot from the bot's shared `SendLimiter` (the one the notice delivery uses),
  so a broadcast leaves room for people who are chatting and the two never exceed Telegram's limits
  together;
- 429 → waits `retry_after` (and tells the limiter), 5xx / network errors → bounded retries with
  backoff, "group upgraded to a supergroup" → sends to `migrate_to_chat_id`; 403 and other 400s are
  raised as before (the error router marks a blocked person);
- a handler's reply still unsent after `patience` seconds (what a person would wait) is stored with
  `StoredReplies.keep`, to be sent by the reply worker, and `ReplyStored` is raised so the handler
  stops there (the error router logs it quietly).

Who is calling is a context variable: the notice delivery (`broadcasting()`) has its own durable outbox
and retry rules and passes straight through; the help desk (`desk_sending()`) keeps its own records,
so its sends are retried here but never stored twice; the reply worker (`resending()`) likewise.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import aiogram.methods as methods
from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile

from bot.adapters.telegram.api_errors import domain_error
from bot.app.ports.notices import SendLimiter
from bot.app.ports.replies import StoredReply
from bot.app.replies import StoredReplies

log = logging.getLogger(__name__)

# Methods that put or change something in a chat (and count against Telegram's limits).
SENDS = frozenset(
    {
        "SendMessage",
        "SendPhoto",
        "SendDocument",
        "SendVoice",
        "SendAudio",
        "SendVideo",
        "SendSticker",
        "SendLocation",
        "SendContact",
        "SendMediaGroup",
        "CopyMessage",
        "ForwardMessage",
        "EditMessageText",
        "EditMessageCaption",
        "EditMessageReplyMarkup",
        "CreateForumTopic",
    }
)

_MODE: contextvars.ContextVar[str] = contextvars.ContextVar("send_mode", default="reply")


@contextlib.contextmanager
def _mode(mode: str) -> Iterator[None]:
    token = _MODE.set(mode)
    try:
        yield
    finally:
        _MODE.reset(token)


def broadcasting() -> contextlib.AbstractContextManager[None]:
    """Sends of the notice delivery: it has its own limiter slots, retries and outbox."""
    return _mode("broadcast")


def desk_sending() -> contextlib.AbstractContextManager[None]:
    """Sends of the help desk: retried here, never stored (the tickets keep their own record)."""
    return _mode("desk")


def resending() -> contextlib.AbstractContextManager[None]:
    """Sends of the reply worker: the reply is stored already."""
    return _mode("resend")


class ReplyStored(TelegramAPIError):
    """The reply could not be sent in time and was stored for a later send."""

    def __init__(self, method: TelegramMethod[Any], reply_id: int, cause: str):
        super().__init__(method, f"reply stored as #{reply_id} ({cause})")
        self.reply_id = reply_id


def _chat_id(method: TelegramMethod[Any]) -> int | None:
    chat = getattr(method, "chat_id", None)
    return chat if isinstance(chat, int) else None


def _storable(method: TelegramMethod[Any]) -> bool:
    """Only what can be written down and sent again as it is (file ids, not uploads)."""
    return not any(isinstance(v, InputFile) for v in method.__dict__.values())


def dump(method: TelegramMethod[Any]) -> str:
    return method.model_dump_json(exclude_none=True, exclude_defaults=True)


def load(name: str, payload: str) -> TelegramMethod[Any]:
    cls = getattr(methods, name, None)
    if cls is None or name not in SENDS:
        raise ValueError(f"not a stored send: {name}")
    method: TelegramMethod[Any] = cls.model_validate_json(payload)
    return method


class ReplyGuard(BaseRequestMiddleware):
    def __init__(
        self,
        limiter: SendLimiter,
        store: StoredReplies | None = None,
        *,
        patience: float = 20.0,
        network_retries: int = 4,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limiter, self.store = limiter, store
        self.patience, self.network_retries = patience, network_retries
        self.sleep, self.now = sleep, now
        self.retried = 0  # 429s and network errors waited out (what the benchmark reports)
        self.stored = 0

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        mode = _MODE.get()
        chat_id = _chat_id(method)
        if mode == "broadcast" or chat_id is None or type(method).__name__ not in SENDS:
            return await make_request(bot, method)
        deadline = self.now() + self.patience
        failures = 0
        while True:
            slot = await self.limiter.acquire(chat_id, chat_id < 0, interactive=True)
            if not slot.go:
                if self.now() + slot.wait > deadline:
                    return await self._give_up(method, mode, f"no send slot within {self.patience:g} s", None)
                await self.sleep(slot.wait)
                continue
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as e:
                await self.limiter.retry_after(chat_id, float(e.retry_after), everyone=False)
                if self.now() + e.retry_after > deadline:
                    return await self._give_up(method, mode, f"429 retry after {e.retry_after}", e)
                self.retried += 1
                await self.sleep(float(e.retry_after))
            except TelegramMigrateToChat as e:
                log.info("chat %s became %s: sending there", chat_id, e.migrate_to_chat_id)
                method.chat_id = chat_id = int(e.migrate_to_chat_id)  # type: ignore[attr-defined]
            except (TelegramServerError, TelegramNetworkError) as e:
                failures += 1
                pause = min(0.5 * 2 ** (failures - 1), 8.0)
                if failures > self.network_retries or self.now() + pause > deadline:
                    return await self._give_up(method, mode, f"{type(e).__name__}: {e.message}", e)
                self.retried += 1
                await self.sleep(pause)

    async def _give_up(
        self, method: TelegramMethod[TelegramType], mode: str, cause: str, error: TelegramAPIError | None
    ) -> Response[TelegramType]:
        chat_id = _chat_id(method)
        if mode != "reply" or self.store is None or chat_id is None or not _storable(method):
            if error is not None:
                raise error
            raise TelegramNetworkError(method, cause)
        reply_id = await self.store.keep("telegram", chat_id, type(method).__name__, dump(method), cause)
        self.stored += 1
        raise ReplyStored(method, reply_id, cause)


def resender(bot: Bot) -> Callable[[StoredReply], Awaitable[None]]:
    """`StoredReplies.send_due`'s way to send one stored reply on Telegram (delivery errors on failure)."""

    async def resend(reply: StoredReply) -> None:
        method = load(reply.method, reply.payload)
        with resending():
            try:
                await bot(method)
            except TelegramAPIError as e:
                raise domain_error(e) from e

    return resend
