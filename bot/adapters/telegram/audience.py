"""Who receives ward notices, on Telegram: groups bound by an admin (/bind_group) and followed through
upgrades and removals, officials made by an admin (/grant_official), the ward's approval rule
(/approval), and residents' controls: /subscribe, /unsubscribe, DỪNG / STOP, the "Đã hiểu" button.

Included before every other feature router, so DỪNG works at any point, even in the middle of a guide.
"""

from __future__ import annotations

from typing import Literal

from aiogram import Bot, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message
from pydantic import Field

from bot.adapters.telegram.filters import ChatMigrated, GroupChat, PrivateChat, TextMatches
from bot.adapters.telegram.middlewares import CHANNEL
from bot.adapters.telegram.official import _say
from bot.adapters.telegram.render import send_screens
from bot.app.announcements import AnnouncementService, NoticeError
from bot.app.residents import Resident, ResidentService, Role
from bot.core.i18n import Texts
from bot.core.screens import Button, Screen, rows
from bot.core.stop_words import is_maybe_stop, is_stop_word


class NoticeAck(CallbackData, prefix="an"):
    """`an:ack:<outbox id>`: "Đã hiểu" under a notice in private (0 in the author's preview)."""

    kind: Literal["ack"]
    outbox_id: int = Field(ge=0)


def make_router() -> Router:
    """Notice audiences and residents' notice controls (a fresh router per Dispatcher)."""
    router = Router(name=__name__)
    private = PrivateChat()

    # --- residents: subscribe, stop at any point, acknowledge ------------------------------

    @router.message(private, TextMatches(is_stop_word))
    @router.message(private, Command("unsubscribe"))
    async def on_stop(message: Message, resident: Resident, residents: ResidentService, texts: Texts, bot: Bot) -> None:
        await residents.update(resident.id, subscribed=False)
        await _say(bot, message.chat.id, texts(resident.language, "announcements.unsubscribed"))

    @router.message(private, TextMatches(is_maybe_stop))
    async def on_maybe_stop(message: Message, resident: Resident, texts: Texts, bot: Bot) -> None:
        """A bare "dung" may be "đúng" (yes): ask before turning notices off."""
        if not resident.subscribed:
            raise SkipHandler()
        lang = resident.language
        await send_screens(
            bot,
            message.chat.id,
            [
                Screen(
                    texts(lang, "announcements.stop_confirm"),
                    rows(
                        Button(texts(lang, "announcements.stop_confirm_yes"), "sub:0"),
                        Button(texts(lang, "announcements.stop_confirm_no"), "menu"),
                    ),
                )
            ],
        )

    @router.message(private, Command("subscribe"))
    async def on_subscribe(
        message: Message, resident: Resident, residents: ResidentService, texts: Texts, bot: Bot
    ) -> None:
        if resident.ward_id is None:
            await _say(bot, message.chat.id, texts(resident.language, "announcements.subscribe_need_ward"))
            return
        await residents.update(resident.id, subscribed=True)
        await _say(bot, message.chat.id, texts(resident.language, "announcements.subscribed"))

    @router.callback_query(NoticeAck.filter())
    async def on_ack(
        query: CallbackQuery,
        callback_data: NoticeAck,
        resident: Resident,
        announcements: AnnouncementService,
        texts: Texts,
    ) -> None:
        outbox_id = callback_data.outbox_id
        if outbox_id == 0:
            await query.answer(texts(resident.language, "announcements.ack_preview"))
            return
        await announcements.ack(outbox_id, query.from_user.id)
        await query.answer(texts(resident.language, "announcements.ack_thanks"))

    # --- admins: bind a group, make an official, require approval ----------------------------

    @router.message(ChatMigrated())
    async def on_group_migrated(message: Message, announcements: AnnouncementService) -> None:
        """Telegram posts this in the new supergroup; the binding follows before the next notice fails."""
        await announcements.group_migrated(message.migrate_from_chat_id or 0, message.chat.id)
        raise SkipHandler()  # the help desk tracks the same groups

    @router.my_chat_member(GroupChat())
    async def on_membership(event: ChatMemberUpdated, announcements: AnnouncementService) -> None:
        if event.new_chat_member.status in ("left", "kicked"):
            await announcements.group_removed(event.chat.id)
        raise SkipHandler()

    @router.message(Command("bind_group"))
    async def on_bind(
        message: Message,
        command: CommandObject,
        resident: Resident,
        announcements: AnnouncementService,
        texts: Texts,
        bot: Bot,
    ) -> None:
        lang = resident.language
        if message.chat.type not in ("group", "supergroup"):
            await _say(bot, message.chat.id, texts(lang, "announcements.bind_group_only"))
            return
        args = (command.args or "").split()
        if len(args) != 2:
            await _say(bot, message.chat.id, texts(lang, "announcements.bind_usage"))
            return
        ward_id, tdp = args[0], str(int(args[1])) if args[1].isdigit() else args[1]
        try:
            await announcements.bind_group(resident, message.chat.id, ward_id, tdp, message.chat.title or "")
        except NoticeError as e:
            await _say(bot, message.chat.id, texts(lang, f"announcements.err_{e.code}"))
            return
        ward = announcements.content.ward(ward_id)
        await _say(
            bot,
            message.chat.id,
            texts(lang, "announcements.bound", ward=ward.name.get(lang) if ward else ward_id, tdp=tdp),
        )

    @router.message(private, Command("grant_official"))
    async def on_grant(
        message: Message,
        command: CommandObject,
        resident: Resident,
        residents: ResidentService,
        announcements: AnnouncementService,
        texts: Texts,
        bot: Bot,
    ) -> None:
        lang = resident.language
        args = (command.args or "").split()
        if not resident.is_admin:
            await _say(bot, message.chat.id, texts(lang, "announcements.err_not_allowed"))
            return
        if len(args) != 2 or not args[0].isdigit() or announcements.content.ward(args[1]) is None:
            await _say(bot, message.chat.id, texts(lang, "announcements.grant_usage"))
            return
        user = await residents.identify(CHANNEL, int(args[0]))
        await residents.grant(user.id, Role.OFFICIAL, args[1], resident.id)
        await _say(bot, message.chat.id, texts(lang, "announcements.granted", user=args[0], ward=args[1]))

    @router.message(private, Command("approval"))
    async def on_approval(
        message: Message,
        command: CommandObject,
        resident: Resident,
        announcements: AnnouncementService,
        texts: Texts,
        bot: Bot,
    ) -> None:
        lang = resident.language
        args = (command.args or "").split()
        if len(args) != 2 or args[1] not in ("on", "off"):
            await _say(bot, message.chat.id, texts(lang, "announcements.approval_usage"))
            return
        try:
            await announcements.set_require_approval(resident, args[0], args[1] == "on")
        except NoticeError as e:
            await _say(bot, message.chat.id, texts(lang, f"announcements.err_{e.code}"))
            return
        await _say(
            bot,
            message.chat.id,
            texts(
                lang, "announcements.approval_set", ward=args[0], state=texts(lang, f"announcements.approval_{args[1]}")
            ),
        )

    return router
