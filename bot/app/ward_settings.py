"""The web console's ward settings: the ward office (as content/wards.yaml says, or as the ward's
officials edited it here), the staff group bound to the ward and its health (is the bot still in it,
may it post, is it a forum), and who holds which role there.

Staff and officials see their own wards, admins every ward; another ward is `NotAllowed` (the console
answers "not found"). Only admins change roles, each change audited; changes go through
`ResidentService` like `/grant_staff` in Telegram, so the bot sees them without a restart.

The office's address, hours, phones and tổ dân phố list: officials of the ward and admins edit them
(`edit_office`, checked by `bot.core.ward_overrides.parse_office_form`) or put the YAML's values back
(`reset_office`); each change is audited and applied at once in this process, by the others within
half a minute (`WardOffices`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from bot.app.ports import Transactions
from bot.app.residents import ResidentService, Role
from bot.app.tickets import NotAllowed
from bot.app.ward_offices import WardOffices, row_values
from bot.app.web_signin import ConsoleUser
from bot.core.clock import Clock
from bot.core.content import Content, Ward
from bot.core.ward_overrides import OfficeForm, OfficeOverride, override_from, parse_office_form

WARD_ROLES = (Role.STAFF, Role.OFFICIAL)


@dataclass(frozen=True)
class GroupHealth:
    reachable: bool | None  # the bot is still in the group (None: Telegram could not be asked)
    can_post: bool | None  # None: Telegram did not say
    is_forum: bool | None
    title: str | None


class GroupProbe(Protocol):
    """Asks the messenger about a group (the Telegram adapter's `TelegramGroupProbe`)."""

    async def __call__(self, chat_id: int) -> GroupHealth: ...


@dataclass(frozen=True)
class StaffGroupView:
    chat_id: int
    active: bool  # false once the bot was removed or the group unbound
    is_forum: bool  # as recorded when bound
    bound_at: dt.datetime
    unanswered_hours: int | None
    hours_spec: str | None
    health: GroupHealth | None  # None: not checked (no probe)


@dataclass(frozen=True)
class Member:
    user_id: int
    name: str
    external_id: int
    roles: tuple[Role, ...]


@dataclass(frozen=True)
class OfficeSource:
    """Where the office's values come from: wards.yaml, or the console (which values, by whom, when)."""

    yaml: Ward  # as content/wards.yaml has it
    edited: OfficeOverride | None
    edited_by: str | None
    can_edit: bool

    def from_console(self, name: str) -> bool:
        return self.edited is not None and name in self.edited.fields


@dataclass(frozen=True)
class WardView:
    ward: Ward
    group: StaffGroupView | None
    members: tuple[Member, ...]
    office: OfficeSource


class RoleChangeError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class WardSettings:
    def __init__(
        self,
        uow: Transactions,
        clock: Clock,
        content: Content,
        residents: ResidentService,
        offices: WardOffices | None = None,
    ):
        self.uow, self.clock, self.content, self.residents = uow, clock, content, residents
        self.offices = offices or WardOffices(uow, content)

    def wards(self, user: ConsoleUser) -> list[Ward]:
        if user.is_admin:
            return list(self.content.wards.values())
        mine = user.person.wards_for(Role.STAFF) | user.person.wards_for(Role.OFFICIAL)
        return [w for w in self.content.wards.values() if w.id in mine]

    def _ward(self, user: ConsoleUser, ward_id: str) -> Ward:
        for w in self.wards(user):
            if w.id == ward_id:
                return w
        raise NotAllowed(ward_id)

    def may_edit_office(self, user: ConsoleUser, ward_id: str) -> bool:
        """Officials of the ward and admins; staff only read."""
        return ward_id in self.content.wards and (user.is_admin or ward_id in user.person.wards_for(Role.OFFICIAL))

    def _editable(self, user: ConsoleUser, ward_id: str) -> Ward:
        ward = self._ward(user, ward_id)
        if not self.may_edit_office(user, ward.id):
            raise NotAllowed("official or admin only")
        return ward

    async def _source(self, user: ConsoleUser, ward_id: str) -> OfficeSource:
        edited = self.offices.override(ward_id)
        by = None
        if edited is not None and edited.updated_by is not None:
            person = await self.residents.get(edited.updated_by)
            by = person.display_name if person is not None else f"#{edited.updated_by}"
        yaml = self.offices.yaml_ward(ward_id) or self.content.wards[ward_id]
        return OfficeSource(yaml, edited, by, self.may_edit_office(user, ward_id))

    async def office_form(self, user: ConsoleUser, ward_id: str) -> tuple[Ward, OfficeForm, OfficeSource]:
        """The edit form filled with what the bot shows now (`NotAllowed` for staff and other wards)."""
        self._editable(user, ward_id)
        await self.offices.refresh()  # another instance may have edited it: start from the latest
        ward = self.content.wards[ward_id]
        return ward, OfficeForm.of(ward), await self._source(user, ward_id)

    async def edit_office(self, user: ConsoleUser, ward_id: str, form: OfficeForm) -> bool:
        """Saves the typed values (`OfficeFormErrors` names the wrong fields); True if something changed.
        Values typed back to the YAML's are stored as "as wards.yaml has it"."""
        ward = self._editable(user, ward_id)
        parsed = parse_office_form(form)
        base = self.offices.yaml_ward(ward.id) or ward
        override = override_from(base, parsed, ward.id)
        await self.offices.refresh()
        before = self.content.wards[ward.id]
        now = self.clock.now()
        async with self.uow() as tx:
            if override.empty:
                await tx.ward_overrides.delete(ward.id)
            else:
                await tx.ward_overrides.put(ward.id, **row_values(override), now=now, by=user.person.id)
        await self.offices.refresh()
        after = self.content.wards[ward.id]
        changes = _changes(before, after)
        if changes:
            async with self.uow() as tx:
                await tx.tickets.audit(None, ward.id, user.person.id, "office_edit", "; ".join(changes), now)
        return bool(changes)

    async def reset_office(self, user: ConsoleUser, ward_id: str) -> bool:
        """Back to content/wards.yaml's values; True if there was something to undo."""
        ward = self._editable(user, ward_id)
        await self.offices.refresh()
        before = self.content.wards[ward.id]
        async with self.uow() as tx:
            removed = await tx.ward_overrides.delete(ward.id)
        await self.offices.refresh()
        if removed:
            detail = "; ".join(_changes(before, self.content.wards[ward.id])) or "-"
            async with self.uow() as tx:
                await tx.tickets.audit(None, ward.id, user.person.id, "office_reset", detail, self.clock.now())
        return removed

    async def view(self, user: ConsoleUser, ward_id: str, probe: GroupProbe | None = None) -> WardView:
        ward = self._ward(user, ward_id)
        await self.offices.refresh()  # the console shows the latest, whichever instance edited it
        ward = self.content.wards[ward.id]
        async with self.uow() as tx:
            g = await tx.staff_groups.for_ward(ward.id)
            rows = await tx.users.members(ward.id)
        members: dict[int, tuple[str, int, list[Role]]] = {}
        for uid, name, role, ext in rows:
            if role in {r.value for r in WARD_ROLES}:
                members.setdefault(uid, (name, ext, []))[2].append(Role(role))
        group = None
        if g is not None:
            health = await probe(g.chat_id) if probe is not None and g.active else None
            group = StaffGroupView(
                g.chat_id, g.active, g.is_forum, g.bound_at, g.unanswered_hours, g.hours_spec, health
            )
        return WardView(
            ward,
            group,
            tuple(Member(uid, n, ext, tuple(sorted(rs))) for uid, (n, ext, rs) in members.items()),
            await self._source(user, ward.id),
        )

    async def change_role(self, user: ConsoleUser, ward_id: str, user_id: int, role: str, grant: bool) -> bool:
        """Grant or revoke a ward role (admins only); True if something changed."""
        if not user.is_admin:
            raise NotAllowed("admin only")
        ward = self._ward(user, ward_id)
        if role not in {r.value for r in WARD_ROLES}:
            raise RoleChangeError("bad_role")
        person = await self.residents.get(user_id)
        if person is None:
            raise RoleChangeError("no_person")
        if grant:
            changed = await self.residents.grant(person.id, Role(role), ward.id, user.person.id)
        else:
            changed = await self.residents.revoke(person.id, Role(role), ward.id)
        async with self.uow() as tx:
            action = "role_grant" if grant else "role_revoke"
            await tx.tickets.audit(
                None, ward.id, user.person.id, action, f"{person.display_name}: {role}", self.clock.now()
            )
        return changed


def _office_values(w: Ward) -> dict[str, str]:
    o = w.office
    return {
        "address": o.address or "",
        "hours": f"{o.hours.vi} / {o.hours.en}" if o.hours else "",
        "phones": ", ".join(o.phones),
        "neighbourhoods": "unknown" if w.neighbourhoods == "unknown" else ", ".join(w.neighbourhoods),
    }


def _changes(before: Ward, after: Ward) -> list[str]:
    """For the audit log: "hours: 'old' → 'new'" for every value that changed."""
    old, new = _office_values(before), _office_values(after)
    return [f"{k}: {old[k]!r} → {new[k]!r}" for k in old if old[k] != new[k]]
