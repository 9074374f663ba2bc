"""Ward notices on Telegram, the officials' side (private chats): the compose wizard (text with an
optional photo or document → audience → when → preview → confirm), /announcements with edit, cancel
and withdraw, and the second official's approval. Audiences and residents' controls: audience.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from typing import Annotated, Literal

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from pydantic import Field

from bot.adapters.telegram.filters import DataIs, PrivateChat
from bot.adapters.telegram.render import send_screens
from bot.adapters.telegram.sender import TelegramSender
from bot.app.announcements import AnnouncementService, Audience, Draft, NoticeError, Notify, Status
from bot.app.residents import Resident, Role
from bot.core.i18n import Texts
from bot.core.schedule import Repeat, parse_date, parse_local
from bot.core.screens import Button, Screen, rows

TDP_LIST = re.compile(r"^\s*(tổ|to)?\s*\d{1,3}(\s*([,;\s]|và|va|and)\s*(tổ|to)?\s*\d{1,3})*\s*$", re.IGNORECASE)


class NoticeAction(CallbackData, prefix="an"):
    """`an:<verb>:<notice id>`: the buttons of /announcements and of an approval request."""

    verb: Literal["edit", "cancel", "cy", "wd", "wdy", "keep", "appr", "rej"]  # cy / wdy: confirmed
    id: Annotated[int, Field(ge=1, le=2**31 - 1)]  # a forged huge number never reaches the database


class AudienceChoice(CallbackData, prefix="an"):
    """`an:aud:<audience>`: the compose wizard's audience buttons."""

    kind: Literal["aud"]
    audience: Audience


class WardChoice(CallbackData, prefix="an"):
    """`an:w:<ward id>`: the compose wizard's ward buttons (an official of several wards)."""

    kind: Literal["w"]
    ward: str


class WhenChoice(CallbackData, prefix="an"):
    """`an:when:<choice>`: the compose wizard's "when" buttons."""

    kind: Literal["when"]
    choice: Literal["now", "at", "daily", "weekly", "monthly"]


class Compose(StatesGroup):
    text = State()
    ward = State()
    audience = State()
    tdp = State()
    when = State()
    at = State()
    until = State()
    confirm = State()
    edit = State()


async def _say(bot: Bot, chat_id: int, text: str, buttons: tuple[tuple[Button, ...], ...] = ()) -> None:
    await send_screens(bot, chat_id, [Screen(text, buttons)])


def _draft(data: dict[str, object]) -> Draft:
    start = data.get("start")
    until = data.get("until")
    return Draft(
        ward_id=str(data["ward"]),
        text=str(data.get("text") or ""),
        audience=Audience(str(data["audience"])),
        neighbourhoods=tuple(data.get("tdps") or ()),  # type: ignore[arg-type]
        repeat=Repeat(str(data.get("repeat") or "once")),
        start_at=dt.datetime.fromisoformat(str(start)) if start else None,
        until=dt.date.fromisoformat(str(until)) if until else None,
        urgent=bool(data.get("urgent")),
        media_kind=data.get("media_kind"),
        media_file_id=data.get("media_file_id"),
    )  # type: ignore[arg-type]


def make_router() -> Router:
    """The officials' notice tools (a fresh router per Dispatcher)."""
    router = Router(name=__name__)
    private = PrivateChat()

    # --- officials: compose -----------------------------------------------------------------

    @router.message(private, Command("thongbao", "notice", "new_notice"))
    async def on_compose(
        message: Message,
        resident: Resident,
        announcements: AnnouncementService,
        texts: Texts,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        wards = announcements.wards_of(resident)
        if not wards or not any(resident.has_role(Role.OFFICIAL, w) for w in wards):
            await _say(bot, message.chat.id, texts(resident.language, "announcements.compose_not_official"))
            return
        await state.set_state(Compose.text)
        await state.set_data({"wards": wards})
        await _say(bot, message.chat.id, texts(resident.language, "announcements.compose_start"))

    @router.message(private, Command("cancel"), StateFilter(Compose))
    async def on_cancel_draft(message: Message, resident: Resident, texts: Texts, state: FSMContext, bot: Bot) -> None:
        await state.clear()
        await _say(bot, message.chat.id, texts(resident.language, "announcements.draft_discarded"))

    @router.message(private, StateFilter(Compose.text))
    async def on_text(
        message: Message,
        resident: Resident,
        announcements: AnnouncementService,
        texts: Texts,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        lang = resident.language
        media_kind = media_id = None
        if message.photo:
            media_kind, media_id = "photo", message.photo[-1].file_id
        elif message.document:
            media_kind, media_id = "document", message.document.file_id
        text = message.text or message.caption or ""
        if not text.strip() and media_id is None:
            await _say(bot, message.chat.id, texts(lang, "announcements.compose_media_only_photo"))
            return
        await state.update_data(text=text, media_kind=media_kind, media_file_id=media_id)
        wards = (await state.get_data()).get("wards") or []
        if len(wards) == 1:
            await state.update_data(ward=wards[0])
            await _ask_audience(message.chat.id, lang, texts, state, bot)
            return
        await state.set_state(Compose.ward)
        await _say(
            bot,
            message.chat.id,
            texts(lang, "announcements.compose_ward"),
            rows(
                *[Button(w.name.get(lang), f"an:w:{w.id}") for wid in wards if (w := announcements.content.ward(wid))]
            ),
        )

    @router.callback_query(WardChoice.filter(), StateFilter(Compose.ward))
    async def on_ward(
        query: CallbackQuery, callback_data: WardChoice, resident: Resident, texts: Texts, state: FSMContext, bot: Bot
    ) -> None:
        ward = callback_data.ward
        if ward not in ((await state.get_data()).get("wards") or []):  # not one of hers: forged
            await query.answer(texts(resident.language, "common.button_gone"))
            return
        await _done_button(query, bot)
        await state.update_data(ward=ward)
        await _ask_audience(query.from_user.id, resident.language, texts, state, bot)

    @router.callback_query(AudienceChoice.filter(), StateFilter(Compose.audience))
    async def on_audience(
        query: CallbackQuery,
        callback_data: AudienceChoice,
        resident: Resident,
        announcements: AnnouncementService,
        texts: Texts,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        await _done_button(query, bot)
        lang = resident.language
        audience = callback_data.audience
        await state.update_data(audience=audience.value)
        if audience is Audience.NEIGHBOURHOODS:
            data = await state.get_data()
            known = await announcements.known_neighbourhoods(str(data["ward"]))
            hint = texts(lang, "announcements.compose_tdp_known", list=", ".join(known)) if known else ""
            await state.set_state(Compose.tdp)
            await _say(bot, query.from_user.id, texts(lang, "announcements.compose_tdp", known=hint))
            return
        await _ask_when(query.from_user.id, lang, texts, state, bot)

    @router.message(private, StateFilter(Compose.tdp))
    async def on_tdp(message: Message, resident: Resident, texts: Texts, state: FSMContext, bot: Bot) -> None:
        text = message.text or ""
        if not TDP_LIST.match(text):
            await _say(bot, message.chat.id, texts(resident.language, "announcements.compose_tdp_invalid"))
            return
        tdps = list(dict.fromkeys(str(int(n)) for n in re.findall(r"\d{1,3}", text)))
        await state.update_data(tdps=tdps)
        await _ask_when(message.chat.id, resident.language, texts, state, bot)

    @router.callback_query(WhenChoice.filter(), StateFilter(Compose.when))
    async def on_when(
        query: CallbackQuery,
        callback_data: WhenChoice,
        resident: Resident,
        announcements: AnnouncementService,
        texts: Texts,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        await _done_button(query, bot)
        lang = resident.language
        choice = callback_data.choice
        if choice == "now":
            await state.update_data(repeat="once", start=None, until=None)
            await _preview(query.from_user.id, lang, announcements, texts, state, bot)
            return
        await state.update_data(repeat="once" if choice == "at" else Repeat(choice).value)
        await state.set_state(Compose.at)
        key = "announcements.compose_at" if choice == "at" else "announcements.compose_start_at"
        await _say(bot, query.from_user.id, texts(lang, key))

    @router.message(private, StateFilter(Compose.at))
    async def on_at(
        message: Message,
        resident: Resident,
        announcements: AnnouncementService,
        texts: Texts,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        lang = resident.language
        when = parse_local(message.text or "", announcements.clock.now())
        if when is None:
            await _say(bot, message.chat.id, texts(lang, "announcements.bad_time"))
            return
        await state.update_data(start=when.isoformat())
        if (await state.get_data()).get("repeat") == "once":
            await _preview(message.chat.id, lang, announcements, texts, state, bot)
            return
        await state.set_state(Compose.until)
        await _say(bot, message.chat.id, texts(lang, "announcements.compose_until"))

    @router.message(private, StateFilter(Compose.until))
    async def on_until(
        message: Message,
        resident: Resident,
        announcements: AnnouncementService,
        texts: Texts,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        until = parse_date(message.text or "", announcements.clock.now())
        if until is None:
            await _say(bot, message.chat.id, texts(resident.language, "announcements.bad_date"))
            return
        await state.update_data(until=until.isoformat())
        await _preview(message.chat.id, resident.language, announcements, texts, state, bot)

    @router.callback_query(DataIs("an:ok", "an:urg", "an:x", "an:xy", "an:xn"))
    async def on_confirm(
        query: CallbackQuery,
        resident: Resident,
        announcements: AnnouncementService,
        texts: Texts,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        await _done_button(query, bot)
        lang, chat_id = resident.language, query.from_user.id
        if await state.get_state() != Compose.confirm.state:
            await _say(bot, chat_id, texts(lang, "announcements.draft_expired"))
            return
        if query.data == "an:x":  # ask first: the text typed would be lost
            await _say(
                bot,
                chat_id,
                texts(lang, "confirm.discard_draft"),
                rows(
                    Button(texts(lang, "confirm.btn_discard_no"), "an:xn"),
                    Button(texts(lang, "confirm.btn_discard_yes"), "an:xy"),
                ),
            )
            return
        if query.data == "an:xn":
            await _preview(chat_id, lang, announcements, texts, state, bot)
            return
        if query.data == "an:xy":
            await state.clear()
            await _say(bot, chat_id, texts(lang, "announcements.draft_discarded"))
            return
        if query.data == "an:urg":
            await state.update_data(urgent=not (await state.get_data()).get("urgent"))
            await _preview(chat_id, lang, announcements, texts, state, bot)
            return
        try:
            notice = await announcements.create(_draft(await state.get_data()), resident)
        except NoticeError as e:
            await _say(bot, chat_id, texts(lang, f"announcements.err_{e.code}"))
            if e.code in ("in_past", "too_far", "bad_until"):  # the time passed while the draft waited
                await _ask_when(chat_id, lang, texts, state, bot)
            else:
                await state.clear()
            return
        await state.clear()
        if notice.status is Status.PENDING_APPROVAL:
            await _say(bot, chat_id, texts(lang, "announcements.created_pending", id=notice.id))
        else:
            await _say(
                bot,
                chat_id,
                texts(
                    lang, "announcements.created_scheduled", id=notice.id, summary=announcements.summary(notice, lang)
                ),
            )
            if group := await announcements.zalo_group_texts(notice, lang):  # the bot cannot post in Zalo groups
                await _say(bot, chat_id, group[0])
                await _say(bot, chat_id, group[1])

    @router.message(private, StateFilter(Compose.audience, Compose.when, Compose.ward, Compose.confirm))
    async def on_expecting_button(message: Message, resident: Resident, texts: Texts, bot: Bot) -> None:
        await _say(bot, message.chat.id, texts(resident.language, "announcements.use_buttons"))

    # --- officials: list, edit, cancel, withdraw, approve ----------------------------------------

    @router.message(private, Command("announcements"))
    async def on_list(
        message: Message, resident: Resident, announcements: AnnouncementService, texts: Texts, bot: Bot
    ) -> None:
        lang = resident.language
        if not announcements.wards_of(resident):
            await _say(bot, message.chat.id, texts(lang, "announcements.compose_not_official"))
            return
        items = await announcements.list_for(resident)
        if not items:
            await _say(bot, message.chat.id, texts(lang, "announcements.list_empty"))
            return
        screens = [Screen(texts(lang, "announcements.list_title"))]
        screens += [announcements.list_item(n, sent, acked, lang) for n, sent, acked in items]
        await send_screens(bot, message.chat.id, screens)

    @router.callback_query(NoticeAction.filter())
    async def on_manage(
        query: CallbackQuery,
        callback_data: NoticeAction,
        resident: Resident,
        announcements: AnnouncementService,
        texts: Texts,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        lang, chat_id = resident.language, query.from_user.id
        verb, notice_id = callback_data.verb, callback_data.id
        if await announcements.get(notice_id) is None:  # deleted, or never was: the button is gone
            await query.answer(texts(lang, "common.button_gone"))
            return
        try:
            if verb in ("cancel", "wd"):  # ask first: nothing irreversible on the first tap
                ask = announcements.ask_cancel if verb == "cancel" else announcements.ask_withdraw
                screen = await ask(notice_id, resident, lang)
                await query.answer()
                await send_screens(bot, chat_id, [screen])
                return
            if verb in ("cy", "wdy") and not await announcements.still_possible(verb, notice_id, resident):
                await query.answer(texts(lang, "common.button_gone"))  # a stale confirmation
                return
        except NoticeError as e:
            await query.answer()
            await _say(bot, chat_id, texts(lang, f"announcements.err_{e.code}"))
            return
        await _done_button(query, bot)
        try:
            if verb == "keep":
                await _say(bot, chat_id, texts(lang, "confirm.notice_kept", id=notice_id))
            elif verb == "edit":
                notice = await announcements.get(notice_id)
                if notice is None or not resident.has_role(Role.OFFICIAL, notice.ward_id):
                    raise NoticeError("not_allowed")
                await state.set_state(Compose.edit)
                await state.set_data({"edit": notice_id})
                await _say(bot, chat_id, texts(lang, "announcements.ask_edit_text", id=notice_id))
            elif verb == "cy":
                await announcements.cancel(notice_id, resident)
                await _say(bot, chat_id, texts(lang, "announcements.cancelled", id=notice_id))
            elif verb == "wdy":
                n = await announcements.withdraw(notice_id, resident)
                await _say(bot, chat_id, texts(lang, "announcements.withdrawn", id=notice_id, n=n))
            elif verb == "appr":
                await announcements.approve(notice_id, resident)
                await _say(bot, chat_id, texts(lang, "announcements.approved_ok", id=notice_id))
            else:
                await announcements.reject(notice_id, resident)
                await _say(bot, chat_id, texts(lang, "announcements.rejected_ok", id=notice_id))
        except NoticeError as e:
            await _say(bot, chat_id, texts(lang, f"announcements.err_{e.code}"))

    @router.message(private, StateFilter(Compose.edit))
    async def on_edit_text(
        message: Message,
        resident: Resident,
        announcements: AnnouncementService,
        texts: Texts,
        state: FSMContext,
        bot: Bot,
    ) -> None:
        notice_id = int((await state.get_data()).get("edit") or 0)
        await state.clear()
        try:
            await announcements.edit_text(notice_id, resident, message.text or message.caption or "")
        except NoticeError as e:
            await _say(bot, message.chat.id, texts(resident.language, f"announcements.err_{e.code}"))
            return
        await _say(bot, message.chat.id, texts(resident.language, "announcements.edited", id=notice_id))

    @router.callback_query(DataIs(prefix="an:"))
    async def on_invalid_button(query: CallbackQuery, texts: Texts, resident: Resident | None = None) -> None:
        """A forged, stale or foreign notice button: a short answer, never an exception."""
        await query.answer(texts(resident.language if resident else "vi", "common.button_gone"))

    return router


def notifier(bot: Bot) -> Notify:
    """How the notice service reaches officials (approvals, missed firings, reports)."""

    async def notify(chat_id: int, screen: Screen) -> None:
        await send_screens(bot, chat_id, [screen])

    return notify


async def _done_button(query: CallbackQuery, bot: Bot) -> None:
    """Answer the press and take the buttons off the pressed message, so it cannot be pressed twice."""
    await query.answer()
    if query.message is not None:
        with contextlib.suppress(TelegramBadRequest):
            await bot.edit_message_reply_markup(
                chat_id=query.message.chat.id, message_id=query.message.message_id, reply_markup=None
            )


async def _ask_audience(chat_id: int, lang: str, texts: Texts, state: FSMContext, bot: Bot) -> None:
    await state.set_state(Compose.audience)
    await _say(
        bot,
        chat_id,
        texts(lang, "announcements.compose_audience"),
        rows(*[Button(texts(lang, f"announcements.audience_{a.value}"), f"an:aud:{a.value}") for a in Audience]),
    )


async def _ask_when(chat_id: int, lang: str, texts: Texts, state: FSMContext, bot: Bot) -> None:
    await state.set_state(Compose.when)
    await _say(
        bot,
        chat_id,
        texts(lang, "announcements.compose_when"),
        rows(
            [
                Button(texts(lang, "announcements.btn_now"), "an:when:now"),
                Button(texts(lang, "announcements.btn_at"), "an:when:at"),
            ],
            [Button(texts(lang, f"announcements.btn_{r}"), f"an:when:{r}") for r in ("daily", "weekly", "monthly")],
        ),
    )


async def _preview(
    chat_id: int, lang: str, announcements: AnnouncementService, texts: Texts, state: FSMContext, bot: Bot
) -> None:
    data = await state.get_data()
    try:
        outgoing, summary = announcements.preview(_draft(data))
    except NoticeError as e:
        await _say(bot, chat_id, texts(lang, f"announcements.err_{e.code}"))
        if e.code in ("in_past", "too_far", "bad_until"):
            await _ask_when(chat_id, lang, texts, state, bot)
        else:
            await state.set_state(Compose.text)
            await _say(bot, chat_id, texts(lang, "announcements.compose_start"))
        return
    await state.set_state(Compose.confirm)
    await _say(bot, chat_id, texts(lang, "announcements.preview_intro"))
    await TelegramSender(bot).send(chat_id, outgoing)
    urgent_key = "announcements.btn_urgent_off" if data.get("urgent") else "announcements.btn_urgent_on"
    await _say(
        bot,
        chat_id,
        texts(lang, "announcements.confirm_prompt", summary=summary) + "\n" + texts(lang, "announcements.quiet_note"),
        rows(
            Button(texts(lang, "announcements.btn_confirm"), "an:ok"),
            Button(texts(lang, urgent_key), "an:urg"),
            Button(texts(lang, "announcements.btn_discard"), "an:x"),
        ),
    )
