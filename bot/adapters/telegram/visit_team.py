"""Home visits on Telegram, the team groups' side: `/bind_team`, the card's buttons, the time choices and
the visit log. Handlers parse, call `VisitService`, render."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message

from bot.adapters.telegram.filters import ChatMigrated, GroupChat
from bot.adapters.telegram.helpdesk_callbacks import Unparsed, not_command
from bot.adapters.telegram.render import send_screens
from bot.adapters.telegram.visit_callbacks import (
    TEAM_FACTORIES,
    LogCb,
    ProposeCb,
    TeamCb,
)
from bot.adapters.telegram.visit_sender import VisitSender
from bot.adapters.telegram.visit_wizard import drop_buttons
from bot.app.residents import Resident
from bot.app.visit_buttons import LogAction, TeamAction, minutes_to_time
from bot.app.visits import Answer, VisitService
from bot.core.i18n import Texts
from bot.core.screens import Screen


class LogNote(StatesGroup):
    note = State()


def make_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(GroupChat())
    router.callback_query.filter(GroupChat())
    router.my_chat_member.filter(GroupChat())

    @router.message(Command("bind_team"))
    async def on_bind(
        message: Message, command: CommandObject, resident: Resident, visits: VisitService, bot: Bot
    ) -> None:
        text = await visits.bind_team(resident, message.chat.id, command.args or "")
        await send_screens(bot, message.chat.id, [Screen(text)], thread_id=_thread(message))
        await visits.post_waiting(resident, message.chat.id, VisitSender(bot))

    @router.message(ChatMigrated())
    async def on_migrated(message: Message, visits: VisitService) -> None:
        await visits.group_migrated(message.migrate_from_chat_id or 0, message.chat.id)
        raise SkipHandler()  # the staff router moves a staff group too

    @router.my_chat_member()
    async def on_membership(event: ChatMemberUpdated, visits: VisitService) -> None:
        if event.new_chat_member.status in ("left", "kicked"):
            await visits.group_lost(event.chat.id)
        raise SkipHandler()  # other features track the same group

    @router.message(LogNote.note, not_command)
    async def on_note(message: Message, resident: Resident, visits: VisitService, state: FSMContext, bot: Bot) -> None:
        data = await state.get_data()
        await state.clear()
        answer = await visits.save_log(
            resident, message.chat.id, int(data["request"]), int(data["bits"]), message.text or "", VisitSender(bot)
        )
        await _render(bot, message.chat.id, answer, None, data.get("form"))

    @router.callback_query(TeamCb.filter())
    async def on_card(
        query: CallbackQuery, callback_data: TeamCb, resident: Resident, visits: VisitService, bot: Bot
    ) -> None:
        chat, number = _chat(query), callback_data.request
        if callback_data.action is TeamAction.TAKE:
            answer = await visits.take(resident, chat, number, VisitSender(bot))
        elif callback_data.action is TeamAction.PROPOSE:
            answer = await visits.propose_choices(resident, chat, number)
        else:
            answer = await visits.done_form(resident, chat, number)
        await _render(bot, chat, answer, query)

    @router.callback_query(ProposeCb.filter())
    async def on_time(
        query: CallbackQuery, callback_data: ProposeCb, resident: Resident, visits: VisitService, bot: Bot
    ) -> None:
        chat, at = _chat(query), minutes_to_time(callback_data.at)
        answer = await visits.propose(resident, chat, callback_data.request, at, VisitSender(bot))
        if not answer.alert:
            await drop_buttons(query, bot)
        await _render(bot, chat, answer, query)

    @router.callback_query(LogCb.filter())
    async def on_log(
        query: CallbackQuery,
        callback_data: LogCb,
        resident: Resident,
        visits: VisitService,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        chat, number, bits = _chat(query), callback_data.request, callback_data.bits
        if callback_data.action is LogAction.TOGGLE:
            answer = await visits.toggle(resident, chat, number, bits)
        elif callback_data.action is LogAction.SAVE:
            answer = await visits.save_log(resident, chat, number, bits, "", VisitSender(bot))
        else:
            answer = await visits.note_prompt(resident, chat, number)
            if not answer.alert:
                form = query.message.message_id if query.message is not None else None
                await state.set_state(LogNote.note)
                await state.update_data(request=number, bits=bits, form=form)
        await _render(bot, chat, answer, query)

    @router.callback_query(Unparsed(TEAM_FACTORIES))
    async def on_forged(query: CallbackQuery, texts: Texts) -> None:
        await query.answer(texts("vi", "common.button_gone"), show_alert=True)

    return router


def _thread(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


def _chat(query: CallbackQuery) -> int:
    return query.message.chat.id if query.message is not None else 0


async def _render(bot: Bot, chat_id: int, answer: Answer, query: CallbackQuery | None, edit_id: object = None) -> None:
    """The toast or alert for the presser, the message to post, the pressed (or noted) message's new look."""
    if query is not None:
        await query.answer(answer.text or None, show_alert=answer.alert)
    sender = VisitSender(bot)
    if answer.screen is not None:
        await sender.send(chat_id, answer.screen, reply_to=answer.reply_to)
    target = query.message.message_id if query is not None and query.message is not None else edit_id
    if answer.edit is not None and isinstance(target, int):
        await sender.edit(chat_id, target, answer.edit)
    elif query is None and answer.text:
        await sender.send(chat_id, Screen(answer.text))
