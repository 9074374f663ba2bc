"""The help desk for admins: binding staff groups to wards, staff roles, SLA and working hours."""

from __future__ import annotations

from bot.app.helpdesk_base import (
    STAFF_LANG,
    DeskBase,
    Sender,
)
from bot.app.residents import Resident, Role
from bot.app.tickets import (
    NotAllowed,
    TicketNotFound,
)


class AdminDesk(DeskBase):
    """Admin use cases in a staff group. Return the reply text."""

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
