"""Resident side of the help desk (private chats): "Hỏi cán bộ phường", drafts, /mytickets, closing, rating.

Comes before the resident router: it owns the `ask` and `hd:` buttons, and while a resident has an
open ticket their plain messages go to it instead of the matcher (commands and guide buttons still work).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.adapters.telegram.desk_sender import DeskSender
from bot.adapters.telegram.render import send_screens
from bot.app.helpdesk import Draft, HelpDesk
from bot.app.residents import Resident
from bot.app.tickets import Incoming
from bot.core.stop_words import is_stop_word

log = logging.getLogger(__name__)


class Asking(StatesGroup):
    question = State()
    confirm = State()


def incoming(message: Message) -> Incoming:
    kind = (
        "text"
        if message.text is not None
        else "photo"
        if message.photo
        else "voice"
        if message.voice
        else "document"
        if message.document
        else "video"
        if message.video
        else "video_note"
        if message.video_note
        else "audio"
        if message.audio
        else "other"
    )
    return Incoming(
        kind=kind,
        text=(message.text or message.caption or "")[:3000],
        chat_id=message.chat.id,
        message_id=message.message_id,
    )


def _draft(data: dict[str, Any]) -> Draft | None:
    d = data.get("draft")
    if not d:
        return None
    return Draft(Incoming(**d), data.get("guide"), data.get("step"), tuple(Incoming(**m) for m in data.get("more", [])))


def _stored(draft: Draft) -> dict[str, Any]:
    """The draft as FSM data (plain JSON for Redis)."""

    def plain(m: Incoming) -> dict[str, Any]:
        return {"kind": m.kind, "text": m.text, "chat_id": m.chat_id, "message_id": m.message_id}

    return {"draft": plain(draft.incoming), "more": [plain(m) for m in draft.more]}


def _command(message: Message) -> bool:
    return (message.text or "").startswith("/")


def _not_command(message: Message) -> bool:
    return not _command(message)


async def _continuing(message: Message, resident: Resident, helpdesk: HelpDesk) -> bool | dict[str, Any]:
    """Filter: the resident's open (or just closed, reopenable) ticket, passed on as `ticket`."""
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
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")

    @router.callback_query(F.data.regexp(r"^ask(:|$)"))
    async def on_ask(query: CallbackQuery, resident: Resident, helpdesk: HelpDesk, state: FSMContext, bot: Bot) -> None:
        await query.answer()
        _, guide, step = ((query.data or "") + "::").split(":")[:3]
        step_n = int(step) if step.isdigit() else None
        screens, wait = await helpdesk.ask(resident, guide or None, step_n, DeskSender(bot))
        await state.clear()
        if wait:
            await state.set_state(Asking.question)
            await state.update_data(guide=guide or None, step=step_n)
        await _drop_buttons(query, bot)
        await send_screens(bot, query.from_user.id, screens)

    @router.callback_query(F.data == "hd:cancel")
    async def on_cancel(
        query: CallbackQuery, resident: Resident, helpdesk: HelpDesk, state: FSMContext, bot: Bot
    ) -> None:
        await query.answer()
        await state.clear()
        await _drop_buttons(query, bot)
        await send_screens(bot, query.from_user.id, helpdesk.cancelled(resident))

    @router.callback_query(F.data == "hd:rewrite", StateFilter(Asking))
    async def on_rewrite(
        query: CallbackQuery, resident: Resident, helpdesk: HelpDesk, state: FSMContext, bot: Bot
    ) -> None:
        await query.answer()
        await state.set_state(Asking.question)
        await _drop_buttons(query, bot)
        await send_screens(bot, query.from_user.id, helpdesk.rewrite(resident))

    @router.callback_query(F.data == "hd:send", Asking.confirm)
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

    @router.callback_query(F.data == "hd:send")
    async def on_send_again(query: CallbackQuery, resident: Resident, helpdesk: HelpDesk) -> None:
        """A second press on "Gửi cho cán bộ" (the first already sent it): acknowledged, nothing more."""
        if not await helpdesk.already_sent(resident):
            raise SkipHandler()  # a really old button: the resident router says so
        await query.answer()

    @router.callback_query(F.data.regexp(r"^hd:(close|ok|rate):\d+(:\d)?$"))
    async def on_ticket_button(query: CallbackQuery, resident: Resident, helpdesk: HelpDesk, bot: Bot) -> None:
        await query.answer()
        _, verb, number, *arg = (query.data or "").split(":")
        sender = DeskSender(bot)
        if verb == "close":
            screens = await helpdesk.resident_close(resident, int(number), sender)
        elif verb == "ok":
            screens = await helpdesk.resident_resolve(resident, int(number), arg == ["1"], sender)
        else:
            screens = await helpdesk.resident_rate(resident, int(number), int(arg[0]), sender)
        await _drop_buttons(query, bot)
        await send_screens(bot, query.from_user.id, screens)

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

    @router.message(StateFilter(Asking), _command)
    async def on_command_while_asking(message: Message, state: FSMContext) -> None:
        await state.clear()
        raise SkipHandler()  # the state filters below still see the old state, hence `_not_command` there

    @router.message(StateFilter(Asking), _not_command)
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

    @router.message(_not_command, _continuing)
    async def on_ticket_message(
        message: Message, resident: Resident, helpdesk: HelpDesk, ticket: Any, bot: Bot
    ) -> None:
        m = incoming(message)
        if m.kind == "other":  # a sticker: nothing for staff to read
            if not ticket.is_open:
                raise SkipHandler()
            await send_screens(bot, message.chat.id, helpdesk.not_relayed(resident, ticket))
            return
        await send_screens(bot, message.chat.id, await helpdesk.resident_message(resident, ticket, m, DeskSender(bot)))

    return router


# --- wiring -------------------------------------------------------------------------------

SLA_INTERVAL_SECONDS = 60.0


class SlaLoop:
    """Runs HelpDesk.sla_tick every minute while the bot runs (tests call sla_tick directly)."""

    def __init__(self, helpdesk: HelpDesk, interval: float = SLA_INTERVAL_SECONDS):
        self.helpdesk, self.interval = helpdesk, interval
        self.task: asyncio.Task[None] | None = None

    async def start(self, bot: Bot) -> None:
        self.task = asyncio.create_task(self._run(bot), name="helpdesk-sla")

    async def _run(self, bot: Bot) -> None:
        sender = DeskSender(bot)
        while True:
            try:
                await self.helpdesk.sla_tick(sender)
            except Exception:  # a failed tick must not stop the next one
                log.exception("help desk SLA tick failed")
            await asyncio.sleep(self.interval)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None


def install(app: Any) -> None:
    """Adds the help desk to an App: the service (as `helpdesk`), both routers and the SLA loop."""
    from bot.adapters.telegram import staff
    from bot.app.tickets import TicketService

    desk = HelpDesk(
        tickets=TicketService(app.db, app.clock),
        residents=app.residents,
        content=app.content,
        texts=app.texts,
        clock=app.clock,
        admin_ids=app.settings.admin_ids,
        flow=app.flow,
    )
    loop = SlaLoop(desk)
    app.extra["helpdesk"] = desk
    app.extra.setdefault("routers", []).extend([make_router, staff.make_router])
    app.extra.setdefault("on_startup", []).append(loop.start)
    app.extra.setdefault("on_shutdown", []).append(loop.stop)
    from bot.adapters.localchat import helpdesk_demo  # `bot chat`: :demo and :tick steps

    app.extra.setdefault("localchat_demo", []).append(helpdesk_demo.demo)
    app.extra.setdefault("localchat_tick", []).append(helpdesk_demo.tick)
