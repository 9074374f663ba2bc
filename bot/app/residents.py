"""Who is talking to the bot: profile (language, ward, tổ dân phố, subscription) and roles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.app.ports import Transactions
from bot.app.ports.users import UserRecord
from bot.core.clock import Clock
from bot.core.voice import DEFAULT as DEFAULT_VOICE
from bot.core.voice import Lang


class Role(StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"
    OFFICIAL = "official"
    ADMIN = "admin"


ANY_WARD = "*"
TOUCH_EVERY = dt.timedelta(minutes=5)  # `last_seen_at` is kept to this precision: no write per message
LINKED_FIELDS = frozenset({"lang", "ward_id", "neighbourhood"})  # changed on one linked user, changed on both
CACHE_SIZE = 10_000  # people remembered by `identify` at most; the oldest entry goes first


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
    voice: str = DEFAULT_VOICE  # how the bot addresses them in Vietnamese: bot.core.voice.Voice

    @property
    def language(self) -> str:
        """The language code, carrying the form of address, so texts say "Chị" / "em" where chosen."""
        return Lang(self.lang or "vi", self.voice)

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
        voice=row.voice or DEFAULT_VOICE,
    )


@dataclass(frozen=True)
class _Seen:
    """What `identify` last read for one person, and when: enough to decide without the database."""

    resident: Resident
    read_at: dt.datetime
    last_seen_at: dt.datetime
    blocked: bool


class ResidentService:
    """Profiles and roles. `identify` runs for every update; with `cache_for` set it answers a
    person seen within that time from memory (no transaction at all), which is correct only where
    this process makes every change to users and roles (one instance: the embedded SQLite set-up,
    or PostgreSQL without Redis). Every change made here forgets the person at once; a change made
    by another process (the `bot` CLI granting a role) shows within `cache_for`."""

    def __init__(
        self,
        uow: Transactions,
        clock: Clock,
        admin_ids: list[int] | None = None,
        *,
        cache_for: dt.timedelta = dt.timedelta(0),
    ):
        self.uow = uow
        self.clock = clock
        self.admin_ids = set(admin_ids or [])
        self.cache_for = cache_for
        self._seen: dict[tuple[str, int], _Seen] = {}
        self._changes = 0  # counts changes: a read that overlapped one is not remembered

    def _forget(self, *, user_id: int | None = None, key: tuple[str, int] | None = None) -> None:
        self._changes += 1
        if key is not None:
            self._seen.pop(key, None)
        if user_id is not None:
            for k in [k for k, v in self._seen.items() if v.resident.id == user_id]:
                del self._seen[k]

    def forget(self, user_id: int) -> None:
        """Reads this person afresh next time (a use case changed them in its own transaction)."""
        self._forget(user_id=user_id)

    def _remember(self, key: tuple[str, int], seen: _Seen) -> None:
        if not self.cache_for:
            return
        self._seen.pop(key, None)
        self._seen[key] = seen
        while len(self._seen) > CACHE_SIZE:
            del self._seen[next(iter(self._seen))]

    def _recall(self, key: tuple[str, int], name: str, now: dt.datetime) -> Resident | None:
        seen = self._seen.get(key)
        if seen is None:
            return None
        if (
            now - seen.read_at >= self.cache_for
            or now - seen.last_seen_at >= TOUCH_EVERY
            or seen.blocked
            or (name and seen.resident.display_name != name)
        ):
            del self._seen[key]
            return None
        return seen.resident

    async def identify(self, channel: str, external_id: int, display_name: str = "") -> Resident:
        """Who wrote: one query for the user and their roles; a write only for a new user, a missing
        admin role, a new name, an unblock, or a `last_seen_at` older than `TOUCH_EVERY`."""
        now = self.clock.now()
        key = (channel, external_id)
        name = display_name[:128]
        if self.cache_for:
            cached = self._recall(key, name, now)
            if cached is not None:
                return cached
        changes = self._changes
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
            if row.blocked or (name and row.display_name != name) or now - row.last_seen_at >= TOUCH_EVERY:
                row.last_seen_at = now
                row.blocked = False  # they wrote to us, so they have not blocked the bot
                if name:
                    row.display_name = name
            resident = _to_resident(row, roles)
            seen = _Seen(resident, now, row.last_seen_at, row.blocked)
        if changes == self._changes:  # only once the transaction has ended well, and nothing changed meanwhile
            self._remember(key, seen)
        return resident

    async def get(self, user_id: int) -> Resident | None:
        async with self.uow() as tx:
            repo = tx.users
            row = await repo.get(user_id)
            if row is None:
                return None
            return _to_resident(row, [(r.role, r.ward_id) for r in await repo.roles(row.id)])

    async def update(self, user_id: int, **fields: object) -> Resident:
        allowed = {"lang", "voice", "ward_id", "neighbourhood", "onboarded", "subscribed", "blocked"}
        if not set(fields) <= allowed:
            raise ValueError(f"cannot update {set(fields) - allowed}")
        self._forget(user_id=user_id)
        async with self.uow() as tx:
            repo = tx.users
            row = await repo.get(user_id)
            if row is None:
                raise LookupError(user_id)
            for k, v in fields.items():
                setattr(row, k, v)
            shared = {k: v for k, v in fields.items() if k in LINKED_FIELDS}
            partner = await tx.links.partner(user_id) if shared else None
            if partner is not None and (other := await repo.get(partner)) is not None:
                for k, v in shared.items():  # her linked user on the other channel follows (bot.app.linking)
                    setattr(other, k, v)
            await tx.flush()
            resident = _to_resident(row, [(r.role, r.ward_id) for r in await repo.roles(row.id)])
        if partner is not None:
            self._forget(user_id=partner)
        return resident

    async def mark_blocked(self, channel: str, external_id: int) -> None:
        """The user blocked the bot: stop sending to them until they write again."""
        self._forget(key=(channel, external_id))
        async with self.uow() as tx:
            row = await tx.users.by_external(channel, external_id)
            if row is not None:
                row.blocked = True

    async def grant(self, user_id: int, role: Role, ward_id: str, by: int | None) -> bool:
        self._forget(user_id=user_id)
        async with self.uow() as tx:
            return await tx.users.grant(user_id, role, ward_id, by, self.clock.now())

    async def revoke(self, user_id: int, role: Role, ward_id: str) -> bool:
        self._forget(user_id=user_id)
        async with self.uow() as tx:
            return await tx.users.revoke(user_id, role, ward_id)
