"""Bot API errors as the delivery's errors (`bot.app.delivery`): one mapping for every sender."""

from __future__ import annotations

from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.app.delivery import Blocked, Migrated, Rejected, RetryAfter, Transient


def domain_error(e: Exception) -> Exception:
    if isinstance(e, TelegramRetryAfter):
        return RetryAfter(float(e.retry_after))
    if isinstance(e, TelegramMigrateToChat):
        return Migrated(int(e.migrate_to_chat_id))
    if isinstance(e, TelegramForbiddenError):
        return Blocked(_reason(e.message))
    if isinstance(e, (TelegramServerError, TelegramNetworkError)):
        return Transient(_reason(e.message))
    if isinstance(e, TelegramNotFound):
        return Rejected(_reason(e.message))
    if isinstance(e, TelegramBadRequest):
        if "chat not found" in e.message.lower():
            return Blocked(_reason(e.message))  # the chat is gone: stop sending to it
        return Rejected(_reason(e.message))
    if isinstance(e, TelegramAPIError):
        return Transient(_reason(e.message))
    return Transient(str(e) or type(e).__name__)


def _reason(message: str) -> str:
    """'Forbidden: bot was blocked by the user' → 'bot was blocked by the user' (shown in reports)."""
    return message.split(": ", 1)[-1].strip()[:200]
