"""Resident router (private chats): parse the update, ask ResidentFlow, render the screens."""

from __future__ import annotations

import contextlib

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message

from bot.adapters.telegram.filters import PrivateChat
from bot.adapters.telegram.guide_callbacks import BranchCb
from bot.adapters.telegram.render import send_screens
from bot.app.resident_flow import Pressed, ResidentFlow
from bot.app.residents import Resident
from bot.core.i18n import Texts


async def _command(message: Message) -> bool:
    return (message.text or "").startswith("/")


async def _text(message: Message) -> bool:
    return bool(message.text)


def make_router() -> Router:
    """A fresh router per Dispatcher (aiogram attaches a router to one parent only).

    Every filter here is a `Filter` instance or an async callable: none runs in a worker thread."""
    router = Router(name=__name__)
    router.message.filter(PrivateChat())
    router.callback_query.filter(PrivateChat())

    @router.message(CommandStart())
    async def on_start(
        message: Message, command: CommandObject, resident: Resident, flow: ResidentFlow, bot: Bot
    ) -> None:
        await send_screens(bot, message.chat.id, await flow.start(resident, command.args))

    @router.message(Command("menu"))
    async def on_menu(message: Message, resident: Resident, flow: ResidentFlow, bot: Bot) -> None:
        await send_screens(bot, message.chat.id, [await flow.menu(resident)])

    @router.message(Command("help"))
    async def on_help(message: Message, resident: Resident, flow: ResidentFlow, bot: Bot) -> None:
        await send_screens(bot, message.chat.id, flow.help(resident))

    @router.message(Command("settings"))
    async def on_settings(message: Message, resident: Resident, flow: ResidentFlow, bot: Bot) -> None:
        await send_screens(bot, message.chat.id, await flow.settings(resident))

    @router.message(Command("lang"))
    async def on_lang(message: Message, resident: Resident, flow: ResidentFlow, bot: Bot) -> None:
        await send_screens(bot, message.chat.id, flow.language(resident))

    @router.message(Command("xung_ho"))
    async def on_voice(message: Message, resident: Resident, flow: ResidentFlow, bot: Bot) -> None:
        await send_screens(bot, message.chat.id, flow.voice(resident))

    @router.message(_command)
    async def on_unknown_command(message: Message, resident: Resident, flow: ResidentFlow, bot: Bot) -> None:
        await send_screens(bot, message.chat.id, flow.unknown_command(resident))

    @router.message(_text)
    async def on_text(message: Message, resident: Resident, flow: ResidentFlow, bot: Bot) -> None:
        await send_screens(bot, message.chat.id, await flow.text(resident, message.text or ""))

    @router.message()
    async def on_other(message: Message, resident: Resident, flow: ResidentFlow, bot: Bot) -> None:
        await send_screens(bot, message.chat.id, await flow.non_text(resident, message.caption))

    @router.callback_query(BranchCb.filter())
    async def on_branch(
        query: CallbackQuery, callback_data: BranchCb, resident: Resident, flow: ResidentFlow, texts: Texts, bot: Bot
    ) -> None:
        cb = callback_data
        await _show(query, await flow.branch(resident, cb.guide, cb.step, cb.branch, cb.sub), texts, resident, bot)

    @router.callback_query()
    async def on_button(query: CallbackQuery, resident: Resident, flow: ResidentFlow, texts: Texts, bot: Bot) -> None:
        await _show(query, await flow.press(resident, query.data or ""), texts, resident, bot)

    return router


async def _show(query: CallbackQuery, pressed: Pressed, texts: Texts, resident: Resident, bot: Bot) -> None:
    await query.answer(texts(resident.language, "common.button_gone") if pressed.stale else None)
    if query.message is not None:
        # The pressed message keeps its text as history; its buttons go, so old steps can't be pressed twice.
        with contextlib.suppress(TelegramBadRequest):
            await bot.edit_message_reply_markup(
                chat_id=query.message.chat.id, message_id=query.message.message_id, reply_markup=None
            )
    await send_screens(bot, query.from_user.id, pressed.screens)
