"""Admins' irreversible actions, each asked before it is done (issue 14 #7): unbinding a staff group from
its ward (/unbind_ward), a neighbourhood group from its ward and tổ dân phố (/unbind_group), removing a
staff or official role (/revoke_staff, /revoke_official).

`ask_*` returns the question with "Không" first and the destructive button alone on the row below,
saying exactly what will stop; the matching method does it when "Có" is pressed, checks again who
pressed it, writes the audit log, and says so in an `Outcome`, without text when there is nothing left
to do (a stale or repeated confirmation: the channel answers "Nút này không còn dùng được").
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.app import admin_buttons as B
from bot.app.ports import Transactions
from bot.app.residents import Resident, ResidentService, Role
from bot.app.tickets import Status, TicketService
from bot.core.clock import Clock
from bot.core.content import Content
from bot.core.i18n import Texts
from bot.core.screens import Button, Screen, rows

ROLE_OF = {B.Revocable.STAFF: Role.STAFF, B.Revocable.OFFICIAL: Role.OFFICIAL}


@dataclass(frozen=True)
class Outcome:
    """What a press on a confirmation did: `done` (the question is answered; its buttons go), else
    refused (`text` says why) or out of date (`text` None: "Nút này không còn dùng được")."""

    text: str | None
    done: bool = False
    brief: bool = False  # a short acknowledgement ("Không"), not a result to post in the chat


STALE = Outcome(None)


class AdminOps:
    def __init__(
        self,
        uow: Transactions,
        clock: Clock,
        tickets: TicketService,
        residents: ResidentService,
        content: Content,
        texts: Texts,
    ) -> None:
        self.uow, self.clock, self.tickets, self.residents = uow, clock, tickets, residents
        self.content, self.t = content, texts

    def _ward(self, lang: str, ward_id: str) -> str:
        w = self.content.ward(ward_id)
        return w.name.get(lang) if w else ward_id

    def _confirm(self, lang: str, text: str, yes: str, no_data: str, yes_data: str) -> Screen:
        return Screen(
            text,
            rows(Button(self.t(lang, "admin.btn_no"), no_data), Button(self.t(lang, f"admin.btn_yes_{yes}"), yes_data)),
        )

    def refused(self, lang: str) -> Screen:
        return Screen(self.t(lang, "tickets.admin_only"))

    def _refusal(self, lang: str) -> Outcome:
        return Outcome(self.t(lang, "tickets.admin_only"))

    def keep(self, admin: Resident, lang: str) -> Outcome:
        """ "Không": nothing changes (only an admin's press closes the question)."""
        return Outcome(self.t(lang, "admin.kept"), True, brief=True) if admin.is_admin else self._refusal(lang)

    # --- a staff group and its ward -----------------------------------------------------------

    async def ask_unbind_ward(self, admin: Resident, lang: str, *, here: int | None, ward_id: str = "") -> Screen:
        """In the staff group (`here`), or in private with the ward's id."""
        if not admin.is_admin:
            return self.refused(lang)
        async with self.uow() as tx:
            if here is not None:
                group = await tx.staff_groups.get(here)
                if group is None or not group.active:
                    return Screen(self.t(lang, "admin.unbind_ward_not_here"))
            else:
                if self.content.ward(ward_id) is None:
                    return Screen(self.t(lang, "admin.unbind_ward_usage", wards=", ".join(self.content.wards)))
                group = await tx.staff_groups.for_ward(ward_id)
                if group is None:
                    return Screen(self.t(lang, "admin.unbind_ward_none", ward=self._ward(lang, ward_id)))
            chat_id, ward_id = group.chat_id, group.ward_id
            n = sum(1 for t in await tx.tickets.not_closed(Status.CLOSED) if t.staff_chat_id == chat_id)
        which = self.t(lang, "admin.this_group") if here is not None else self.t(lang, "admin.group_id", chat=chat_id)
        tickets = self.t(lang, "admin.unbind_ward_tickets", n=n) if n else self.t(lang, "admin.unbind_ward_no_tickets")
        text = self.t(lang, "admin.unbind_ward_ask", group=which, ward=self._ward(lang, ward_id), tickets=tickets)
        return self._confirm(
            lang,
            text,
            "unbind",
            B.unbind(B.Answer.NO, B.Unbind.WARD, chat_id),
            B.unbind(B.Answer.YES, B.Unbind.WARD, chat_id),
        )

    async def unbind_ward(self, admin: Resident, lang: str, chat_id: int) -> Outcome:
        if not admin.is_admin:
            return self._refusal(lang)
        group = await self.tickets.group(chat_id)
        if group is None or not group.active:
            return STALE
        queued = await self.tickets.deactivate_group(chat_id, admin, "unbind_ward")
        waiting = self.t(lang, "admin.unbind_ward_queued", n=len(queued)) if queued else ""
        text = self.t(
            lang, "admin.unbind_ward_done", ward=self._ward(lang, group.ward_id), ward_id=group.ward_id, queued=waiting
        )
        return Outcome(text, True)

    # --- a neighbourhood group and its tổ dân phố ------------------------------------------------

    async def ask_unbind_group(
        self, admin: Resident, lang: str, *, here: int | None, ward_id: str = "", tdp: str = ""
    ) -> list[Screen]:
        """In the neighbourhood group (`here`), or in private with the ward's id and the tổ dân phố."""
        if not admin.is_admin:
            return [self.refused(lang)]
        async with self.uow() as tx:
            if here is not None:
                found = await tx.notices.group_by_chat(here)
                groups = [found] if found is not None and found.active else []
                if not groups:
                    return [Screen(self.t(lang, "admin.unbind_group_not_here"))]
            else:
                if self.content.ward(ward_id) is None or not tdp:
                    return [Screen(self.t(lang, "admin.unbind_group_usage"))]
                groups = list(await tx.notices.groups(ward_id, [tdp]))
                if not groups:
                    return [Screen(self.t(lang, "admin.unbind_group_none", ward=self._ward(lang, ward_id), tdp=tdp))]
        return [
            self._confirm(
                lang,
                self.t(
                    lang,
                    "admin.unbind_group_ask",
                    title=g.title or self.t(lang, "admin.group_id", chat=g.chat_id),
                    ward=self._ward(lang, g.ward_id),
                    tdp=g.neighbourhood or "?",
                ),
                "unbind",
                B.unbind(B.Answer.NO, B.Unbind.GROUP, g.chat_id),
                B.unbind(B.Answer.YES, B.Unbind.GROUP, g.chat_id),
            )
            for g in groups
        ]

    async def unbind_group(self, admin: Resident, lang: str, chat_id: int) -> Outcome:
        if not admin.is_admin:
            return self._refusal(lang)
        async with self.uow() as tx:
            g = await tx.notices.group_by_chat(chat_id)
            if g is None or not g.active:
                return STALE
            await tx.notices.deactivate_group(g.id, f"unbound by admin {admin.id}")
            detail = f"{chat_id} tdp={g.neighbourhood or '?'}"
            await tx.tickets.audit(None, g.ward_id, admin.id, "unbind_group", detail, self.clock.now())
            ward_id, tdp, title = g.ward_id, g.neighbourhood or "?", g.title
        text = self.t(
            lang,
            "admin.unbind_group_done",
            title=title or self.t(lang, "admin.group_id", chat=chat_id),
            ward=self._ward(lang, ward_id),
            tdp=tdp,
        )
        return Outcome(text, True)

    # --- roles --------------------------------------------------------------------------------

    async def ask_revoke_staff(self, admin: Resident, lang: str, chat_id: int, target: Resident | None) -> Screen:
        """/revoke_staff in a staff group: the role in that group's ward."""
        if not admin.is_admin:
            return self.refused(lang)
        group = await self.tickets.group(chat_id)
        if group is None or not group.active:
            return Screen(self.t(lang, "tickets.group_not_bound"))
        if target is None:
            return Screen(self.t(lang, "tickets.grant_usage"))
        return await self._ask_revoke(lang, target, B.Revocable.STAFF, group.ward_id)

    async def ask_revoke_official(self, admin: Resident, lang: str, target: Resident | None, ward_id: str) -> Screen:
        """/revoke_official <id> <ward> in private."""
        if not admin.is_admin:
            return self.refused(lang)
        if target is None or self.content.ward(ward_id) is None:
            return Screen(self.t(lang, "admin.revoke_official_usage"))
        return await self._ask_revoke(lang, target, B.Revocable.OFFICIAL, ward_id)

    async def _ask_revoke(self, lang: str, target: Resident, role: B.Revocable, ward_id: str) -> Screen:
        name = target.display_name or f"id {target.external_id}"
        ward = self._ward(lang, ward_id)
        if (ROLE_OF[role], ward_id) not in target.roles:
            return Screen(self.t(lang, f"admin.not_{role.value}", name=name, ward=ward))
        return self._confirm(
            lang,
            self.t(lang, f"admin.revoke_{role.value}_ask", name=name, ward=ward),
            "revoke",
            B.revoke(B.Answer.NO, target.id, role, ward_id),
            B.revoke(B.Answer.YES, target.id, role, ward_id),
        )

    async def revoke(self, admin: Resident, lang: str, user_id: int, role: B.Revocable, ward_id: str) -> Outcome:
        if not admin.is_admin:
            return self._refusal(lang)
        target = await self.residents.get(user_id)
        if target is None or not await self.residents.revoke(user_id, ROLE_OF[role], ward_id):
            return STALE  # nobody, or no longer holding it: the confirmation is out of date
        await self.tickets.log(ward_id, admin, f"revoke_{role.value}", str(user_id))
        name = target.display_name or f"id {target.external_id}"
        return Outcome(self.t(lang, f"admin.revoked_{role.value}", name=name, ward=self._ward(lang, ward_id)), True)
