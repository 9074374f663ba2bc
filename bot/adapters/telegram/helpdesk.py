"""Resident side of the help desk (private chats): "Hỏi cán bộ phường", drafts, /mytickets, closing, rating.

Comes before the resident router: it owns the `ask` and `hd:` buttons, and while a resident has an
open ticket their plain messages go to it instead of the matcher (commands and guide buttons still work).
The service (`helpdesk`) and the sender (`desk_sender`) come from the dispatcher (see `bot.bootstrap`).
"""

from __future__ import annotations

import contextlib
from typing import Any

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.adapters.telegram.desk_sender import DeskSender
from bot.adapters.telegram.filters import DataIs, PrivateChat
from bot.adapters.telegram.helpdesk_callbacks import (
    RESIDENT_FACTORIES,
    AnswerCb,
    AskCb,
    DraftCb,
    TicketCb,
    Unparsed,
    command,
    incoming,
    not_command,
)
from bot.adapters.telegram.render import send_screens
from bot.app.helpdesk import Draft, HelpDesk
from bot.app.helpdesk_buttons import ASK, DraftAction, TicketAction, TicketAnswer
from bot.app.resident_flow import ResidentFlow
from bot.app.residents import Resident
from bot.app.tickets import Incoming, Ticket
from bot.core.i18n import Texts
from bot.core.stop_words import is_stop_word


class Asking(StatesGroup):
    question = State()
    confirm = State()


def _draft(data: dict[str, Any]) -> Draft | None:
    d = data.get("draft")
    if not d:
        return None
    return Draft(Incoming(**d), data.get("guide"), data.get("step"), tuple(Incoming(**m) for m in data.get("more", [])))


def _plain(m: Incoming) -> dict[str, Any]:
    """A message as FSM data (plain JSON for Redis)."""
    return {"kind": m.kind, "text": m.text, "chat_id": m.chat_id, "message_id": m.message_id}


def _stored(draft: Draft) -> dict[str, Any]:
    return {"draft": _plain(draft.incoming), "more": [_plain(m) for m in draft.more]}


async def _continuing(message: Message, resident: Resident, helpdesk: HelpDesk) -> bool | dict[str, Any]:
    """Filter: the resident's open (or just closed, reopenable) ticket, passed on as `ticket`.

    One indexed query, and none for a resident known to have no such ticket (`NoTicketCache`).
    """
    if not resident.onboarded or is_stop_word(message.text):  # DỪNG / STOP belongs to announcements
        return False
    ticket = await helpdesk.ticket_to_continue(resident)
    return {"ticket": ticket} if ticket is not None else False


async def _drop_buttons(query: CallbackQuery, bot: Bot) -> None:
    if query.message is not None:
        with contextlib.suppress(TelegramBadRequest):
            await bot.edit_message_reply_markup(
                chat_id=query.message.chat.id, message_id=query.message.message_id, reply_markup=None
            )


def make_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PrivateChat())
    router.callback_query.filter(PrivateChat())

    async def ask(
        query: CallbackQuery,
        resident: Resident,
        helpdesk: HelpDesk,
        state: FSMContext,
        bot: Bot,
        guide: str | None,
        step: int | None,
    ) -> None:
        await query.answer()
        screens, wait = await helpdesk.ask(resident, guide, step, DeskSender(bot))
        await state.clear()
        if wait:
            await state.set_state(Asking.question)
            await state.update_data(guide=guide, step=step)
        await _drop_buttons(query, bot)
        await send_screens(bot, query.from_user.id, screens)

    @router.callback_query(DataIs(ASK))
    async def on_ask(query: CallbackQuery, resident: Resident, helpdesk: HelpDesk, state: FSMContext, bot: Bot) -> None:
        await ask(query, resident, helpdesk, state, bot, None, None)

    @router.callback_query(AskCb.filter())
    async def on_ask_from_step(
        query: CallbackQuery, callback_data: AskCb, resident: Resident, helpdesk: HelpDesk, state: FSMContext, bot: Bot
    ) -> None:
        await ask(query, resident, helpdesk, state, bot, callback_data.guide or None, callback_data.step)

    @router.callback_query(DraftCb.filter(F.action == DraftAction.CANCEL))
    async def on_cancel(
        query: CallbackQuery, resident: Resident, helpdesk: HelpDesk, state: FSMContext, bot: Bot
    ) -> None:
        await query.answer()
        await state.clear()
        await _drop_buttons(query, bot)
        await send_screens(bot, query.from_user.id, helpdesk.cancelled(resident))

    @router.callback_query(DraftCb.filter(F.action == DraftAction.REWRITE), StateFilter(Asking))
    async def on_rewrite(
        query: CallbackQuery, resident: Resident, helpdesk: HelpDesk, state: FSMContext, bot: Bot
    ) -> None:
        await query.answer()
        await state.set_state(Asking.question)
        await _drop_buttons(query, bot)
        await send_screens(bot, query.from_user.id, helpdesk.rewrite(resident))

    @router.callback_query(DraftCb.filter(F.action == DraftAction.SEND), StateFilter(Asking.confirm))
    async def on_send(
        query: CallbackQuery, resident: Resident, helpdesk: HelpDesk, state: FSMContext, bot: Bot
    ) -> None:
        await query.answer()
        draft = _draft(await state.get_data())
        await state.clear()
        await _drop_buttons(query, bot)
        if draft is None:  # nothing to send (state lost): ask again
            await state.set_state(Asking.question)
            await send_screens(bot, query.from_user.id, helpdesk.rewrite(resident))
            return
        await send_screens(bot, query.from_user.id, await helpdesk.submit(resident, draft, DeskSender(bot)))

    @router.callback_query(DraftCb.filter(F.action == DraftAction.SEND))
    async def on_send_again(query: CallbackQuery, resident: Resident, helpdesk: HelpDesk) -> None:
        """A second press on "Gửi cho cán bộ" (the first already sent it): acknowledged, nothing more."""
        if not await helpdesk.already_sent(resident):
            raise SkipHandler()  # a really old button: the resident router says so
        await query.answer()

    @router.callback_query(TicketCb.filter())
    async def on_ticket_button(
        query: CallbackQuery,
        callback_data: TicketCb,
        resident: Resident,
        helpdesk: HelpDesk,
        state: FSMContext,
        texts: Texts,
        bot: Bot,
    ) -> None:
        number = callback_data.ticket
        if callback_data.action is TicketAction.SEND_MORE:
            kept = (await state.get_data()).get("more") or {}
            more = None
            if kept.pop("ticket", None) == number:
                more = await helpdesk.send_more(resident, Incoming(**kept), DeskSender(bot))
            if more is None:
                await query.answer(texts(resident.language, "common.button_gone"))
                return
            await query.answer()
            await state.update_data(more=None)
            await _drop_buttons(query, bot)
            await send_screens(bot, query.from_user.id, more)
            return
        if callback_data.action is TicketAction.CLOSE_YES and await helpdesk.close_is_stale(resident, number):
            await query.answer(texts(resident.language, "common.button_gone"))
            return
        await query.answer()
        if callback_data.action is TicketAction.CLOSE:
            screens = await helpdesk.resident_close_confirm(resident, number)
        elif callback_data.action is TicketAction.CLOSE_YES:
            screens = await helpdesk.resident_close(resident, number, DeskSender(bot))
        else:
            screens = await helpdesk.resident_keep_open(resident, number)
        await _drop_buttons(query, bot)
        await send_screens(bot, query.from_user.id, screens)

    @router.callback_query(AnswerCb.filter())
    async def on_answer_button(
        query: CallbackQuery, callback_data: AnswerCb, resident: Resident, helpdesk: HelpDesk, bot: Bot
    ) -> None:
        await query.answer()
        number, value = callback_data.ticket, callback_data.value
        if callback_data.action is TicketAnswer.SOLVED:
            screens = await helpdesk.resident_resolve(resident, number, value == 1, DeskSender(bot))
        else:
            screens = await helpdesk.resident_rate(resident, number, value, DeskSender(bot))
        await _drop_buttons(query, bot)
        await send_screens(bot, query.from_user.id, screens)

    @router.callback_query(Unparsed(RESIDENT_FACTORIES))
    async def on_forged(query: CallbackQuery, resident: Resident, texts: Texts) -> None:
        """A payload of ours that does not parse (forged, or a layout we no longer use)."""
        await query.answer(texts(resident.language, "common.button_gone"))

    @router.callback_query(StateFilter(Asking))
    async def on_other_button(query: CallbackQuery, state: FSMContext) -> None:
        await state.clear()  # the resident went elsewhere: stop waiting for a question
        raise SkipHandler()

    @router.message(Command("mytickets"))
    async def on_mytickets(
        message: Message, resident: Resident, helpdesk: HelpDesk, state: FSMContext, bot: Bot
    ) -> None:
        await state.clear()
        await send_screens(bot, message.chat.id, await helpdesk.my_tickets(resident))

    @router.message(StateFilter(Asking), command)
    async def on_command_while_asking(message: Message, state: FSMContext) -> None:
        await state.clear()
        raise SkipHandler()  # the state filters below still see the old state, hence `not_command` there

    @router.message(StateFilter(Asking), not_command)
    async def on_question(
        message: Message, resident: Resident, helpdesk: HelpDesk, state: FSMContext, bot: Bot
    ) -> None:
        m = incoming(message)
        if m.kind == "other" or (m.kind == "text" and not m.text.strip()):
            await send_screens(bot, message.chat.id, helpdesk.rewrite(resident))
            return
        data = await state.get_data()
        written = _draft(data) if await state.get_state() == Asking.confirm.state else None
        draft = written.plus(m) if written is not None else Draft(m, data.get("guide"), data.get("step"))
        screens, draft = helpdesk.confirm(resident, draft)
        await state.update_data(**_stored(draft))
        await state.set_state(Asking.confirm)
        await send_screens(bot, message.chat.id, screens)

    @router.message(not_command, _continuing)
    async def on_ticket_message(
        message: Message,
        resident: Resident,
        helpdesk: HelpDesk,
        flow: ResidentFlow,
        ticket: Ticket,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        m = incoming(message)
        if m.kind == "other":  # a sticker: nothing for staff to read
            if not ticket.is_open:
                raise SkipHandler()
            await send_screens(bot, message.chat.id, helpdesk.not_relayed(resident, ticket))
            return
        if m.kind == "text" and (guide := await flow.guide_for(resident, m.text, besides=ticket.guide_id)):
            await state.update_data(more={**_plain(m), "ticket": ticket.id})  # for "Gửi thêm cho cán bộ"
            await send_screens(bot, message.chat.id, helpdesk.guide_while_open(resident, ticket, guide))
            return
        await send_screens(bot, message.chat.id, await helpdesk.resident_message(resident, ticket, m, DeskSender(bot)))

    return router
