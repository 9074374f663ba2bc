"""The help desk for ward staff: answering, claiming, closing, moving, notes, sending a guide."""

from __future__ import annotations

from bot.app import helpdesk_buttons as B
from bot.app.helpdesk_base import (
    STAFF_LANG,
    Delivered,
    Delivery,
    DeskBase,
    Sender,
    StaffAnswer,
)
from bot.app.residents import Resident
from bot.app.tickets import (
    AlreadyAssigned,
    Author,
    Incoming,
    NotAllowed,
    Ticket,
    TicketClosed,
    TicketNotFound,
    can_act,
)
from bot.core.content import Guide
from bot.core.matching import Outcome
from bot.core.normalize import strip_diacritics
from bot.core.screens import Button, Screen, rows


class StaffDesk(DeskBase):
    """Staff use cases, run from the ward's staff group. Return a short reply for the staff member."""

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
            d = await self.reach(resident, sender).send(resident.external_id, Screen(text, buttons))
        else:
            caption = self.t(lang, "tickets.staff_answer_media", number=ticket.number)
            if incoming.text:
                caption = self.t(lang, "tickets.staff_answer", text=incoming.text)
            d = await self.reach(resident, sender).copy(
                resident.external_id, incoming.chat_id, incoming.message_id, caption=caption[:1024], buttons=buttons
            )
        return await self._after_resident_send(ticket, d, sender)

    async def web_answer(self, staff: Resident, ticket_id: int, text: str, sender: Sender) -> StaffAnswer:
        """An answer typed in the web console: relayed by `staff_reply`, then shown in the staff group's thread."""
        before = await self.tickets.get(ticket_id)
        if before is None or not can_act(staff, before.ward_id):
            raise TicketNotFound(ticket_id)
        answer = await self.staff_reply(staff, before, Incoming(text=text), sender)
        after = await self.tickets.get(ticket_id)
        if after is not None and after.last_staff_at != before.last_staff_at:  # recorded: both views agree
            echo = self.t(STAFF_LANG, "web.staff_echo", staff=staff.display_name, number=after.number, text=text)
            await self._to_staff(after, echo, sender)
        return answer

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

    async def give(self, actor: Resident, ticket_id: int, assignee_id: int, sender: Sender) -> StaffAnswer:
        """Give a ticket to a staff member of its ward (the web console's "Giao cho…"). The staff group
        reads the same "✋ … đã nhận phiếu" line as after the "Nhận" button, and who gave it. A text
        without `.alert`: nothing to change (it is theirs already)."""
        t = await self.tickets.get(ticket_id)
        if t is None:
            return StaffAnswer(self.t(STAFF_LANG, "tickets.no_ticket_here"), alert=True)
        assignee = await self.residents.get(assignee_id)
        if assignee is None or not can_act(actor, t.ward_id) or not can_act(assignee, t.ward_id):
            return StaffAnswer(self.t(STAFF_LANG, "tickets.not_allowed"), alert=True)
        try:
            t, before = await self.tickets.give(ticket_id, actor, assignee)
        except NotAllowed:
            return StaffAnswer(self.t(STAFF_LANG, "tickets.not_allowed"), alert=True)
        except TicketClosed:
            return StaffAnswer(self.t(STAFF_LANG, "tickets.ticket_closed", number=t.number), alert=True)
        except AlreadyAssigned:  # someone changed it meanwhile: look again
            return StaffAnswer(self.t(STAFF_LANG, "web.assign_changed", number=t.number), alert=True)
        if before == assignee.id:
            return StaffAnswer(self.t(STAFF_LANG, "web.assign_unchanged", number=t.number, name=assignee.display_name))
        line = self.t(STAFF_LANG, "tickets.claimed", staff=assignee.display_name, number=t.number)
        if actor.id != assignee.id:
            line += "\n" + self.t(STAFF_LANG, "web.given_by", by=actor.display_name)
        previous = await self.residents.get(before) if before is not None else None
        if previous is not None:
            line += "\n" + self.t(STAFF_LANG, "web.given_from", name=previous.display_name)
        await self._to_staff(t, line, sender)
        return StaffAnswer(None)

    async def staff_close_confirm(self, staff: Resident, ticket_id: int) -> tuple[Ticket, Screen] | StaffAnswer:
        """ "✅ Đóng" on a card asks first, in the ticket's topic: "Không" above, "Có, đóng" alone below."""
        t = await self.tickets.get(ticket_id)
        if t is None:
            return StaffAnswer(self.t(STAFF_LANG, "tickets.no_ticket_here"), alert=True)
        if not can_act(staff, t.ward_id):
            return StaffAnswer(self.t(STAFF_LANG, "tickets.not_allowed"), alert=True)
        if not t.is_open:
            return StaffAnswer(self.t(STAFF_LANG, "tickets.ticket_closed", number=t.number), alert=True)
        return t, Screen(
            self.t(STAFF_LANG, "confirm.close_ticket", number=t.number),
            rows(
                Button(self.t(STAFF_LANG, "confirm.btn_close_no"), B.staff(B.StaffAction.CLOSE_NO, t.id)),
                Button(self.t(STAFF_LANG, "confirm.btn_close_yes"), B.staff(B.StaffAction.CLOSE_YES, t.id)),
            ),
        )

    async def staff_keep_open(self, staff: Resident, ticket_id: int) -> StaffAnswer:
        """ "Không" under the question: nothing changes."""
        t = await self.tickets.get(ticket_id)
        if t is None or not can_act(staff, t.ward_id):
            return StaffAnswer(self.t(STAFF_LANG, "common.button_gone"), alert=True)
        return StaffAnswer(self.t(STAFF_LANG, "confirm.kept_open", number=t.number))

    async def staff_close(self, staff: Resident, ticket_id: int, sender: Sender) -> StaffAnswer:
        """ "Có, đóng": close it. A confirmation for a ticket already closed (or none) is a stale button."""
        t = await self.tickets.get(ticket_id)
        if t is None or not t.is_open:
            return StaffAnswer(self.t(STAFF_LANG, "common.button_gone"), alert=True)
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
            d = await self.reach(resident, sender).send(
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
            await self.reach(resident, sender).send(
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
            d = await self.reach(resident, sender).send(resident.external_id, s)
            if not d.ok:
                break
        answer = await self._after_resident_send(t, d, sender)
        if answer.text:
            return answer
        text = self.t(STAFF_LANG, "tickets.guide_sent", number=t.number, title=guide.title.get(STAFF_LANG))
        if d.ok and self.learning is not None:
            asked = [m.text for m in await self.tickets.messages(t.id) if m.author == Author.RESIDENT][:1]
            if await self.learning.suggest(guide.id, asked, f"staff:{staff.id}"):
                text += "\n" + self.t(STAFF_LANG, "tickets.guide_learned")
        return StaffAnswer(text)

    def unknown_command(self) -> str:
        return self.t(STAFF_LANG, "tickets.unknown_command_staff")
