"""The web console's storage: one-time sign-in links, the ticket inbox's query, the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Protocol

from bot.app.ports.tickets import TicketAuditRecord, TicketRecord


class WebLinkRecord(Protocol):
    token_hash: str
    user_id: int
    role: str
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None


class ConsoleRepository(Protocol):
    async def add_link(
        self, token_hash: str, user_id: int, role: str, now: dt.datetime, expires_at: dt.datetime
    ) -> None: ...

    async def use_link(self, token_hash: str, now: dt.datetime) -> WebLinkRecord | None:
        """Marks an unused, unexpired link used and returns it; None if there is no such link (atomic:
        of two concurrent uses one wins)."""
        ...

    async def inbox(
        self,
        wards: Collection[str] | None,
        *,
        closed: bool | None,
        waiting: bool | None,
        created_before: dt.datetime | None,
        search: str,
        limit: int,
        assignee_id: int | None = None,
        unassigned: bool = False,
        neighbourhood: str | None = None,
    ) -> Sequence[TicketRecord]:
        """Tickets of `wards` (None = every ward), newest activity first. `waiting`: staff answered last;
        `unassigned`: nobody took it (else `assignee_id`: that person's); `neighbourhood`: of that tổ."""
        ...

    async def staff(self, wards: Collection[str] | None, role: str) -> Sequence[tuple[int, str]]:
        """(user id, name) of everyone holding `role` in one of `wards` (None = any ward), by name."""
        ...

    async def neighbourhoods(self, ward_id: str) -> Sequence[str]:
        """The distinct tổ dân phố seen on the ward's tickets."""
        ...

    async def names(self, user_ids: Collection[int]) -> dict[int, str]:
        """Display names of these users, in one query."""
        ...

    async def audit_log(self, wards: Collection[str] | None, limit: int) -> Sequence[TicketAuditRecord]: ...
