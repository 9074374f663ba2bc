"""The help desk's shared part: what it needs, how it reaches people, and how a ticket gets to staff.

`DeskBase` holds the services and the helpers every actor's use cases share (rendering a ticket card,
delivering a ticket and its messages to the ward's staff group, telling admins and ward leads). The
use cases live in one class per actor: `ResidentDesk` (helpdesk_resident), `StaffDesk`
(helpdesk_staff), `AdminDesk` (helpdesk_admin), `SlaDesk` (helpdesk_sla); `HelpDesk`
(bot.app.helpdesk) is all of them in one object.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bot.app import helpdesk_buttons as B
from bot.app.learning import Learning
from bot.app.resident_flow import ResidentFlow
from bot.app.residents import Resident, ResidentService
from bot.app.tickets import (
    Incoming,
    Ticket,
    TicketMessage,
    TicketService,
)
from bot.core.clock import Clock
from bot.core.content import Content
from bot.core.i18n import Texts
from bot.core.screens import Button, Screen, rows
from bot.core.working_hours import WorkingHours

STAFF_LANG = "vi"
MEDIA_KINDS = ("photo", "voice", "document", "video", "video_note", "audio")  # passed on to staff as they are
CHANNEL = "telegram"


class Delivery(StrEnum):
    OK = "ok"
    BLOCKED = "blocked"  # the person blocked the bot
    GONE = "gone"  # the bot is no longer in that group
    FAILED = "failed"  # anything else (bad request, network): try again later


@dataclass(frozen=True)
class Delivered:
    status: Delivery
    message_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.status is Delivery.OK


class Sender(Protocol):
    """How the help desk reaches people; never raises for a recipient's state, reports it instead."""

    async def send(
        self, chat_id: int, screen: Screen, *, thread_id: int | None = None, reply_to: int | None = None
    ) -> Delivered: ...

    async def copy(
        self,
        chat_id: int,
        from_chat_id: int,
        message_id: int,
        *,
        caption: str | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
        buttons: tuple[tuple[Button, ...], ...] = (),
    ) -> Delivered: ...

    async def create_topic(self, chat_id: int, name: str) -> Delivered:
        """`message_id` of the result is the new topic's thread id."""
        ...


MAX_DRAFT_PARTS = 10


@dataclass(frozen=True)
class Draft:
    """A question being written: kept in the conversation state until the resident confirms.

    Elderly residents often press Enter mid-sentence or add a photo: messages sent before
    "Gửi cho cán bộ" are kept in `more` and go with the question.
    """

    incoming: Incoming
    guide_id: str | None = None
    step: int | None = None
    more: tuple[Incoming, ...] = ()

    @property
    def parts(self) -> tuple[Incoming, ...]:
        return (self.incoming, *self.more)

    def plus(self, m: Incoming) -> Draft:
        if len(self.parts) >= MAX_DRAFT_PARTS:
            return self
        return dataclasses.replace(self, more=(*self.more, m))


@dataclass(frozen=True)
class StaffAnswer:
    """What to tell the staff member who acted: `text` (None = nothing), as an alert or in the chat."""

    text: str | None
    alert: bool = False


class DeskBase:
    """Services and helpers shared by the help desk's use cases (see the module docstring)."""

    def __init__(
        self,
        *,
        tickets: TicketService,
        residents: ResidentService,
        content: Content,
        texts: Texts,
        clock: Clock,
        admin_ids: Sequence[int],
        flow: ResidentFlow | None = None,
        learning: Learning | None = None,
    ):
        self.tickets = tickets
        self.residents = residents
        self.content = content
        self.t = texts
        self.clock = clock
        self.admin_ids = list(admin_ids)
        self.flow = flow  # ResidentFlow, to render guides that staff send with /guide
        self.learning = learning  # a guide sent with /guide suggests the question as a phrasing for it
        # How to reach a resident who writes from another channel than staff work on (Zalo): filled by bootstrap.
        self.channels: dict[str, Sender] = {}

    def reach(self, resident: Resident, sender: Sender) -> Sender:
        """The sender that reaches `resident`: her own channel's, or the one staff used."""
        return self.channels.get(resident.channel, sender)

    async def deliver(self, ticket: Ticket, sender: Sender, *, tell_admins: bool = True) -> bool:
        """Put a ticket (and any of its messages not yet there) into its ward's staff group."""
        resident = await self.residents.get(ticket.resident_id)
        if resident is None:
            return False
        group = await self.tickets.group_for_ward(ticket.ward_id)
        if group is None or not group.active:
            if not tell_admins:
                return False
            await self._tell_admins(
                self.t(
                    STAFF_LANG,
                    "tickets.queued_admin",
                    number=ticket.number,
                    ward=self._ward_name(STAFF_LANG, ticket.ward_id),
                    ward_id=ticket.ward_id,
                ),
                sender,
            )
            return False
        pending = await self.tickets.undelivered(ticket.id)
        if not ticket.delivered:
            thread = None
            if group.is_forum:
                topic = await sender.create_topic(
                    group.chat_id,
                    self.t(
                        STAFF_LANG,
                        "tickets.topic_name",
                        number=ticket.number,
                        name=resident.display_name,
                        tdp=ticket.neighbourhood or "?",
                    )[:128],
                )
                if topic.status is Delivery.GONE:
                    await self.group_lost(group.chat_id, sender)
                    return False
                thread = topic.message_id if topic.ok else None  # no topic rights: fall back to a plain card
            first = pending[0] if pending and pending[0].kind == "text" else None
            card = await sender.send(group.chat_id, self._card(ticket, resident, first), thread_id=thread)
            if card.status is Delivery.GONE:
                await self.group_lost(group.chat_id, sender)
                return False
            if not card.ok or card.message_id is None:
                return False
            await self.tickets.set_delivered(ticket.id, group.chat_id, thread, card.message_id)
            ticket = dataclasses.replace(
                ticket, staff_chat_id=group.chat_id, thread_id=thread, card_message_id=card.message_id
            )
            if first is not None:
                await self.tickets.set_message_delivered(first.id, group.chat_id, card.message_id)
                pending = pending[1:]
        return await self._deliver_messages(ticket, resident, pending, sender)

    async def _deliver_messages(
        self, ticket: Ticket, resident: Resident, msgs: Sequence[TicketMessage], sender: Sender
    ) -> bool:
        chat = ticket.staff_chat_id
        if chat is None:
            return False
        thread_id, reply_to = ticket.thread_id, None if ticket.thread_id else ticket.card_message_id
        for m in msgs:
            if m.kind == "text" or m.source_message_id is None or m.source_chat_id is None:
                d = await sender.send(
                    chat,
                    Screen(
                        self.t(
                            STAFF_LANG,
                            "tickets.resident_says",
                            name=resident.display_name,
                            number=ticket.number,
                            text=m.text or "…",
                        )
                    ),
                    thread_id=thread_id,
                    reply_to=reply_to,
                )
            else:
                caption = self.t(
                    STAFF_LANG,
                    "tickets.resident_media",
                    name=resident.display_name,
                    number=ticket.number,
                    what=self._what(STAFF_LANG, m.kind),
                )
                if m.text:
                    caption += f": {m.text}"
                if m.kind == "video_note":  # Telegram allows no caption on a round video: say whose it is first
                    await sender.send(chat, Screen(caption), thread_id=thread_id, reply_to=reply_to)
                    d = await sender.copy(
                        chat, m.source_chat_id, m.source_message_id, thread_id=thread_id, reply_to=reply_to
                    )
                else:
                    d = await sender.copy(
                        chat,
                        m.source_chat_id,
                        m.source_message_id,
                        caption=caption[:1024],
                        thread_id=thread_id,
                        reply_to=reply_to,
                    )
            if d.status is Delivery.GONE:
                await self.group_lost(chat, sender)
                return False
            if d.ok and d.message_id is not None:
                await self.tickets.set_message_delivered(m.id, chat, d.message_id)
        return True

    async def deliver_queued(self, sender: Sender, ward_id: str | None = None) -> int:
        n = 0
        for t in await self.tickets.queued(ward_id):
            group = await self.tickets.group_for_ward(t.ward_id)
            if group is not None and group.active and await self.deliver(t, sender):
                n += 1
        return n

    async def group_lost(self, chat_id: int, sender: Sender) -> None:
        """The bot was removed from a staff group: its tickets queue, the admins are told."""
        group = await self.tickets.group(chat_id)
        if group is None or not group.active:
            return
        queued = await self.tickets.deactivate_group(chat_id)
        await self._tell_admins(
            self.t(
                STAFF_LANG,
                "tickets.group_lost_admin",
                chat_id=chat_id,
                n=len(queued),
                ward=self._ward_name(STAFF_LANG, group.ward_id),
                ward_id=group.ward_id,
            ),
            sender,
        )

    async def group_migrated(self, old_chat_id: int, new_chat_id: int, sender: Sender) -> None:
        """A staff group was upgraded to a supergroup: follow it and post its open tickets again."""
        group = await self.tickets.migrate_group(old_chat_id, new_chat_id)
        if group is not None:
            await self.deliver_queued(sender, group.ward_id)

    async def _after_resident_send(self, ticket: Ticket, d: Delivered, sender: Sender) -> StaffAnswer:
        if d.status is Delivery.BLOCKED:
            await self.tickets.mark_resident_blocked(ticket.id)
            resident = await self.residents.get(ticket.resident_id)
            if resident is not None:
                await self.residents.mark_blocked(resident.channel, resident.external_id)
            return StaffAnswer(self.t(STAFF_LANG, "tickets.resident_blocked", number=ticket.number))
        return StaffAnswer(None)

    async def _to_staff(self, t: Ticket, what: str | Screen, sender: Sender) -> None:
        """A line in the ticket's topic (or under its card) in the staff group."""
        if t.staff_chat_id is None:
            return
        screen = what if isinstance(what, Screen) else Screen(what)
        d = await sender.send(
            t.staff_chat_id, screen, thread_id=t.thread_id, reply_to=None if t.thread_id else t.card_message_id
        )
        if d.status is Delivery.GONE:
            await self.group_lost(t.staff_chat_id, sender)
        elif d.ok and d.message_id is not None and not t.thread_id:
            await self.tickets.posted(t.id, t.staff_chat_id, d.message_id, screen.text)

    async def _tell_admins(self, text: str, sender: Sender) -> None:
        for admin in self.admin_ids:
            await sender.send(admin, Screen(text))

    async def _tell_leads(self, ward_id: str, text: str, sender: Sender) -> None:
        """The ward lead: officials of the ward; the admins when the ward has none."""
        for ext in await self.tickets.ward_leads(ward_id) or self.admin_ids:
            await sender.send(ext, Screen(text))

    def _card(self, t: Ticket, resident: Resident, first: TicketMessage | None) -> Screen:
        lang = STAFF_LANG
        guide = self.content.guide(t.guide_id) if t.guide_id else None
        guide_text = (
            self.t(
                lang,
                "tickets.card_guide",
                title=guide.title.get(lang),
                step=self._step_label(lang, guide.id, t.step or 0),
            )
            if guide is not None
            else self.t(lang, "tickets.card_no_guide")
        )
        text = self.t(
            lang,
            "tickets.card",
            number=t.number,
            ward=self._ward_name(lang, t.ward_id),
            tdp=t.neighbourhood or "?",
            name=resident.display_name,
            guide=guide_text,
            when=self._when(lang, t.created_at, WorkingHours.parse()),
        )
        if resident.channel != CHANNEL or self.channels:  # with Zalo running, staff see each ticket's channel
            text += "\n" + self.t(lang, "channels.card_line", channel=self.t(lang, f"channels.name_{resident.channel}"))
        if first is not None:
            text += "\n" + self.t(lang, "tickets.card_question", text=first.text)
        return Screen(
            text,
            rows(  # closing (after a confirmation) on its own row, away from the everyday buttons
                [
                    Button(self.t(lang, "tickets.btn_claim"), B.staff(B.StaffAction.CLAIM, t.id)),
                    Button(self.t(lang, "tickets.btn_move"), B.staff(B.StaffAction.MOVE, t.id)),
                ],
                Button(self.t(lang, "tickets.btn_close_staff"), B.staff(B.StaffAction.CLOSE, t.id)),
            ),
        )

    def _ticket_buttons(self, r: Resident, t: Ticket) -> tuple[tuple[Button, ...], ...]:
        return rows(
            Button(self.t(r.language, "tickets.btn_close"), B.ticket(B.TicketAction.CLOSE, t.id)), self._menu(r)
        )

    def _rate_screen(self, r: Resident, t: Ticket) -> Screen:
        return Screen(
            self.t(r.language, "tickets.rate"),
            rows([Button(f"{n}⭐", B.answer(B.TicketAnswer.RATE, t.id, n)) for n in range(1, 6)], self._menu(r)),
        )

    def _menu(self, r: Resident) -> Button:
        return Button(self.t(r.language, "resident.back_menu"), "menu")

    def _ward_name(self, lang: str, ward_id: str) -> str:
        w = self.content.ward(ward_id)
        return w.name.get(lang) if w else ward_id

    def _step_label(self, lang: str, guide_id: str | None, step: int) -> str:
        g = self.content.guide(guide_id) if guide_id else None
        total = len(g.steps) if g else step + 1
        return self.t(lang, "resident.step_label", n=step + 1, total=total)

    def _hours(self, lang: str, hours: WorkingHours) -> str:
        return hours.describe(self.t(lang, "tickets.day_abbr").split(","))

    def _what(self, lang: str, kind: str) -> str:
        return self.t(lang, f"tickets.what_{kind if kind in MEDIA_KINDS else 'other'}")

    def _when(self, lang: str, at: dt.datetime, hours: WorkingHours) -> str:
        local = hours.local(at)
        today = hours.local(self.clock.now()).date()
        time = local.strftime("%H:%M")
        if local.date() == today:
            return self.t(lang, "tickets.deadline_today", time=time)
        weekday = self.t(lang, "tickets.weekdays").split(",")[local.weekday()]
        return self.t(lang, "tickets.deadline_day", time=time, weekday=weekday, date=local.strftime("%d/%m"))
