"""Admins' irreversible commands, each confirmed first: /unbind_ward, /unbind_group (in the group, or in
private with the ward's id), /revoke_staff (in the staff group), /revoke_official (in private).

The use cases (`bot.app.admin_ops.AdminOps`) decide who may and say what will stop; this parses, asks
and renders. A press that cannot be read, or about something already done, gets "Nút này không còn dùng được".
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot.adapters.telegram.admin_callbacks import ADMIN_FACTORIES, RevokeCb, UnbindCb
from bot.adapters.telegram.filters import GROUP_TYPES, GroupChat, PrivateChat
from bot.adapters.telegram.helpdesk import _drop_buttons
from bot.adapters.telegram.helpdesk_callbacks import Unparsed
from bot.adapters.telegram.middlewares import CHANNEL
from bot.adapters.telegram.render import send_screens
from bot.adapters.telegram.staff import _target, _thread
from bot.app.admin_buttons import Answer, Unbind
from bot.app.admin_ops import AdminOps, Outcome
from bot.app.residents import Resident, ResidentService
from bot.core.i18n import Texts
from bot.core.screens import Screen

GROUP_LANG = "vi"  # a group's members share one language: the ward's


def _in_group(message: Message) -> bool:
    return message.chat.type in GROUP_TYPES


def _lang(message: Message, resident: Resident) -> str:
    return GROUP_LANG if _in_group(message) else resident.language


async def _reply(bot: Bot, message: Message, screens: list[Screen]) -> None:
    await send_screens(bot, message.chat.id, screens, thread_id=_thread(message))


def make_router() -> Router:
    router = Router(name=__name__)

    @router.message(Command("unbind_ward"))
    async def on_unbind_ward(
        message: Message, command: CommandObject, resident: Resident, admin_ops: AdminOps, bot: Bot
    ) -> None:
        lang = _lang(message, resident)
        here = message.chat.id if _in_group(message) else None
        screen = await admin_ops.ask_unbind_ward(resident, lang, here=here, ward_id=(command.args or "").strip())
        await _reply(bot, message, [screen])

    @router.message(Command("unbind_group"))
    async def on_unbind_group(
        message: Message, command: CommandObject, resident: Resident, admin_ops: AdminOps, bot: Bot
    ) -> None:
        lang = _lang(message, resident)
        args = (command.args or "").split()
        ward, tdp = (args[0], args[1].lstrip("0") or "0") if len(args) == 2 else ("", "")
        here = message.chat.id if _in_group(message) else None
        await _reply(bot, message, await admin_ops.ask_unbind_group(resident, lang, here=here, ward_id=ward, tdp=tdp))

    @router.message(GroupChat(), Command("revoke_staff"))
    async def on_revoke_staff(
        message: Message,
        command: CommandObject,
        resident: Resident,
        residents: ResidentService,
        admin_ops: AdminOps,
        bot: Bot,
    ) -> None:
        target = await _target(message, command, residents) if resident.is_admin else None
        await _reply(bot, message, [await admin_ops.ask_revoke_staff(resident, GROUP_LANG, message.chat.id, target)])

    @router.message(PrivateChat(), Command("revoke_official"))
    async def on_revoke_official(
        message: Message,
        command: CommandObject,
        resident: Resident,
        residents: ResidentService,
        admin_ops: AdminOps,
        bot: Bot,
    ) -> None:
        args = (command.args or "").split()
        ok = resident.is_admin and len(args) == 2 and args[0].isdigit()
        target = await residents.identify(CHANNEL, int(args[0])) if ok else None
        ward = args[1] if len(args) == 2 else ""
        await _reply(bot, message, [await admin_ops.ask_revoke_official(resident, resident.language, target, ward)])

    async def settle(query: CallbackQuery, outcome: Outcome, texts: Texts, bot: Bot) -> None:
        """Answer the press; once done, the question loses its buttons and the result is posted under it."""
        if outcome.text is None:
            await query.answer(texts(GROUP_LANG, "common.button_gone"), show_alert=True)
            await _drop_buttons(query, bot)
            return
        if not outcome.done:  # refused: the buttons stay for the admin
            await query.answer(outcome.text, show_alert=True)
            return
        await query.answer(outcome.text if outcome.brief else None)
        await _drop_buttons(query, bot)
        if query.message is not None and not outcome.brief:
            m = query.message
            thread = m.message_thread_id if isinstance(m, Message) and m.is_topic_message else None
            await send_screens(bot, m.chat.id, [Screen(outcome.text)], thread_id=thread)

    def _query_lang(query: CallbackQuery, resident: Resident) -> str:
        chat = query.message.chat if query.message is not None else None
        return GROUP_LANG if chat is None or chat.type in GROUP_TYPES else resident.language

    @router.callback_query(UnbindCb.filter())
    async def on_unbind(
        query: CallbackQuery, callback_data: UnbindCb, resident: Resident, admin_ops: AdminOps, texts: Texts, bot: Bot
    ) -> None:
        lang = _query_lang(query, resident)
        if callback_data.answer is Answer.NO:
            outcome = admin_ops.keep(resident, lang)
        elif callback_data.what is Unbind.WARD:
            outcome = await admin_ops.unbind_ward(resident, lang, callback_data.chat)
        else:
            outcome = await admin_ops.unbind_group(resident, lang, callback_data.chat)
        await settle(query, outcome, texts, bot)

    @router.callback_query(RevokeCb.filter())
    async def on_revoke(
        query: CallbackQuery, callback_data: RevokeCb, resident: Resident, admin_ops: AdminOps, texts: Texts, bot: Bot
    ) -> None:
        lang = _query_lang(query, resident)
        if callback_data.answer is Answer.NO:
            outcome = admin_ops.keep(resident, lang)
        else:
            outcome = await admin_ops.revoke(resident, lang, callback_data.user, callback_data.role, callback_data.ward)
        await settle(query, outcome, texts, bot)

    @router.callback_query(Unparsed(ADMIN_FACTORIES))
    async def on_forged(query: CallbackQuery, texts: Texts) -> None:
        """A payload with our prefix that does not parse (forged, or a layout we no longer use)."""
        await query.answer(texts(GROUP_LANG, "common.button_gone"), show_alert=True)

    return router
