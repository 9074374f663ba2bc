"""The help desk's clock: queued tickets, SLA reminders, escalations, daily digests (bot.workers.sla runs it)."""

from __future__ import annotations

import datetime as dt

from bot.app import helpdesk_buttons as B
from bot.app.helpdesk_base import (
    STAFF_LANG,
    Delivery,
    DeskBase,
    Sender,
)
from bot.app.tickets import (
    SlaKind,
)
from bot.core.screens import Button, Screen, rows
from bot.core.working_hours import WorkingHours


class SlaDesk(DeskBase):
    """Time-driven use cases; every reminder is claimed in the database, so any number of processes may run them."""

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
