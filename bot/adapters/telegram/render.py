"""Screens (domain) → Telegram messages. The only place that knows how a Screen looks on Telegram."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import Bot
from aiogram.types import FSInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity

from bot.adapters.pictures import as_png
from bot.core.markup import bold_spans
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


def _bold(text: str) -> tuple[str, list[MessageEntity] | None]:
    """`**label**` in content becomes a bold entity (no parse mode: nothing else in a text can break it)."""
    plain, spans = bold_spans(text)
    return plain, [MessageEntity(type="bold", offset=o, length=n) for o, n in spans] or None


async def send_screens(
    bot: Bot, chat_id: int, screens: Sequence[Screen], thread_id: int | None = None
) -> list[Message]:
    sent: list[Message] = []
    for screen in screens:
        markup = keyboard(screen)
        if screen.image:
            photo = FSInputFile(as_png(screen.image))
            if len(screen.text) <= CAPTION_LIMIT:
                caption, caption_entities = _bold(screen.text)
                sent.append(
                    await bot.send_photo(
                        chat_id,
                        photo,
                        caption=caption,
                        caption_entities=caption_entities,
                        reply_markup=markup,
                        message_thread_id=thread_id,
                    )
                )
                continue
            sent.append(await bot.send_photo(chat_id, photo, message_thread_id=thread_id))
        chunks = split_text(screen.text, TEXT_LIMIT) or ["…"]  # over the limit: "(1/2)", "(2/2)" parts
        for i, chunk in enumerate(chunks):
            text, entities = _bold(chunk)
            sent.append(
                await bot.send_message(
                    chat_id,
                    text,
                    entities=entities,
                    message_thread_id=thread_id,
                    reply_markup=markup if i == len(chunks) - 1 else None,
                )
            )
    return sent
