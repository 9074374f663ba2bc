"""Who is talking to the bot: profile (language, ward, tổ dân phố, subscription) and roles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.app.ports import Transactions
from bot.app.ports.users import UserRecord
from bot.core.clock import Clock


class Role(StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"
    OFFICIAL = "official"
    ADMIN = "admin"


ANY_WARD = "*"
TOUCH_EVERY = dt.timedelta(minutes=5)  # `last_seen_at` is kept to this precision: no write per message


@dataclass(frozen=True)
class Resident:
    id: int
    channel: str
    external_id: int
    display_name: str
    lang: str | None
    ward_id: str | None
    neighbourhood: str | None
    onboarded: bool
    subscribed: bool
    roles: frozenset[tuple[str, str]] = frozenset()

    @property
    def language(self) -> str:
        return self.lang or "vi"

    def has_role(self, role: Role, ward_id: str | None = None) -> bool:
        """Admins may do everything; other roles count only in their own ward."""
        if (Role.ADMIN, ANY_WARD) in self.roles:
            return True
        return any(r == role and (ward_id is None or w in (ward_id, ANY_WARD)) for r, w in self.roles)

    def wards_for(self, role: Role) -> set[str]:
        return {w for r, w in self.roles if r == role}

    @property
    def is_admin(self) -> bool:
        return (Role.ADMIN, ANY_WARD) in self.roles

    @property
    def awaiting_neighbourhood(self) -> bool:
        return self.ward_id is not None and self.neighbourhood is None and not self.onboarded


def _to_resident(row: UserRecord, roles: Iterable[tuple[str, str]]) -> Resident:
    return Resident(
        id=row.id,
        channel=row.channel,
        external_id=row.external_id,
        display_name=row.display_name,
        lang=row.lang,
        ward_id=row.ward_id,
        neighbourhood=row.neighbourhood,
        onboarded=row.onboarded,
        subscribed=row.subscribed,
        roles=frozenset(roles),
    )


class ResidentService:
    def __init__(self, uow: Transactions, clock: Clock, admin_ids: list[int] | None = None):
        self.uow = uow
        self.clock = clock
        self.admin_ids = set(admin_ids or [])

    async def identify(self, channel: str, external_id: int, display_name: str = "") -> Resident:
        """Who wrote: one query for the user and their roles; a write only for a new user, a missing
        admin role, a new name, an unblock, or a `last_seen_at` older than `TOUCH_EVERY`."""
        now = self.clock.now()
        async with self.uow() as tx:
            repo = tx.users
            found = await repo.with_roles(channel, external_id)
            if found is None:
                await repo.create(channel, external_id, display_name, now)
                found = await repo.with_roles(channel, external_id)
                if found is None:  # pragma: no cover - the row was just written
                    raise LookupError((channel, external_id))
            row, role_rows = found
            roles = {(r.role, r.ward_id) for r in role_rows}
            if external_id in self.admin_ids and (Role.ADMIN, ANY_WARD) not in roles:
                await repo.grant(row.id, Role.ADMIN, ANY_WARD, None, now)
                roles.add((Role.ADMIN, ANY_WARD))
            name = display_name[:128]
            if row.blocked or (name and row.display_name != name) or now - row.last_seen_at >= TOUCH_EVERY:
                row.last_seen_at = now
                row.blocked = False  # they wrote to us, so they have not blocked the bot
                if name:
                    row.display_name = name
            return _to_resident(row, roles)

    async def get(self, user_id: int) -> Resident | None:
        async with self.uow() as tx:
            repo = tx.users
            row = await repo.get(user_id)
            if row is None:
                return None
            return _to_resident(row, [(r.role, r.ward_id) for r in await repo.roles(row.id)])

    async def update(self, user_id: int, **fields: object) -> Resident:
        allowed = {"lang", "ward_id", "neighbourhood", "onboarded", "subscribed", "blocked"}
        if not set(fields) <= allowed:
            raise ValueError(f"cannot update {set(fields) - allowed}")
        async with self.uow() as tx:
            repo = tx.users
            row = await repo.get(user_id)
            if row is None:
                raise LookupError(user_id)
            for k, v in fields.items():
                setattr(row, k, v)
            await tx.flush()
            return _to_resident(row, [(r.role, r.ward_id) for r in await repo.roles(row.id)])

    async def mark_blocked(self, channel: str, external_id: int) -> None:
        """The user blocked the bot: stop sending to them until they write again."""
        async with self.uow() as tx:
            row = await tx.users.by_external(channel, external_id)
            if row is not None:
                row.blocked = True

    async def grant(self, user_id: int, role: Role, ward_id: str, by: int | None) -> bool:
        async with self.uow() as tx:
            return await tx.users.grant(user_id, role, ward_id, by, self.clock.now())

    async def revoke(self, user_id: int, role: Role, ward_id: str) -> bool:
        async with self.uow() as tx:
            return await tx.users.revoke(user_id, role, ward_id)
