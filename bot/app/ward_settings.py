"""The web console's ward settings: what content/wards.yaml says of the ward office (read only here:
content is edited in YAML and checked by `bot content check`), the staff group bound to the ward and
its health (is the bot still in it, may it post, is it a forum), and who holds which role there.

Staff and officials see their own wards, admins every ward; another ward is `NotAllowed` (the console
answers "not found"). Only admins change roles, each change audited; changes go through
`ResidentService` like `/grant_staff` in Telegram, so the bot sees them without a restart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from bot.app.ports import Transactions
from bot.app.residents import ResidentService, Role
from bot.app.tickets import NotAllowed
from bot.app.web_signin import ConsoleUser
from bot.core.clock import Clock
from bot.core.content import Content, Ward

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
class WardView:
    ward: Ward
    group: StaffGroupView | None
    members: tuple[Member, ...]


class RoleChangeError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class WardSettings:
    def __init__(self, uow: Transactions, clock: Clock, content: Content, residents: ResidentService):
        self.uow, self.clock, self.content, self.residents = uow, clock, content, residents

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

    async def view(self, user: ConsoleUser, ward_id: str, probe: GroupProbe | None = None) -> WardView:
        ward = self._ward(user, ward_id)
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
