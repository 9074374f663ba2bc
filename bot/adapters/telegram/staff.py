"""Staff router (ward staff groups): binding a group to a ward, roles, relaying answers, ticket buttons.

Staff answer in the ticket's forum topic, or by replying to a ticket message in a group without
topics. Who may do what is decided by the domain (staff of the ticket's ward; admins everywhere).
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message

from bot.adapters.telegram.desk_sender import DeskSender
from bot.adapters.telegram.filters import ChatMigrated, GroupChat
from bot.adapters.telegram.helpdesk import _drop_buttons
from bot.adapters.telegram.helpdesk_callbacks import (
    STAFF_FACTORIES,
    MoveToCb,
    StaffCb,
    Unparsed,
    command,
    incoming,
    not_command,
)
from bot.adapters.telegram.middlewares import CHANNEL
from bot.adapters.telegram.render import send_screens
from bot.app.helpdesk import HelpDesk, StaffAnswer
from bot.app.helpdesk_buttons import StaffAction
from bot.app.residents import Resident, ResidentService
from bot.app.tickets import Ticket, can_act
from bot.core.i18n import Texts
from bot.core.screens import Screen
from bot.core.working_hours import HoursSpecError

STAFF_LANG = "vi"


def _thread(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


async def _ticket_here(message: Message, helpdesk: HelpDesk) -> Ticket | None:
    reply = message.reply_to_message.message_id if message.reply_to_message else None
    return await helpdesk.ticket_for(message.chat.id, _thread(message), reply)


async def _say(bot: Bot, message: Message, text: str | None) -> None:
    if text:
        await send_screens(bot, message.chat.id, [Screen(text)], thread_id=_thread(message))


async def _target(message: Message, command: CommandObject, residents: ResidentService) -> Resident | None:
    """The member a role command is about: the author of the replied-to message, or a user id."""
    reply = message.reply_to_message
    if (
        reply is not None
        and reply.from_user is not None
        and not reply.from_user.is_bot
        and reply.message_id != message.message_thread_id
    ):
        return await residents.identify(CHANNEL, reply.from_user.id, reply.from_user.full_name)
    arg = (command.args or "").strip()
    if arg.lstrip("-").isdigit():
        return await residents.identify(CHANNEL, int(arg))
    return None


def make_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(GroupChat())
    router.callback_query.filter(GroupChat())

    @router.message(Command("help"))
    async def on_help(message: Message, resident: Resident, texts: Texts, bot: Bot) -> None:
        """Staff and admins get the group commands; anyone else's /help in a group stays quiet (the group
        is the neighbours' chat: residents get help in a private chat with the bot)."""
        if resident.is_admin:
            await _say(bot, message, texts("vi", "tickets.group_help") + "\n" + texts("vi", "tickets.group_help_admin"))
        elif resident.roles:
            await _say(bot, message, texts("vi", "tickets.group_help"))

    @router.message(Command("bind_ward"))
    async def on_bind(
        message: Message, command: CommandObject, resident: Resident, helpdesk: HelpDesk, bot: Bot
    ) -> None:
        ward = (command.args or "").strip()
        text = await helpdesk.bind(resident, message.chat.id, ward, bool(message.chat.is_forum), DeskSender(bot))
        await _say(bot, message, text)
        if resident.is_admin:
            await helpdesk.deliver_queued(DeskSender(bot), ward)

    @router.message(Command("grant_staff"))  # /revoke_staff asks first: bot.adapters.telegram.admin
    async def on_grant(
        message: Message,
        command: CommandObject,
        resident: Resident,
        residents: ResidentService,
        helpdesk: HelpDesk,
        texts: Texts,
        bot: Bot,
    ) -> None:
        if not resident.is_admin:
            await _say(bot, message, texts("vi", "tickets.admin_only"))
            return
        target = await _target(message, command, residents)
        if target is None:
            await _say(bot, message, texts("vi", "tickets.grant_usage"))
            return
        await _say(bot, message, await helpdesk.grant(resident, message.chat.id, target, grant=True))

    @router.message(Command("sla"))
    async def on_sla(
        message: Message, command: CommandObject, resident: Resident, helpdesk: HelpDesk, texts: Texts, bot: Bot
    ) -> None:
        parts = (command.args or "").split()
        if len(parts) != 2 or not all(p.isdigit() and int(p) > 0 for p in parts):
            await _say(bot, message, texts("vi", "tickets.sla_usage"))
            return
        await _say(
            bot,
            message,
            await helpdesk.configure(
                resident, message.chat.id, unassigned_minutes=int(parts[0]), unanswered_hours=int(parts[1])
            ),
        )

    @router.message(Command("hours"))
    async def on_hours(
        message: Message, command: CommandObject, resident: Resident, helpdesk: HelpDesk, texts: Texts, bot: Bot
    ) -> None:
        try:
            text = await helpdesk.configure(resident, message.chat.id, hours_spec=(command.args or "").strip() or "?")
        except HoursSpecError:
            text = texts("vi", "tickets.hours_usage")
        await _say(bot, message, text)

    @router.message(Command("note", "guide"))
    async def on_ticket_command(
        message: Message, command: CommandObject, resident: Resident, helpdesk: HelpDesk, texts: Texts, bot: Bot
    ) -> None:
        ticket = await _ticket_here(message, helpdesk)
        if ticket is None:
            ward = await helpdesk.staff_group_ward(message.chat.id)
            allowed = ward is not None and can_act(resident, ward)
            await _say(bot, message, texts("vi", "tickets.no_ticket_here" if allowed else "tickets.not_allowed_cmd"))
            return
        if command.command == "note":
            answer = await helpdesk.note(resident, ticket, command.args or "")
        else:
            answer = await helpdesk.send_guide(resident, ticket, command.args or "", DeskSender(bot))
        await _say(bot, message, answer.text)

    @router.message(ChatMigrated())
    async def on_migrated(message: Message, helpdesk: HelpDesk, bot: Bot) -> None:
        """The group became a supergroup with a new id (Telegram posts this in the new chat)."""
        await helpdesk.group_migrated(message.migrate_from_chat_id or 0, message.chat.id, DeskSender(bot))

    @router.message(command)
    async def on_unknown_command(message: Message, resident: Resident, helpdesk: HelpDesk, bot: Bot) -> None:
        """A mistyped command in a ticket's topic (e.g. /gude): a hint, or staff think it went out."""
        ticket = await _ticket_here(message, helpdesk)
        if ticket is None or not can_act(resident, ticket.ward_id):
            raise SkipHandler()  # not about a ticket: other group features may own the command
        await _say(bot, message, helpdesk.unknown_command())

    @router.message(not_command)
    async def on_staff_message(message: Message, resident: Resident, helpdesk: HelpDesk, bot: Bot) -> None:
        ticket = await _ticket_here(message, helpdesk)
        if ticket is None:
            raise SkipHandler()  # not about a ticket: other group features (announcements) may want it
        answer = await helpdesk.staff_reply(resident, ticket, incoming(message), DeskSender(bot))
        await _say(bot, message, answer.text)

    @router.callback_query(StaffCb.filter())
    async def on_ticket_button(
        query: CallbackQuery, callback_data: StaffCb, resident: Resident, helpdesk: HelpDesk, bot: Bot
    ) -> None:
        number, action = callback_data.ticket, callback_data.action
        sender = DeskSender(bot)
        if action is StaffAction.CLAIM:
            answer = await helpdesk.claim(resident, number, sender)
        elif action in (StaffAction.CLOSE_YES, StaffAction.CLOSE_NO):
            if action is StaffAction.CLOSE_YES:
                answer = await helpdesk.staff_close(resident, number, sender)
            else:
                answer = await helpdesk.staff_keep_open(resident, number)
            if not answer.alert:  # done: the confirmation cannot be pressed twice
                await _drop_buttons(query, bot)
        else:
            choice = await (
                helpdesk.staff_close_confirm(resident, number)
                if action is StaffAction.CLOSE
                else helpdesk.move_choices(resident, number)
            )
            if isinstance(choice, StaffAnswer):
                answer = choice
            else:
                ticket, screen = choice
                await query.answer()
                if query.message is not None:
                    await sender.send(query.message.chat.id, screen, thread_id=ticket.thread_id)
                return
        await query.answer(answer.text or None, show_alert=answer.alert)

    @router.callback_query(MoveToCb.filter())
    async def on_move(
        query: CallbackQuery, callback_data: MoveToCb, resident: Resident, helpdesk: HelpDesk, bot: Bot
    ) -> None:
        answer = await helpdesk.move(resident, callback_data.ticket, callback_data.ward, DeskSender(bot))
        await query.answer(answer.text or None, show_alert=answer.alert)

    @router.callback_query(Unparsed(STAFF_FACTORIES))
    async def on_forged(query: CallbackQuery, texts: Texts) -> None:
        """A payload of ours that does not parse (forged, or a layout we no longer use)."""
        await query.answer(texts(STAFF_LANG, "common.button_gone"), show_alert=True)

    @router.my_chat_member(GroupChat())
    async def on_membership(event: ChatMemberUpdated, helpdesk: HelpDesk, bot: Bot) -> None:
        if event.new_chat_member.status in ("left", "kicked"):
            await helpdesk.group_lost(event.chat.id, DeskSender(bot))
        raise SkipHandler()  # other features may track the same group

    return router
