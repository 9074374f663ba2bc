"""Signing in to the web console without a password: a one-time link asked for in a private chat.

`/web` in a private chat with the bot gives staff, officials and admins a link valid for 10 minutes,
usable once, bound to the person and the role they sign in as. Only the SHA-256 of the link's token
is stored, so a copy of the database signs nobody in. The console then keeps its own session.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from bot.app.ports import Transactions
from bot.app.residents import Resident, ResidentService, Role
from bot.core.clock import Clock

LINK_TTL = dt.timedelta(minutes=10)
# The role a person signs in with: the widest they hold.
CONSOLE_ROLES = (Role.ADMIN, Role.OFFICIAL, Role.STAFF)


class NotConsoleUser(Exception):
    """The person holds no staff, official or admin role."""


@dataclass(frozen=True)
class ConsoleUser:
    """Who is signed in to the console, and as what."""

    person: Resident
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.person.is_admin

    def may(self, role: Role) -> bool:
        """Holds `role` in some ward (an admin holds every role)."""
        return self.person.is_admin or bool(self.person.wards_for(role))

    def wards(self, role: Role) -> set[str] | None:
        """The wards this person may act in with `role`; None = every ward (an admin)."""
        if self.person.is_admin:
            return None
        return self.person.wards_for(role)


def console_role(person: Resident) -> Role | None:
    for role in CONSOLE_ROLES:
        if role == Role.ADMIN and person.is_admin:
            return role
        if role != Role.ADMIN and person.wards_for(role):
            return role
    return None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class WebSignIn:
    def __init__(self, uow: Transactions, clock: Clock, residents: ResidentService):
        self.uow, self.clock, self.residents = uow, clock, residents

    async def issue(self, person: Resident) -> str:
        """A fresh one-time token for `person` (raises NotConsoleUser for a resident)."""
        role = console_role(person)
        if role is None:
            raise NotConsoleUser(person.id)
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        async with self.uow() as tx:
            await tx.console.add_link(token_hash(token), person.id, role, now, now + LINK_TTL)
            await tx.tickets.audit(None, None, person.id, "web_link", role, now)
        return token

    async def redeem(self, token: str) -> ConsoleUser | None:
        """The person a valid, unused link signs in; None when it is unknown, used or expired."""
        if not token or len(token) > 100:
            return None
        now = self.clock.now()
        async with self.uow() as tx:
            link = await tx.console.use_link(token_hash(token), now)
            if link is None:
                return None
            user_id, role = link.user_id, link.role
            await tx.tickets.audit(None, None, user_id, "web_signin", role, now)
        return await self.current(user_id, role)

    async def current(self, user_id: int, role: str) -> ConsoleUser | None:
        """The signed-in person, read again on every request: a revoked role ends the session."""
        person = await self.residents.get(user_id)
        if person is None or role not in {r.value for r in CONSOLE_ROLES}:
            return None
        r = Role(role)
        if r == Role.ADMIN and not person.is_admin:
            return None
        if r != Role.ADMIN and not person.wards_for(r) and not person.is_admin:
            return None
        return ConsoleUser(person, r)
