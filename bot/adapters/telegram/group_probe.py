"""Asks Telegram about a staff group for the console's ward settings: getChat (is the bot still in
it, is it a forum) and getChatMember for the bot itself (may it post). Failures are answers, not
errors: a kicked bot reads as "not reachable", a reply Telegram does not give as "unknown"."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import AiogramError, TelegramAPIError, TelegramNetworkError
from pydantic import ValidationError

from bot.app.ward_settings import GroupHealth

log = logging.getLogger(__name__)
POSTING = {"creator", "administrator", "member"}


class TelegramGroupProbe:
    def __init__(self, bot: Bot):
        self.bot = bot

    async def __call__(self, chat_id: int) -> GroupHealth:
        try:
            chat = await self.bot.get_chat(chat_id)
        except TelegramNetworkError:
            log.warning("group %s: Telegram not reachable", chat_id)
            return GroupHealth(None, None, None, None)
        except TelegramAPIError as e:  # kicked, chat not found, upgraded to a supergroup
            log.info("group %s: getChat refused: %s", chat_id, e.message)
            return GroupHealth(False, False, None, None)
        except AiogramError as e:  # an answer this aiogram cannot read: unknown, not broken
            log.warning("group %s: getChat unreadable: %s", chat_id, e)
            return GroupHealth(None, None, None, None)
        can_post: bool | None = None
        try:
            me = await self.bot.get_chat_member(chat_id, self.bot.id)
            status = str(getattr(me, "status", ""))
            can_post = status in POSTING or (status == "restricted" and bool(getattr(me, "can_send_messages", False)))
        except (AiogramError, ValidationError, ValueError) as e:
            log.info("group %s: getChatMember gave no answer: %s", chat_id, e)
        return GroupHealth(True, can_post, bool(chat.is_forum), chat.title)
