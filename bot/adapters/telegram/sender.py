"""The delivery Sender on Telegram: sends a notice with aiogram and maps Bot API errors to domain errors."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest

from bot.adapters.telegram.api_errors import domain_error
from bot.adapters.telegram.render import keyboard
from bot.adapters.telegram.replies import broadcasting
from bot.app.delivery import Outgoing


class TelegramSender:
    def __init__(self, bot: Bot):
        self.bot = bot

    async def send(self, chat_id: int, message: Outgoing) -> int:
        markup = keyboard(message.screen)
        text = message.screen.text
        try:
            with broadcasting():
                if message.media_kind == "photo" and message.media_file_id:
                    msg = await self.bot.send_photo(chat_id, message.media_file_id, caption=text, reply_markup=markup)
                elif message.media_kind == "document" and message.media_file_id:
                    msg = await self.bot.send_document(
                        chat_id, message.media_file_id, caption=text, reply_markup=markup
                    )
                else:
                    msg = await self.bot.send_message(chat_id, text, reply_markup=markup)
        except Exception as e:
            raise domain_error(e) from e
        return msg.message_id

    async def delete(self, chat_id: int, message_id: int) -> None:
        try:
            await self.bot.delete_message(chat_id, message_id)
        except TelegramBadRequest as e:
            if "not found" in e.message.lower():
                return  # already gone: withdrawing it again is done
            raise domain_error(e) from e
        except Exception as e:
            raise domain_error(e) from e
