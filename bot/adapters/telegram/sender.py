"""The delivery Sender on Telegram: sends a notice with aiogram and maps Bot API errors to domain errors."""

from __future__ import annotations

from aiogram import Bot
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

from bot.adapters.telegram.render import keyboard
from bot.app.delivery import Blocked, Migrated, Outgoing, Rejected, RetryAfter, Transient


class TelegramSender:
    def __init__(self, bot: Bot):
        self.bot = bot

    async def send(self, chat_id: int, message: Outgoing) -> int:
        markup = keyboard(message.screen)
        text = message.screen.text
        try:
            if message.media_kind == "photo" and message.media_file_id:
                msg = await self.bot.send_photo(chat_id, message.media_file_id, caption=text, reply_markup=markup)
            elif message.media_kind == "document" and message.media_file_id:
                msg = await self.bot.send_document(chat_id, message.media_file_id, caption=text, reply_markup=markup)
            else:
                msg = await self.bot.send_message(chat_id, text, reply_markup=markup)
        except Exception as e:
            raise _domain_error(e) from e
        return msg.message_id

    async def delete(self, chat_id: int, message_id: int) -> None:
        try:
            await self.bot.delete_message(chat_id, message_id)
        except TelegramBadRequest as e:
            if "not found" in e.message.lower():
                return  # already gone: withdrawing it again is done
            raise _domain_error(e) from e
        except Exception as e:
            raise _domain_error(e) from e


def _domain_error(e: Exception) -> Exception:
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
