"""The help desk for residents: asking ward staff, follow-ups, /mytickets, closing, rating."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt

from bot.app import helpdesk_buttons as B
from bot.app.helpdesk_base import (
    STAFF_LANG,
    DeskBase,
    Draft,
    Sender,
)
from bot.app.residents import Resident
from bot.app.tickets import (
    DEFAULT_UNANSWERED_HOURS,
    Incoming,
    Ticket,
    TicketError,
    TicketNotFound,
)
from bot.core.privacy import mask
from bot.core.screens import Button, Screen, rows
from bot.core.text_split import LONG_TEXT
from bot.core.ward_contacts import contacts_text
from bot.core.working_hours import WorkingHours


class ResidentDesk(DeskBase):
    """A resident's use cases. Return the screens to show her."""

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
        if group is None or not group.active:  # nobody to answer yet: no deadline promised, the ward's contacts
            return [
                *self._sent_whole(lang, draft.parts),
                Screen(
                    self.t(
                        lang,
                        "confirm.opened_no_staff",
                        number=ticket.number,
                        ward=self._ward_name(lang, ticket.ward_id),
                        contacts=contacts_text(self.content, self.t, lang, ticket.ward_id),
                    ),
                    self._ticket_buttons(r, ticket),
                ),
            ]
        hours = group.hours if group else WorkingHours.parse()
        limit = group.unanswered_hours if group else DEFAULT_UNANSWERED_HOURS
        deadline = hours.add(ticket.created_at, dt.timedelta(hours=limit))
        return [
            *self._sent_whole(lang, draft.parts),
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
            ),
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
        waiting = False  # no staff group to take it yet: say so, promise nothing
        if ticket.delivered:
            await self._deliver_messages(ticket, r, [msg], sender)
        else:  # still queued: the admins were told when it was opened
            waiting = not await self.deliver(ticket, sender, tell_admins=False)
        screens = []
        if msg.masked_secrets and mask(incoming.text).has_otp_risk:
            screens.append(Screen(self.t(lang, "tickets.otp_warning")))
        screens += self._sent_whole(lang, (incoming,))
        key = "tickets.reopened" if was_closed else "confirm.added_no_staff" if waiting else "tickets.added"
        ward = self._ward_name(lang, ticket.ward_id)
        screens.append(Screen(self.t(lang, key, number=ticket.number, ward=ward), self._ticket_buttons(r, ticket)))
        return screens

    def guide_while_open(self, r: Resident, ticket: Ticket, guide: list[Screen]) -> list[Screen]:
        """A new question, while her ticket is open, that a guide answers: the guide, and a button to send
        the message to staff as well (issue 10: before, every message went to staff and no guide came)."""
        lang = r.language
        key = "tickets.guide_while_open" if ticket.is_open else "tickets.guide_after_close"
        offer = Screen(
            self.t(lang, key, number=ticket.number),
            rows(Button(self.t(lang, "tickets.btn_send_more"), B.ticket(B.TicketAction.SEND_MORE, ticket.id))),
        )
        return [*guide, offer]

    async def send_more(self, r: Resident, kept: Incoming, sender: Sender) -> list[Screen] | None:
        """ "Gửi thêm cho cán bộ": the message that got a guide goes to her ticket after all; None when
        she has no ticket it can still join (the button is spent)."""
        ticket = await self.ticket_to_continue(r)
        if ticket is None:
            return None
        return await self.resident_message(r, ticket, kept, sender)

    def _sent_whole(self, lang: str, parts: tuple[Incoming, ...]) -> list[Screen]:
        """A long message: she is told it went to staff whole (it used to be cut at 3,000 characters)."""
        if any(len(p.text) > LONG_TEXT for p in parts):
            return [Screen(self.t(lang, "tickets.sent_whole"))]
        return []

    def not_relayed(self, r: Resident, ticket: Ticket) -> list[Screen]:
        """A sticker while her question is open: say it did not go to staff, and how to write instead."""
        return [
            Screen(self.t(r.language, "tickets.not_relayed", number=ticket.number), self._ticket_buttons(r, ticket))
        ]

    async def ticket_to_continue(self, r: Resident) -> Ticket | None:
        """The ticket a resident's plain message belongs to: open, or closed by staff < 24 h ago and not yet rated."""
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
                rows(  # "Không" first; "Có, đóng" alone on the row below
                    Button(self.t(lang, "tickets.btn_close_no"), B.ticket(B.TicketAction.CLOSE_NO, t.id)),
                    Button(self.t(lang, "tickets.btn_close_yes"), B.ticket(B.TicketAction.CLOSE_YES, t.id)),
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

    async def close_is_stale(self, r: Resident, ticket_id: int) -> bool:
        """ "Có, đóng câu hỏi" on her question that is closed already: an old confirmation."""
        t = await self.tickets.get(ticket_id)
        return t is not None and t.resident_id == r.id and not t.is_open

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
