"""Screens (domain) → Telegram messages. The only place that knows how a Screen looks on Telegram."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import Bot
from aiogram.types import FSInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.core.screens import Screen
from bot.core.text_split import split_text

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


def keyboard(screen: Screen) -> InlineKeyboardMarkup | None:
    if not screen.buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=b.label, callback_data=b.action)
                if b.action is not None
                else InlineKeyboardButton(text=b.label, url=b.url)
                for b in row
            ]
            for row in screen.buttons
        ]
    )


async def send_screens(
    bot: Bot, chat_id: int, screens: Sequence[Screen], thread_id: int | None = None
) -> list[Message]:
    sent: list[Message] = []
    for screen in screens:
        markup = keyboard(screen)
        if screen.image:
            if len(screen.text) <= CAPTION_LIMIT:
                sent.append(
                    await bot.send_photo(
                        chat_id,
                        FSInputFile(screen.image),
                        caption=screen.text,
                        reply_markup=markup,
                        message_thread_id=thread_id,
                    )
                )
                continue
            sent.append(await bot.send_photo(chat_id, FSInputFile(screen.image), message_thread_id=thread_id))
        chunks = split_text(screen.text, TEXT_LIMIT) or ["…"]  # over the limit: "(1/2)", "(2/2)" parts
        for i, chunk in enumerate(chunks):
            sent.append(
                await bot.send_message(
                    chat_id, chunk, message_thread_id=thread_id, reply_markup=markup if i == len(chunks) - 1 else None
                )
            )
    return sent
