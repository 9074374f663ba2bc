"""/lienket (a code, or "/lienket 123456" to use one) and /huylienket (confirmed with Không / Có) in a
private chat: linking a resident's Telegram and Zalo (`bot.app.linking`)."""

from __future__ import annotations

from typing import Literal

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message

from bot.adapters.telegram.desk_sender import DeskSender
from bot.adapters.telegram.filters import PrivateChat
from bot.adapters.telegram.helpdesk import _drop_buttons
from bot.adapters.telegram.render import send_screens
from bot.app.linking import Linking, LinkOutcome
from bot.app.residents import Resident


class UnlinkCb(CallbackData, prefix="lk"):
    """`lk:yes` / `lk:no` (`bot.app.linking.UNLINK_YES` / `UNLINK_NO`, also what Zalo's numbers stand for):
    the answer to "Huỷ liên kết?"."""

    answer: Literal["yes", "no"]


async def _show(bot: Bot, chat_id: int, outcome: LinkOutcome, linking: Linking) -> None:
    await send_screens(bot, chat_id, outcome.screens)
    await linking.tell(outcome.other, DeskSender(bot))


def make_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PrivateChat())
    router.callback_query.filter(PrivateChat())

    @router.message(Command("lienket"))
    async def on_link(message: Message, command: CommandObject, resident: Resident, linking: Linking, bot: Bot) -> None:
        arg = (command.args or "").strip()
        outcome = await (linking.redeem(resident, arg) if arg else linking.issue(resident))
        await _show(bot, message.chat.id, outcome, linking)

    @router.message(Command("huylienket"))
    async def on_unlink(message: Message, resident: Resident, linking: Linking, bot: Bot) -> None:
        await _show(bot, message.chat.id, await linking.ask_unlink(resident), linking)

    @router.callback_query(UnlinkCb.filter())
    async def on_unlink_answer(
        query: CallbackQuery, callback_data: UnlinkCb, resident: Resident, linking: Linking, bot: Bot
    ) -> None:
        await query.answer()
        await _drop_buttons(query, bot)
        outcome = await (linking.unlink(resident) if callback_data.answer == "yes" else linking.kept(resident))
        if query.message is not None:
            await _show(bot, query.message.chat.id, outcome, linking)

    return router
