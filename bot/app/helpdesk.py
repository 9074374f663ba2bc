"""The help desk: carries questions from residents to their ward's staff group and answers back.

Channel-independent. Rules and records live in `TicketService`; this module decides what each
side sees and sends it through a `Sender` (the Telegram one is `bot.adapters.telegram.sender`).
Resident-facing methods return the Screens to show; staff-facing ones return a short reply text.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bot.app import helpdesk_buttons as B
from bot.app.resident_flow import ResidentFlow
from bot.app.residents import Resident, ResidentService, Role
from bot.app.tickets import (
    DEFAULT_UNANSWERED_HOURS,
    AlreadyAssigned,
    Incoming,
    NotAllowed,
    SlaKind,
    Ticket,
    TicketClosed,
    TicketError,
    TicketMessage,
    TicketNotFound,
    TicketService,
    can_act,
)
from bot.core.clock import Clock
from bot.core.content import Content, Guide
from bot.core.i18n import Texts
from bot.core.matching import Outcome
from bot.core.normalize import strip_diacritics
from bot.core.privacy import mask
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


class HelpDesk:
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
    ):
        self.tickets = tickets
        self.residents = residents
        self.content = content
        self.t = texts
        self.clock = clock
        self.admin_ids = list(admin_ids)
        self.flow = flow  # ResidentFlow, to render guides that staff send with /guide

    # --- resident: asking ---------------------------------------------------------------

    async def ask(
        self, r: Resident, guide_id: str | None = None, step: int | None = None, sender: Sender | None = None
    ) -> tuple[list[Screen], bool]:
        """The resident pressed "Hỏi cán bộ phường". Returns the screens and whether to wait for the question."""
        lang = r.language
        open_ticket = await self.tickets.open_for_resident(r.id)
        if open_ticket is not None:
            guide = self.content.guide(guide_id) if guide_id else None
            if guide is not None and step is not None and sender is not None:  # stuck on a step: staff should know
                await self._to_staff(
                    open_ticket,
                    self.t(
                        STAFF_LANG,
                        "tickets.stuck_staff",
                        number=open_ticket.number,
                        title=guide.title.get(STAFF_LANG),
                        step=self._step_label(STAFF_LANG, guide.id, step),
                    ),
                    sender,
                )
            return [
                Screen(
                    self.t(lang, "tickets.already_open", number=open_ticket.number),
                    self._ticket_buttons(r, open_ticket),
                )
            ], False
        if r.ward_id is None and r.onboarded and self.flow is not None:  # she said "Phường khác"
            return [
                Screen(
                    self.t(lang, "tickets.other_ward", contacts=self.flow.contacts_text(r)),
                    rows(Button(self.t(lang, "tickets.btn_choose_ward"), "set:ward"), self._menu(r)),
                )
            ], False
        if r.ward_id is None or self.content.ward(r.ward_id) is None:
            return [
                Screen(
                    self.t(lang, "tickets.need_ward"),
                    rows(Button(self.t(lang, "tickets.btn_choose_ward"), "set:ward"), self._menu(r)),
                )
            ], False
        text = self.t(lang, "tickets.ask_prompt")
        guide = self.content.guide(guide_id) if guide_id else None
        if guide is not None and step is not None:
            text += "\n\n" + self.t(
                lang, "tickets.ask_context", title=guide.title.get(lang), step=self._step_label(lang, guide_id, step)
            )
        return [Screen(text, rows(Button(self.t(lang, "tickets.btn_cancel"), B.draft(B.DraftAction.CANCEL))))], True

    def confirm(self, r: Resident, draft: Draft) -> tuple[list[Screen], Draft]:
        """The confirmation screens, and the draft to keep: masked already, so no secret waits in FSM storage."""
        lang = r.language
        masked = [mask(p.text) for p in draft.parts]
        parts = [dataclasses.replace(p, text=m.text) for p, m in zip(draft.parts, masked, strict=False)]
        draft = dataclasses.replace(draft, incoming=parts[0], more=tuple(parts[1:]))
        screens = []
        if any(m.has_otp_risk for m in masked):
            screens.append(Screen(self.t(lang, "tickets.otp_warning")))
        written = "\n".join(p.text for p in parts if p.kind == "text" and p.text.strip())
        kinds = collections.Counter(p.kind for p in parts if p.kind != "text")
        what = ", ".join(self._what(lang, k) if n == 1 else f"{n} {self._what(lang, k)}" for k, n in kinds.items())
        if not written:
            text = self.t(lang, "tickets.confirm_media", what=what)
        elif what:
            text = self.t(lang, "tickets.confirm_with", text=written, what=what)
        else:
            text = self.t(lang, "tickets.confirm", text=written)
        screens.append(
            Screen(
                text,
                rows(
                    [
                        Button(self.t(lang, "tickets.btn_send"), B.draft(B.DraftAction.SEND)),
                        Button(self.t(lang, "tickets.btn_rewrite"), B.draft(B.DraftAction.REWRITE)),
                    ],
                    Button(self.t(lang, "tickets.btn_cancel"), B.draft(B.DraftAction.CANCEL)),
                ),
            )
        )
        return screens, draft

    def cancelled(self, r: Resident) -> list[Screen]:
        return [Screen(self.t(r.language, "tickets.cancelled"), rows(self._menu(r)))]

    def rewrite(self, r: Resident) -> list[Screen]:
        return [
            Screen(
                self.t(r.language, "tickets.rewrite"),
                rows(Button(self.t(r.language, "tickets.btn_cancel"), B.draft(B.DraftAction.CANCEL))),
            )
        ]

    async def submit(self, r: Resident, draft: Draft, sender: Sender) -> list[Screen]:
        lang = r.language
        existing = await self.tickets.open_for_resident(r.id)
        if existing is not None:  # a double press, or two drafts: add instead of opening a second ticket
            screens: list[Screen] = []
            for part in draft.parts:
                screens = await self.resident_message(r, existing, part, sender)
            return screens
        if r.ward_id is None:
            return (await self.ask(r))[0]
        ticket, _ = await self.tickets.open(r, draft.incoming, draft.guide_id, draft.step)
        for part in draft.more:
            ticket, _ = await self.tickets.add_message(ticket.id, r, part)
        await self.deliver(ticket, sender)
        group = await self.tickets.group_for_ward(ticket.ward_id)
        hours = group.hours if group else WorkingHours.parse()
        limit = group.unanswered_hours if group else DEFAULT_UNANSWERED_HOURS
        deadline = hours.add(ticket.created_at, dt.timedelta(hours=limit))
        return [
            Screen(
                self.t(
                    lang,
                    "tickets.opened",
                    number=ticket.number,
                    ward=self._ward_name(lang, ticket.ward_id),
                    hours=self._hours(lang, hours),
                    deadline=self._when(lang, deadline, hours),
                ),
                self._ticket_buttons(r, ticket),
            )
        ]

    async def already_sent(self, r: Resident) -> bool:
        """Whether a press on "Gửi cho cán bộ" outside a draft is a repeat: her question is open."""
        return await self.tickets.open_for_resident(r.id) is not None

    async def resident_message(self, r: Resident, ticket: Ticket, incoming: Incoming, sender: Sender) -> list[Screen]:
        """A message while a ticket is open (or recently closed: it reopens)."""
        lang = r.language
        was_closed = not ticket.is_open
        ticket, msg = await self.tickets.add_message(ticket.id, r, incoming)
        if was_closed:
            await self._to_staff(ticket, self.t(STAFF_LANG, "tickets.reopened_staff", number=ticket.number), sender)
        if ticket.delivered:
            await self._deliver_messages(ticket, r, [msg], sender)
        else:  # still queued: the admins were told when it was opened
            await self.deliver(ticket, sender, tell_admins=False)
        screens = []
        if msg.masked_secrets and mask(incoming.text).has_otp_risk:
            screens.append(Screen(self.t(lang, "tickets.otp_warning")))
        key = "tickets.reopened" if was_closed else "tickets.added"
        screens.append(Screen(self.t(lang, key, number=ticket.number), self._ticket_buttons(r, ticket)))
        return screens

    def not_relayed(self, r: Resident, ticket: Ticket) -> list[Screen]:
        """A sticker while her question is open: say it did not go to staff, and how to write instead."""
        return [
            Screen(self.t(r.language, "tickets.not_relayed", number=ticket.number), self._ticket_buttons(r, ticket))
        ]

    async def ticket_to_continue(self, r: Resident) -> Ticket | None:
        """The ticket a resident's plain message belongs to: open, or closed by staff < 7 days ago."""
        return await self.tickets.continuable_for_resident(r.id)

    async def my_tickets(self, r: Resident) -> list[Screen]:
        lang = r.language
        items = await self.tickets.list_for_resident(r.id)
        if not items:
            return [
                Screen(
                    self.t(lang, "tickets.mytickets_none"),
                    rows(Button(self.t(lang, "resident.menu_ask"), B.ASK), self._menu(r)),
                )
            ]
        hours = WorkingHours.parse()
        lines = [self.t(lang, "tickets.mytickets_title")]
        for t, text in items:
            lines.append(
                self.t(
                    lang,
                    "tickets.mytickets_item",
                    number=t.number,
                    text=text or "…",
                    status=self.t(lang, f"tickets.status_{t.status}"),
                    when=hours.local(t.created_at).strftime("%d/%m/%Y"),
                )
            )
        current = next((t for t, _ in items if t.is_open), None)
        buttons = self._ticket_buttons(r, current) if current else rows(self._menu(r))
        return [Screen("\n".join(lines), buttons)]

    async def resident_close_confirm(self, r: Resident, ticket_id: int) -> list[Screen]:
        """ "Xong rồi, đóng câu hỏi" asks first: "Bác chắc chắn muốn đóng câu hỏi?" Có / Không."""
        lang = r.language
        t = await self.tickets.get(ticket_id)
        if t is None or t.resident_id != r.id:
            return [Screen(self.t(lang, "tickets.not_yours"), rows(self._menu(r)))]
        if not t.is_open:
            return [Screen(self.t(lang, "tickets.closed_by_you", number=t.number), rows(self._menu(r)))]
        return [
            Screen(
                self.t(lang, "tickets.close_confirm", number=t.number),
                rows(
                    Button(self.t(lang, "tickets.btn_close_yes"), B.ticket(B.TicketAction.CLOSE_YES, t.id)),
                    Button(self.t(lang, "tickets.btn_close_no"), B.ticket(B.TicketAction.CLOSE_NO, t.id)),
                ),
            )
        ]

    async def resident_keep_open(self, r: Resident, ticket_id: int) -> list[Screen]:
        """She answered "Không" to closing: the question stays open."""
        t = await self.tickets.get(ticket_id)
        if t is None or t.resident_id != r.id:
            return [Screen(self.t(r.language, "tickets.not_yours"), rows(self._menu(r)))]
        if not t.is_open:
            return [Screen(self.t(r.language, "tickets.closed_by_you", number=t.number), rows(self._menu(r)))]
        return [Screen(self.t(r.language, "tickets.kept_open", number=t.number), self._ticket_buttons(r, t))]

    async def resident_close(self, r: Resident, ticket_id: int, sender: Sender) -> list[Screen]:
        lang = r.language
        try:
            before = await self.tickets.get(ticket_id)
            t = await self.tickets.close_by_resident(ticket_id, r)
        except TicketNotFound:
            return [Screen(self.t(lang, "tickets.not_yours"), rows(self._menu(r)))]
        if before is not None and before.is_open:
            await self._to_staff(t, self.t(STAFF_LANG, "tickets.closed_by_resident_staff", number=t.number), sender)
        return [Screen(self.t(lang, "tickets.closed_by_you", number=t.number)), self._rate_screen(r, t)]

    async def resident_resolve(self, r: Resident, ticket_id: int, solved: bool, sender: Sender) -> list[Screen]:
        lang = r.language
        try:
            t = await self.tickets.resolve(ticket_id, r, solved)
            if not solved:
                t = await self.tickets.reopen(ticket_id, r)
        except TicketNotFound:
            return [Screen(self.t(lang, "tickets.not_yours"), rows(self._menu(r)))]
        except TicketError:  # an old button while the question is open again: nothing to tell staff
            current = await self.tickets.get(ticket_id)
            if current is None:
                return [Screen(self.t(lang, "tickets.not_yours"), rows(self._menu(r)))]
            return [Screen(self.t(lang, "tickets.still_open", number=current.number), self._ticket_buttons(r, current))]
        await self._to_staff(
            t,
            self.t(
                STAFF_LANG,
                "tickets.solved_staff",
                number=t.number,
                answer=self.t(STAFF_LANG, "tickets.solved_yes" if solved else "tickets.solved_no"),
            ),
            sender,
        )
        if solved:
            return [self._rate_screen(r, t)]
        return [Screen(self.t(lang, "tickets.not_solved", number=t.number), self._ticket_buttons(r, t))]

    async def resident_rate(self, r: Resident, ticket_id: int, stars: int, sender: Sender) -> list[Screen]:
        try:
            t = await self.tickets.rate(ticket_id, r, stars)
        except (TicketError, ValueError):
            return [Screen(self.t(r.language, "tickets.not_yours"), rows(self._menu(r)))]
        await self._to_staff(t, self.t(STAFF_LANG, "tickets.rated_staff", number=t.number, stars=stars), sender)
        return [Screen(self.t(r.language, "tickets.rated"), rows(self._menu(r)))]

    # --- delivery to the staff group ----------------------------------------------------

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

    # --- staff ----------------------------------------------------------------------------

    async def bind(self, admin: Resident, chat_id: int, ward_id: str, is_forum: bool, sender: Sender) -> str:
        t = self.t
        if not admin.is_admin:
            return t(STAFF_LANG, "tickets.admin_only")
        if self.content.ward(ward_id) is None:
            return t(STAFF_LANG, "tickets.bind_usage", wards=", ".join(self.content.wards))
        await self.tickets.bind_group(chat_id, ward_id, is_forum, admin)
        text = t(
            STAFF_LANG,
            "tickets.bound",
            ward=self._ward_name(STAFF_LANG, ward_id),
            forum=t(STAFF_LANG, "tickets.bound_forum") if is_forum else "",
        )
        queued = await self.tickets.queued(ward_id)
        if queued:
            text += "\n" + t(STAFF_LANG, "tickets.bound_queue", n=len(queued))
        return text

    def unknown_command(self) -> str:
        return self.t(STAFF_LANG, "tickets.unknown_command_staff")

    async def staff_group_ward(self, chat_id: int) -> str | None:
        g = await self.tickets.group(chat_id)
        return g.ward_id if g is not None else None

    async def grant(self, admin: Resident, chat_id: int, target: Resident, grant: bool) -> str:
        if not admin.is_admin:
            return self.t(STAFF_LANG, "tickets.admin_only")
        ward = await self.staff_group_ward(chat_id)
        if ward is None:
            return self.t(STAFF_LANG, "tickets.group_not_bound")
        kw = {"ward": self._ward_name(STAFF_LANG, ward), "name": target.display_name or f"id {target.external_id}"}
        if grant:
            ok = await self.residents.grant(target.id, Role.STAFF, ward, admin.id)
            key = "tickets.granted" if ok else "tickets.already_granted"
        else:
            ok = await self.residents.revoke(target.id, Role.STAFF, ward)
            key = "tickets.revoked" if ok else "tickets.not_granted"
        if ok:
            await self.tickets.log(ward, admin, "grant_staff" if grant else "revoke_staff", str(target.id))
        return self.t(STAFF_LANG, key, **kw)

    async def configure(
        self,
        admin: Resident,
        chat_id: int,
        *,
        unassigned_minutes: int | None = None,
        unanswered_hours: int | None = None,
        hours_spec: str | None = None,
    ) -> str:
        try:
            g = await self.tickets.configure_group(
                chat_id,
                admin,
                unassigned_minutes=unassigned_minutes,
                unanswered_hours=unanswered_hours,
                hours_spec=hours_spec,
            )
        except NotAllowed:
            return self.t(STAFF_LANG, "tickets.admin_only")
        except TicketNotFound:
            return self.t(STAFF_LANG, "tickets.group_not_bound")
        return self.t(
            STAFF_LANG,
            "tickets.sla_saved",
            minutes=g.unassigned_minutes,
            hours=g.unanswered_hours,
            working=self._hours(STAFF_LANG, g.hours),
        )

    async def ticket_for(self, chat_id: int, thread_id: int | None, reply_to_id: int | None) -> Ticket | None:
        return await self.tickets.find_for_staff_message(chat_id, thread_id, reply_to_id)

    async def staff_reply(self, staff: Resident, ticket: Ticket, incoming: Incoming, sender: Sender) -> StaffAnswer:
        """Relay a staff answer to the resident, as "Cán bộ phường trả lời: …" (never the staff's name)."""
        if incoming.chat_id is not None and ticket.staff_chat_id != incoming.chat_id:  # its old topic: it moved
            return StaffAnswer(
                self.t(
                    STAFF_LANG,
                    "tickets.moved_away",
                    number=ticket.number,
                    ward=self._ward_name(STAFF_LANG, ticket.ward_id),
                )
            )
        try:
            ticket, _ = await self.tickets.reply(ticket.id, staff, incoming)
        except NotAllowed:  # not relayed; say so, or a member not yet made staff thinks the resident got it
            return StaffAnswer(self.t(STAFF_LANG, "tickets.not_staff_reply"))
        except TicketClosed:
            return StaffAnswer(self.t(STAFF_LANG, "tickets.ticket_closed", number=ticket.number))
        resident = await self.residents.get(ticket.resident_id)
        if resident is None:
            return StaffAnswer(None)
        lang = resident.language
        buttons = self._ticket_buttons(resident, ticket)
        if incoming.kind == "text" or incoming.chat_id is None or incoming.message_id is None:
            text = (
                self.t(lang, "tickets.staff_answer", text=incoming.text)
                + "\n\n"
                + self.t(lang, "tickets.staff_answer_footer", number=ticket.number)
            )
            d = await sender.send(resident.external_id, Screen(text, buttons))
        else:
            caption = self.t(lang, "tickets.staff_answer_media", number=ticket.number)
            if incoming.text:
                caption = self.t(lang, "tickets.staff_answer", text=incoming.text)
            d = await sender.copy(
                resident.external_id, incoming.chat_id, incoming.message_id, caption=caption[:1024], buttons=buttons
            )
        return await self._after_resident_send(ticket, d, sender)

    async def _after_resident_send(self, ticket: Ticket, d: Delivered, sender: Sender) -> StaffAnswer:
        if d.status is Delivery.BLOCKED:
            await self.tickets.mark_resident_blocked(ticket.id)
            resident = await self.residents.get(ticket.resident_id)
            if resident is not None:
                await self.residents.mark_blocked(resident.channel, resident.external_id)
            return StaffAnswer(self.t(STAFF_LANG, "tickets.resident_blocked", number=ticket.number))
        return StaffAnswer(None)

    async def claim(self, staff: Resident, ticket_id: int, sender: Sender) -> StaffAnswer:
        t = await self.tickets.get(ticket_id)
        if t is None:
            return StaffAnswer(self.t(STAFF_LANG, "tickets.no_ticket_here"), alert=True)
        try:
            t = await self.tickets.assign(ticket_id, staff)
        except NotAllowed:
            return StaffAnswer(self.t(STAFF_LANG, "tickets.not_allowed"), alert=True)
        except TicketClosed:
            return StaffAnswer(self.t(STAFF_LANG, "tickets.ticket_closed", number=t.number), alert=True)
        except AlreadyAssigned as e:
            if e.assignee_id == staff.id:  # e.g. answering claimed it already
                return StaffAnswer(self.t(STAFF_LANG, "tickets.claim_won", number=t.number))
            return StaffAnswer(self.t(STAFF_LANG, "tickets.claim_lost", number=t.number), alert=True)
        await self._to_staff(
            t, self.t(STAFF_LANG, "tickets.claimed", staff=staff.display_name, number=t.number), sender
        )
        return StaffAnswer(self.t(STAFF_LANG, "tickets.claim_won", number=t.number))

    async def staff_close(self, staff: Resident, ticket_id: int, sender: Sender) -> StaffAnswer:
        t = await self.tickets.get(ticket_id)
        if t is None:
            return StaffAnswer(self.t(STAFF_LANG, "tickets.no_ticket_here"), alert=True)
        try:
            t = await self.tickets.close_by_staff(ticket_id, staff)
        except NotAllowed:
            return StaffAnswer(self.t(STAFF_LANG, "tickets.not_allowed"), alert=True)
        except TicketClosed:
            return StaffAnswer(self.t(STAFF_LANG, "tickets.ticket_closed", number=t.number), alert=True)
        await self._to_staff(
            t, self.t(STAFF_LANG, "tickets.closed_staff", number=t.number, staff=staff.display_name), sender
        )
        resident = await self.residents.get(t.resident_id)
        if resident is not None:
            lang = resident.language
            d = await sender.send(
                resident.external_id,
                Screen(
                    self.t(lang, "tickets.closed_by_staff", number=t.number),
                    rows(
                        [
                            Button(self.t(lang, "tickets.btn_solved"), B.answer(B.TicketAnswer.SOLVED, t.id, 1)),
                            Button(self.t(lang, "tickets.btn_not_solved"), B.answer(B.TicketAnswer.SOLVED, t.id, 0)),
                        ],
                        self._menu(resident),
                    ),
                ),
            )
            answer = await self._after_resident_send(t, d, sender)
            if answer.text:
                await self._to_staff(t, answer.text, sender)
        return StaffAnswer(None)

    async def move_choices(self, staff: Resident, ticket_id: int) -> tuple[Ticket, Screen] | StaffAnswer:
        """The wards a ticket can move to, as buttons (to show in the ticket's topic)."""
        ticket = await self.tickets.get(ticket_id)
        if ticket is None:
            return StaffAnswer(self.t(STAFF_LANG, "tickets.no_ticket_here"), alert=True)
        if not can_act(staff, ticket.ward_id):
            return StaffAnswer(self.t(STAFF_LANG, "tickets.not_allowed"), alert=True)
        return ticket, Screen(
            self.t(STAFF_LANG, "tickets.move_pick", number=ticket.number),
            rows(
                *[
                    Button(w.name.get(STAFF_LANG), B.move_to(ticket.id, w.id))
                    for w in self.content.wards.values()
                    if w.id != ticket.ward_id
                ]
            ),
        )

    async def move(self, staff: Resident, ticket_id: int, ward_id: str, sender: Sender) -> StaffAnswer:
        before = await self.tickets.get(ticket_id)
        if before is None or self.content.ward(ward_id) is None:
            return StaffAnswer(self.t(STAFF_LANG, "tickets.no_ticket_here"), alert=True)
        if before.ward_id == ward_id:
            return StaffAnswer(self.t(STAFF_LANG, "tickets.same_ward"), alert=True)
        try:
            t = await self.tickets.move(ticket_id, staff, ward_id)
        except NotAllowed:
            return StaffAnswer(self.t(STAFF_LANG, "tickets.not_allowed"), alert=True)
        except TicketClosed:
            return StaffAnswer(self.t(STAFF_LANG, "tickets.ticket_closed", number=before.number), alert=True)
        await self._to_staff(
            before,
            self.t(
                STAFF_LANG,
                "tickets.moved_staff",
                number=t.number,
                staff=staff.display_name,
                ward=self._ward_name(STAFF_LANG, ward_id),
            ),
            sender,
        )
        old_place = before.thread_id or before.card_message_id
        if before.staff_chat_id is not None and old_place is not None:  # so staff writing there are told it moved
            await self.tickets.posted(t.id, before.staff_chat_id, old_place, "moved")
        await self.deliver(t, sender)
        t = await self.tickets.get(ticket_id) or t
        await self._to_staff(
            t, self.t(STAFF_LANG, "tickets.moved_in", ward=self._ward_name(STAFF_LANG, before.ward_id)), sender
        )
        resident = await self.residents.get(t.resident_id)
        if resident is not None:
            await sender.send(
                resident.external_id,
                Screen(
                    self.t(
                        resident.language,
                        "tickets.moved",
                        number=t.number,
                        ward=self._ward_name(resident.language, ward_id),
                    )
                ),
            )
        return StaffAnswer(None)

    async def note(self, staff: Resident, ticket: Ticket, text: str) -> StaffAnswer:
        if not text.strip():
            return StaffAnswer(self.t(STAFF_LANG, "tickets.note_usage"))
        try:
            t = await self.tickets.note(ticket.id, staff, text.strip())
        except NotAllowed:
            return StaffAnswer(self.t(STAFF_LANG, "tickets.not_allowed"))
        return StaffAnswer(self.t(STAFF_LANG, "tickets.note_saved", number=t.number))

    def _find_guide(self, words: str) -> Guide | None:
        """The guide staff name: its code, its title, or a few words the matcher is confident about."""
        guide = self.content.guide(words) or self.content.guide(words.casefold())
        if guide is not None:
            return guide
        plain = strip_diacritics(words.casefold())
        for g in self.content.guides.values():
            if plain in (strip_diacritics(g.title.vi.casefold()), strip_diacritics(g.title.en.casefold())):
                return g
        if self.flow is not None:
            result = self.flow.matcher.match(words)
            if result.outcome is Outcome.CONFIDENT and result.topic:
                return self.content.guide(result.topic)
        return None

    def _guide_list(self) -> str:
        return "\n".join(f"• {g.id} – {g.title.get(STAFF_LANG)}" for g in self.content.guides.values())

    async def send_guide(self, staff: Resident, ticket: Ticket, guide_id: str, sender: Sender) -> StaffAnswer:
        guide_id = guide_id.strip()
        if not guide_id:
            return StaffAnswer(self.t(STAFF_LANG, "tickets.guide_usage", guides=self._guide_list()))
        guide = self._find_guide(guide_id)
        if guide is None:
            return StaffAnswer(self.t(STAFF_LANG, "tickets.guide_unknown", id=guide_id, guides=self._guide_list()))
        try:
            t = await self.tickets.record(ticket.id, staff, "send_guide", guide.id)
        except NotAllowed:
            return StaffAnswer(self.t(STAFF_LANG, "tickets.not_allowed"))
        except TicketClosed:
            return StaffAnswer(self.t(STAFF_LANG, "tickets.ticket_closed", number=ticket.number))
        resident = await self.residents.get(t.resident_id)
        if resident is None or self.flow is None:
            return StaffAnswer(None)
        screens = [Screen(self.t(resident.language, "tickets.staff_guide"))]
        screens += await self.flow.open_guide(resident, guide, 0)
        d = Delivered(Delivery.OK)
        for s in screens:
            d = await sender.send(resident.external_id, s)
            if not d.ok:
                break
        answer = await self._after_resident_send(t, d, sender)
        return (
            answer
            if answer.text
            else StaffAnswer(
                self.t(STAFF_LANG, "tickets.guide_sent", number=t.number, title=guide.title.get(STAFF_LANG))
            )
        )

    # --- SLA --------------------------------------------------------------------------------

    async def sla_tick(self, sender: Sender, now: dt.datetime | None = None) -> int:
        """Deliver what queued, remind, escalate, post daily digests. Returns how many messages went out."""
        now = now or self.clock.now()
        sent = await self.deliver_queued(sender)
        for ev in await self.tickets.sla_due(now):
            t, g = ev.ticket, ev.group
            claim = rows(Button(self.t(STAFF_LANG, "tickets.btn_claim"), B.staff(B.StaffAction.CLAIM, t.id)))
            if ev.kind is SlaKind.UNASSIGNED:
                screen = Screen(
                    self.t(STAFF_LANG, "tickets.remind_unassigned", number=t.number, minutes=g.unassigned_minutes),
                    claim,
                )
            elif ev.kind is SlaKind.UNANSWERED:
                screen = Screen(
                    self.t(STAFF_LANG, "tickets.remind_unanswered", number=t.number, hours=g.unanswered_hours), claim
                )
            else:
                screen = Screen(
                    self.t(STAFF_LANG, "tickets.escalated", number=t.number, hours=g.unanswered_hours), claim
                )
                prev = await self.residents.get(ev.previous_assignee_id) if ev.previous_assignee_id else None
                await self._tell_leads(
                    t.ward_id,
                    self.t(
                        STAFF_LANG,
                        "tickets.escalated_lead",
                        number=t.number,
                        ward=self._ward_name(STAFF_LANG, t.ward_id),
                        staff=prev.display_name if prev else "?",
                        hours=g.unanswered_hours,
                    ),
                    sender,
                )
            await self._to_staff(t, screen, sender)
            sent += 1
        hours = WorkingHours.parse()
        for group, open_tickets in await self.tickets.digests_due(now):
            ward = self._ward_name(STAFF_LANG, group.ward_id)
            if not open_tickets:
                text = self.t(STAFF_LANG, "tickets.digest_none", ward=ward)
            else:
                lines = [self.t(STAFF_LANG, "tickets.digest_title", ward=ward, n=len(open_tickets))]
                for t in open_tickets:
                    lines.append(
                        self.t(
                            STAFF_LANG,
                            "tickets.digest_item",
                            number=t.number,
                            status=self.t(STAFF_LANG, f"tickets.status_{t.status}"),
                            when=self._when(STAFF_LANG, t.last_resident_at, hours),
                        )
                    )
                text = "\n".join(lines)
            d = await sender.send(group.chat_id, Screen(text))
            if d.status is Delivery.GONE:
                await self.group_lost(group.chat_id, sender)
            sent += 1
        return sent

    # --- helpers --------------------------------------------------------------------------

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
        if first is not None:
            text += "\n" + self.t(lang, "tickets.card_question", text=first.text)
        return Screen(
            text,
            rows(
                [
                    Button(self.t(lang, "tickets.btn_claim"), B.staff(B.StaffAction.CLAIM, t.id)),
                    Button(self.t(lang, "tickets.btn_close_staff"), B.staff(B.StaffAction.CLOSE, t.id)),
                ],
                Button(self.t(lang, "tickets.btn_move"), B.staff(B.StaffAction.MOVE, t.id)),
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
