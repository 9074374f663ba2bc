"""Consultations on Telegram (private chats only): the officials' wizard (/lay_y_kien: question →
options → audience → closing time → may answers change → results shown → summary, "Không" first),
/ket_qua for live counts, and the residents' side: /start vote_<id> and the vote buttons."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from typing import Annotated, Literal

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from pydantic import Field

from bot.adapters.telegram.filters import DataIs, PrivateChat
from bot.adapters.telegram.official import TDP_LIST
from bot.adapters.telegram.render import send_screens
from bot.app.consultations import (
    QUESTION_LIMIT,
    ConsultationService,
    ConsultDraft,
    ConsultError,
    Scope,
    neighbourhood_list,
    options_from_lines,
    vote_id,
)
from bot.app.residents import Resident, Role
from bot.core.i18n import Texts
from bot.core.schedule import parse_local
from bot.core.screens import Button, Screen, rows

Id = Annotated[int, Field(ge=1, le=2**31 - 1)]  # a forged huge number never reaches the database


class VoteCb(CallbackData, prefix="cs"):
    """`cs:v:<consultation>:<option>`: a resident's answer (the option is checked by the use case)."""

    kind: Literal["v"]
    id: Id
    option: Annotated[int, Field(ge=0, le=99)]


class ResultsCb(CallbackData, prefix="cs"):
    """`cs:r:<consultation>`: the official's "latest results" button."""

    kind: Literal["r"]
    id: Id


class StepCb(CallbackData, prefix="cs"):
    """`cs:s:<choice>`: the wizard's buttons."""

    kind: Literal["s"]
    choice: Literal["yn", "custom", "ward", "tdp", "chg1", "chg0", "show1", "show0", "ok", "no"]


class WardCb(CallbackData, prefix="cs"):
    kind: Literal["w"]
    ward: str


class Wizard(StatesGroup):
    question = State()
    ward = State()
    kind = State()
    options = State()
    audience = State()
    tdp = State()
    closes = State()
    change = State()
    show = State()
    confirm = State()


async def _say(bot: Bot, chat_id: int, text: str, buttons: tuple[tuple[Button, ...], ...] = ()) -> None:
    await send_screens(bot, chat_id, [Screen(text, buttons)])


def _draft(data: dict[str, object]) -> ConsultDraft:
    return ConsultDraft(
        ward_id=str(data.get("ward") or ""),
        question=str(data.get("question") or ""),
        options=tuple(str(o) for o in data.get("options") or ()),  # type: ignore[attr-defined]
        scope=Scope(str(data.get("scope") or "ward")),
        neighbourhoods=tuple(str(n) for n in data.get("tdps") or ()),  # type: ignore[attr-defined]
        closes_at=dt.datetime.fromisoformat(str(data["closes"])),
        allow_change=bool(data.get("change")),
        show_results=bool(data.get("show")),
    )


def _yes_no(texts: Texts, lang: str, yes: str, no: str) -> tuple[tuple[Button, ...], ...]:
    return rows(
        [Button(texts(lang, "consult.btn_yes"), f"cs:s:{yes}"), Button(texts(lang, "consult.btn_no"), f"cs:s:{no}")]
    )


async def _done(query: CallbackQuery, bot: Bot, answer: str | None = None) -> None:
    """Answer the press and take the buttons off the pressed message, so it cannot be pressed twice."""
    await query.answer(answer)
    if query.message is not None:
        with contextlib.suppress(TelegramBadRequest):
            await bot.edit_message_reply_markup(
                chat_id=query.message.chat.id, message_id=query.message.message_id, reply_markup=None
            )


async def _not_a_command(message: Message) -> bool:
    """A command typed half-way (/menu, /help) goes to its own handler; the draft waits."""
    return not (message.text or "").startswith("/")


def make_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(PrivateChat())
    router.callback_query.filter(PrivateChat())

    # --- residents ------------------------------------------------------------------------------

    @router.message(CommandStart(deep_link=True, magic=F.args.startswith("vote_")))
    async def on_vote_link(
        message: Message, command: CommandObject, resident: Resident, consultations: ConsultationService, bot: Bot
    ) -> None:
        await send_screens(bot, message.chat.id, [await consultations.open_vote(resident, vote_id(command.args) or 0)])

    @router.callback_query(VoteCb.filter())
    async def on_vote(
        query: CallbackQuery, callback_data: VoteCb, resident: Resident, consultations: ConsultationService, bot: Bot
    ) -> None:
        voted = await consultations.vote(resident, callback_data.id, callback_data.option)
        if voted.stale:
            await query.answer(voted.screen.text)
            return
        await _done(query, bot)
        await send_screens(bot, query.from_user.id, [voted.screen])

    # --- officials: results ----------------------------------------------------------------------

    @router.message(Command("ket_qua", "results"))
    async def on_results(
        message: Message,
        command: CommandObject,
        resident: Resident,
        consultations: ConsultationService,
        texts: Texts,
        bot: Bot,
    ) -> None:
        lang = resident.language
        if not consultations.wards_of(resident):
            await _say(bot, message.chat.id, texts(lang, "consult.not_official"))
            return
        arg = (command.args or "").strip().lstrip("#")
        if not arg:
            items = await consultations.list_for(resident)
            await send_screens(bot, message.chat.id, [consultations.listing(items, lang, consultations.clock.now())])
            return
        if not arg.isdigit() or len(arg) > 9:
            await _say(bot, message.chat.id, texts(lang, "consult.usage_results"))
            return
        await _live(message.chat.id, resident, int(arg), consultations, texts, bot)

    @router.callback_query(ResultsCb.filter())
    async def on_refresh(
        query: CallbackQuery,
        callback_data: ResultsCb,
        resident: Resident,
        consultations: ConsultationService,
        texts: Texts,
        bot: Bot,
    ) -> None:
        await _done(query, bot)
        await _live(query.from_user.id, resident, callback_data.id, consultations, texts, bot)

    # --- officials: the wizard -------------------------------------------------------------------

    @router.message(Command("lay_y_kien", "consult"))
    async def on_new(
        message: Message,
        resident: Resident,
        consultations: ConsultationService,
        texts: Texts,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        wards = [w for w in consultations.wards_of(resident) if resident.has_role(Role.OFFICIAL, w)]
        if not wards:
            await _say(bot, message.chat.id, texts(resident.language, "consult.not_official"))
            return
        await state.set_state(Wizard.question)
        await state.set_data({"wards": wards})
        await _say(bot, message.chat.id, texts(resident.language, "consult.start"))

    @router.message(Command("cancel"), StateFilter(Wizard))
    async def on_cancel(message: Message, resident: Resident, texts: Texts, state: FSMContext, bot: Bot) -> None:
        await state.clear()
        await _say(bot, message.chat.id, texts(resident.language, "consult.discarded"))

    @router.message(StateFilter(Wizard.question), _not_a_command)
    async def on_question(
        message: Message,
        resident: Resident,
        consultations: ConsultationService,
        texts: Texts,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        lang, question = resident.language, (message.text or "").strip()
        if not question or len(question) > QUESTION_LIMIT:
            err = "question_too_long" if question else "empty_question"
            await _say(bot, message.chat.id, texts(lang, f"consult.err_{err}"))
            return
        await state.update_data(question=question)
        wards = list((await state.get_data()).get("wards") or [])
        if len(wards) == 1:
            await state.update_data(ward=wards[0])
            await _ask_kind(message.chat.id, lang, texts, state, bot)
            return
        await state.set_state(Wizard.ward)
        buttons = [Button(w.name.get(lang), f"cs:w:{w.id}") for wid in wards if (w := consultations.content.ward(wid))]
        await _say(bot, message.chat.id, texts(lang, "consult.ask_ward"), rows(*buttons))

    @router.callback_query(WardCb.filter(), StateFilter(Wizard.ward))
    async def on_ward(
        query: CallbackQuery, callback_data: WardCb, resident: Resident, texts: Texts, state: FSMContext, bot: Bot
    ) -> None:
        if callback_data.ward not in ((await state.get_data()).get("wards") or []):
            await query.answer(texts(resident.language, "common.button_gone"))
            return
        await _done(query, bot)
        await state.update_data(ward=callback_data.ward)
        await _ask_kind(query.from_user.id, resident.language, texts, state, bot)

    @router.callback_query(StepCb.filter(F.choice.in_({"yn", "custom"})), StateFilter(Wizard.kind))
    async def on_kind(
        query: CallbackQuery, callback_data: StepCb, resident: Resident, texts: Texts, state: FSMContext, bot: Bot
    ) -> None:
        await _done(query, bot)
        lang = resident.language
        if callback_data.choice == "yn":
            await state.update_data(options=[texts("vi", "consult.btn_yes"), texts("vi", "consult.btn_no")])
            await _ask_audience(query.from_user.id, lang, texts, state, bot)
            return
        await state.set_state(Wizard.options)
        await _say(bot, query.from_user.id, texts(lang, "consult.ask_options"))

    @router.message(StateFilter(Wizard.options), _not_a_command)
    async def on_options(message: Message, resident: Resident, texts: Texts, state: FSMContext, bot: Bot) -> None:
        lang, options = resident.language, options_from_lines(message.text or "")
        try:
            ConsultationService.check_options(options)
        except ConsultError as e:
            await _say(bot, message.chat.id, texts(lang, f"consult.err_{e.code}"))
            return
        await state.update_data(options=list(options))
        await _ask_audience(message.chat.id, lang, texts, state, bot)

    @router.callback_query(StepCb.filter(F.choice.in_({"ward", "tdp"})), StateFilter(Wizard.audience))
    async def on_audience(
        query: CallbackQuery, callback_data: StepCb, resident: Resident, texts: Texts, state: FSMContext, bot: Bot
    ) -> None:
        await _done(query, bot)
        lang = resident.language
        if callback_data.choice == "tdp":
            await state.update_data(scope="tdp")
            await state.set_state(Wizard.tdp)
            await _say(bot, query.from_user.id, texts(lang, "consult.ask_tdp"))
            return
        await state.update_data(scope="ward", tdps=[])
        await state.set_state(Wizard.closes)
        await _say(bot, query.from_user.id, texts(lang, "consult.ask_closes"))

    @router.message(StateFilter(Wizard.tdp), _not_a_command)
    async def on_tdp(message: Message, resident: Resident, texts: Texts, state: FSMContext, bot: Bot) -> None:
        text = message.text or ""
        if not TDP_LIST.match(text):
            await _say(bot, message.chat.id, texts(resident.language, "consult.bad_tdp"))
            return
        await state.update_data(tdps=list(neighbourhood_list(re.findall(r"\d{1,3}", text))))
        await state.set_state(Wizard.closes)
        await _say(bot, message.chat.id, texts(resident.language, "consult.ask_closes"))

    @router.message(StateFilter(Wizard.closes), _not_a_command)
    async def on_closes(
        message: Message,
        resident: Resident,
        consultations: ConsultationService,
        texts: Texts,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        lang = resident.language
        when = parse_local(message.text or "", consultations.clock.now())
        if when is None:
            await _say(bot, message.chat.id, texts(lang, "consult.bad_time"))
            return
        try:
            consultations.check_closes(when)
        except ConsultError as e:
            await _say(
                bot, message.chat.id, texts(lang, f"consult.err_{e.code}") + "\n" + texts(lang, "consult.ask_closes")
            )
            return
        await state.update_data(closes=when.isoformat())
        await state.set_state(Wizard.change)
        await _say(bot, message.chat.id, texts(lang, "consult.ask_change"), _yes_no(texts, lang, "chg1", "chg0"))

    @router.callback_query(StepCb.filter(F.choice.in_({"chg1", "chg0"})), StateFilter(Wizard.change))
    async def on_change(
        query: CallbackQuery, callback_data: StepCb, resident: Resident, texts: Texts, state: FSMContext, bot: Bot
    ) -> None:
        await _done(query, bot)
        lang = resident.language
        await state.update_data(change=callback_data.choice == "chg1")
        await state.set_state(Wizard.show)
        await _say(bot, query.from_user.id, texts(lang, "consult.ask_show"), _yes_no(texts, lang, "show1", "show0"))

    @router.callback_query(StepCb.filter(F.choice.in_({"show1", "show0"})), StateFilter(Wizard.show))
    async def on_show(
        query: CallbackQuery,
        callback_data: StepCb,
        resident: Resident,
        consultations: ConsultationService,
        texts: Texts,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        await _done(query, bot)
        lang = resident.language
        await state.update_data(show=callback_data.choice == "show1")
        draft = _draft(await state.get_data())
        await state.set_state(Wizard.confirm)
        await _say(
            bot,
            query.from_user.id,
            consultations.summary(draft, lang) + "\n\n" + texts(lang, "consult.confirm"),
            rows(
                Button(texts(lang, "consult.btn_confirm_no"), "cs:s:no"),
                Button(texts(lang, "consult.btn_confirm_yes"), "cs:s:ok"),
            ),
        )

    @router.callback_query(StepCb.filter(F.choice.in_({"ok", "no"})))
    async def on_confirm(
        query: CallbackQuery,
        callback_data: StepCb,
        resident: Resident,
        consultations: ConsultationService,
        texts: Texts,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        await _done(query, bot)
        lang, chat_id = resident.language, query.from_user.id
        if await state.get_state() != Wizard.confirm.state:
            await _say(bot, chat_id, texts(lang, "consult.expired"))
            return
        data = await state.get_data()
        await state.clear()
        if callback_data.choice == "no":
            await _say(bot, chat_id, texts(lang, "consult.discarded"))
            return
        try:
            created = await consultations.create(_draft(data), resident)
        except ConsultError as e:
            await _say(bot, chat_id, texts(lang, f"consult.err_{e.code}"))
            return
        c = created.consultation
        key = "consult.created_pending" if created.notice_pending else "consult.created"
        await _say(
            bot,
            chat_id,
            texts(lang, key, id=c.id, notice=c.notice_id, link=consultations.link(c.id)),
            rows(Button(texts(lang, "consult.btn_refresh"), f"cs:r:{c.id}")),
        )

    @router.message(StateFilter(Wizard.kind, Wizard.ward, Wizard.audience, Wizard.change, Wizard.show, Wizard.confirm))
    async def on_expecting_button(message: Message, resident: Resident, texts: Texts, bot: Bot) -> None:
        await _say(bot, message.chat.id, texts(resident.language, "consult.use_buttons"))

    @router.callback_query(DataIs(prefix="cs:"))
    async def on_invalid_button(query: CallbackQuery, texts: Texts, resident: Resident | None = None) -> None:
        """A forged, stale or out-of-step consultation button: a short answer, never an exception."""
        await query.answer(texts(resident.language if resident else "vi", "common.button_gone"))

    return router


async def _ask_kind(chat_id: int, lang: str, texts: Texts, state: FSMContext, bot: Bot) -> None:
    await state.set_state(Wizard.kind)
    await _say(
        bot,
        chat_id,
        texts(lang, "consult.ask_kind"),
        rows(
            Button(texts(lang, "consult.btn_yes_no"), "cs:s:yn"),
            Button(texts(lang, "consult.btn_custom"), "cs:s:custom"),
        ),
    )


async def _ask_audience(chat_id: int, lang: str, texts: Texts, state: FSMContext, bot: Bot) -> None:
    await state.set_state(Wizard.audience)
    await _say(
        bot,
        chat_id,
        texts(lang, "consult.ask_audience"),
        rows(
            Button(texts(lang, "consult.btn_aud_ward"), "cs:s:ward"),
            Button(texts(lang, "consult.btn_aud_tdp"), "cs:s:tdp"),
        ),
    )


async def _live(
    chat_id: int, who: Resident, consultation_id: int, consultations: ConsultationService, texts: Texts, bot: Bot
) -> None:
    try:
        screen = await consultations.live(who, consultation_id, who.language)
    except ConsultError as e:
        await _say(bot, chat_id, texts(who.language, f"consult.err_{e.code}"))
        return
    await send_screens(bot, chat_id, [screen])
