"""Home visits on Telegram, the resident's side (private chats): the request wizard, `/hen`, her answers
to a proposed time and the rating. Handlers parse, call `VisitService`, render."""

from __future__ import annotations

import contextlib

from aiogram import Bot, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.adapters.telegram.filters import PrivateChat
from bot.adapters.telegram.helpdesk_callbacks import Unparsed, command, not_command
from bot.adapters.telegram.render import send_screens
from bot.adapters.telegram.visit_callbacks import (
    RESIDENT_FACTORIES,
    KindCb,
    MyToCb,
    PartCb,
    RequestCb,
    SendCb,
    StartCb,
    TimeCb,
)
from bot.adapters.telegram.visit_sender import VisitSender
from bot.app.residents import Resident
from bot.app.visit_buttons import RequestAction
from bot.app.visits import VisitDraft, VisitService
from bot.core import visits as core
from bot.core.i18n import Texts
from bot.core.screens import Screen


class Form(StatesGroup):
    to = State()
    description = State()
    part = State()
    kind = State()
    phone = State()
    confirm = State()


class Edit(StatesGroup):
    description = State()
    phone = State()
    part = State()
    kind = State()


async def _pressed(query: CallbackQuery, bot: Bot) -> None:
    await query.answer()
    await drop_buttons(query, bot)


async def drop_buttons(query: CallbackQuery, bot: Bot) -> None:
    """The pressed message keeps its text; its buttons go, so a wizard step cannot be pressed twice."""
    if query.message is not None:
        with contextlib.suppress(TelegramBadRequest):
            await bot.edit_message_reply_markup(
                chat_id=query.message.chat.id, message_id=query.message.message_id, reply_markup=None
            )


def _draft(data: dict[str, object]) -> VisitDraft:
    return VisitDraft(
        to=str(data["to"]) if data.get("to") else None,
        description=str(data.get("description") or ""),
        day_part=core.DayPart(str(data["part"])) if data.get("part") else None,
        day_kind=core.DayKind(str(data["kind"])) if data.get("kind") else None,
        phone=str(data["phone"]) if data.get("phone") else None,
    )


def make_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PrivateChat())
    router.callback_query.filter(PrivateChat())
    in_wizard = StateFilter(Form, Edit)

    async def say(bot: Bot, chat_id: int, *screens: Screen) -> None:
        await send_screens(bot, chat_id, list(screens))

    @router.callback_query(StartCb.filter())
    async def on_start(
        query: CallbackQuery, resident: Resident, visits: VisitService, state: FSMContext, bot: Bot
    ) -> None:
        await query.answer()
        await drop_buttons(query, bot)
        await state.clear()
        if visits.can_request(resident):
            await state.set_state(Form.to)
        await say(bot, query.from_user.id, visits.start(resident))

    @router.message(Command("hen"))
    async def on_hen(message: Message, resident: Resident, visits: VisitService, state: FSMContext, bot: Bot) -> None:
        await state.clear()
        await say(bot, message.chat.id, *await visits.mine(resident))

    @router.message(in_wizard, command)
    async def on_command_in_wizard(message: Message, state: FSMContext) -> None:
        await state.clear()  # /menu, /start … leave the wizard; the resident router answers them
        raise SkipHandler()

    @router.message(Form.to)
    async def on_to(message: Message, resident: Resident, visits: VisitService, state: FSMContext, bot: Bot) -> None:
        to = core.parse_to(message.text or "")
        if to is None:
            await say(bot, message.chat.id, visits.bad(resident, "to"))
            return
        await state.update_data(to=to)
        await state.set_state(Form.description)
        await say(bot, message.chat.id, visits.ask_description(resident))

    @router.message(StateFilter(Form.description, Edit.description))
    async def on_description(
        message: Message, resident: Resident, visits: VisitService, state: FSMContext, bot: Bot
    ) -> None:
        text = visits.clean_description(message.text or message.caption or "")
        if text is None:
            await say(bot, message.chat.id, visits.bad(resident, "description"))
            return
        if await state.get_state() == Edit.description.state:
            await _apply_edit(message.chat.id, resident, visits, state, bot, VisitDraft(description=text))
            return
        await state.update_data(description=text)
        await state.set_state(Form.part)
        await say(bot, message.chat.id, visits.ask_part(resident))

    @router.message(StateFilter(Form.phone, Edit.phone))
    async def on_phone(message: Message, resident: Resident, visits: VisitService, state: FSMContext, bot: Bot) -> None:
        phone = core.normalize_phone(message.text or "")
        if phone is None:
            await say(bot, message.chat.id, visits.bad(resident, "phone"))
            return
        if await state.get_state() == Edit.phone.state:
            await _apply_edit(message.chat.id, resident, visits, state, bot, VisitDraft(phone=phone))
            return
        await state.update_data(phone=phone)
        await state.set_state(Form.confirm)
        await say(bot, message.chat.id, visits.summary(resident, _draft(await state.get_data())))

    @router.message(StateFilter(Form.part, Form.kind, Form.confirm, Edit.part, Edit.kind), not_command)
    async def on_text_for_buttons(
        message: Message, resident: Resident, visits: VisitService, state: FSMContext, bot: Bot
    ) -> None:
        """Typed instead of pressing: the same question again, with its buttons."""
        current = await state.get_state()
        if current in (Form.part.state, Edit.part.state):
            screen = visits.ask_part(resident)
        elif current in (Form.kind.state, Edit.kind.state):
            screen = visits.ask_kind(resident)
        else:
            screen = visits.summary(resident, _draft(await state.get_data()))
        await say(bot, message.chat.id, screen)

    @router.callback_query(Form.to, MyToCb.filter())
    async def on_my_to(
        query: CallbackQuery,
        callback_data: MyToCb,
        resident: Resident,
        visits: VisitService,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        await _pressed(query, bot)
        await state.update_data(to=callback_data.to)
        await state.set_state(Form.description)
        await say(bot, query.from_user.id, visits.ask_description(resident))

    @router.callback_query(StateFilter(Form.part, Edit.part), PartCb.filter())
    async def on_part(
        query: CallbackQuery,
        callback_data: PartCb,
        resident: Resident,
        visits: VisitService,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        await _pressed(query, bot)
        editing = await state.get_state() == Edit.part.state
        await state.update_data(part=callback_data.part.value)
        await state.set_state(Edit.kind if editing else Form.kind)
        await say(bot, query.from_user.id, visits.ask_kind(resident))

    @router.callback_query(Form.kind, KindCb.filter())
    async def on_kind(
        query: CallbackQuery,
        callback_data: KindCb,
        resident: Resident,
        visits: VisitService,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        await _pressed(query, bot)
        await state.update_data(kind=callback_data.kind.value)
        await state.set_state(Form.phone)
        await say(bot, query.from_user.id, visits.ask_phone(resident))

    @router.callback_query(Edit.kind, KindCb.filter())
    async def on_edit_kind(
        query: CallbackQuery,
        callback_data: KindCb,
        resident: Resident,
        visits: VisitService,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        await _pressed(query, bot)
        change = VisitDraft(day_part=_draft(await state.get_data()).day_part, day_kind=callback_data.kind)
        await _apply_edit(query.from_user.id, resident, visits, state, bot, change)

    @router.callback_query(Form.confirm, SendCb.filter())
    async def on_send(
        query: CallbackQuery,
        callback_data: SendCb,
        resident: Resident,
        visits: VisitService,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        await _pressed(query, bot)
        draft = _draft(await state.get_data())
        await state.clear()
        screen = (
            await visits.submit(resident, draft, VisitSender(bot)) if callback_data.yes else visits.dropped(resident)
        )
        await say(bot, query.from_user.id, screen)

    @router.callback_query(MyToCb.filter())
    @router.callback_query(PartCb.filter())
    @router.callback_query(KindCb.filter())
    @router.callback_query(SendCb.filter())
    async def on_wizard_button_out_of_turn(query: CallbackQuery, resident: Resident, texts: Texts) -> None:
        """A question's button after the wizard moved on (or was left): it does nothing."""
        await query.answer(texts(resident.language, "common.button_gone"), show_alert=True)

    @router.callback_query(RequestCb.filter())
    async def on_request(
        query: CallbackQuery,
        callback_data: RequestCb,
        resident: Resident,
        visits: VisitService,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        A, number, sender = RequestAction, callback_data.request, VisitSender(bot)
        action = callback_data.action
        await query.answer()
        await drop_buttons(query, bot)
        chat = query.from_user.id
        if action in (A.EDIT_TIME, A.EDIT_DESCRIPTION, A.EDIT_PHONE):
            if not await visits.can_edit(resident, number):
                await say(bot, chat, visits.gone(resident))
                return
            await state.clear()
            await state.update_data(request=number)
            step = {A.EDIT_TIME: Edit.part, A.EDIT_DESCRIPTION: Edit.description, A.EDIT_PHONE: Edit.phone}[action]
            await state.set_state(step)
            ask = {
                A.EDIT_TIME: visits.ask_part,
                A.EDIT_DESCRIPTION: visits.ask_description,
                A.EDIT_PHONE: visits.ask_phone,
            }
            await say(bot, chat, ask[action](resident))
            return
        screen = await {
            A.CANCEL: lambda: visits.cancel_ask(resident, number),
            A.CANCEL_YES: lambda: visits.cancel(resident, number, sender),
            A.CANCEL_NO: lambda: visits.kept(resident),
            A.RATE: lambda: visits.rate(resident, number, callback_data.value),
        }[action]()
        await say(bot, chat, screen)

    @router.callback_query(TimeCb.filter())
    async def on_time_answer(
        query: CallbackQuery, callback_data: TimeCb, resident: Resident, visits: VisitService, bot: Bot
    ) -> None:
        await query.answer()
        await drop_buttons(query, bot)
        cb = callback_data
        await say(
            bot,
            query.from_user.id,
            await visits.answer_time(resident, cb.request, bool(cb.ok), cb.at, VisitSender(bot)),
        )

    @router.callback_query(Unparsed(RESIDENT_FACTORIES))
    async def on_forged(query: CallbackQuery, resident: Resident, texts: Texts) -> None:
        await query.answer(texts(resident.language, "common.button_gone"), show_alert=True)

    @router.callback_query(in_wizard)
    async def on_other_button_in_wizard(query: CallbackQuery, state: FSMContext) -> None:
        """Another button (the menu, a guide) leaves the wizard: her next words are not its answer."""
        await state.clear()
        raise SkipHandler()

    return router


async def _apply_edit(
    chat_id: int, resident: Resident, visits: VisitService, state: FSMContext, bot: Bot, change: VisitDraft
) -> None:
    number = int(str((await state.get_data()).get("request", 0)))
    await state.clear()
    await send_screens(bot, chat_id, [await visits.edit(resident, number, change, VisitSender(bot))])
