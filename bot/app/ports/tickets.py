"""Help desk: tickets, their messages, staff groups bound to wards, the audit trail.

Records are attribute bags the use cases read and change (changes are saved when the unit of work
ends). Conditional writes that must win once across processes (claiming a ticket, an SLA reminder,
the daily digest) are repository methods returning whether this caller won.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class TicketRecord(Protocol):
    id: int
    resident_id: int
    ward_id: str
    neighbourhood: str | None
    guide_id: str | None
    step: int | None
    status: str
    assignee_id: int | None
    staff_chat_id: int | None
    thread_id: int | None
    card_message_id: int | None
    created_at: dt.datetime
    assigned_at: dt.datetime | None
    first_answer_at: dt.datetime | None
    last_resident_at: dt.datetime
    last_staff_at: dt.datetime | None
    closed_at: dt.datetime | None
    closed_by: str | None
    solved: bool | None
    rating: int | None
    resident_blocked: bool
    reminded_unassigned_at: dt.datetime | None
    reminded_unanswered_at: dt.datetime | None
    escalated_at: dt.datetime | None


class TicketMessageRecord(Protocol):
    id: int
    ticket_id: int
    author: str
    user_id: int | None
    kind: str
    text: str
    source_chat_id: int | None
    source_message_id: int | None
    staff_chat_id: int | None
    staff_message_id: int | None
    created_at: dt.datetime


class StaffGroupRecord(Protocol):
    chat_id: int
    ward_id: str
    is_forum: bool
    active: bool
    bound_by: int | None
    bound_at: dt.datetime
    unassigned_minutes: int | None
    unanswered_hours: int | None
    hours_spec: str | None
    last_digest_on: dt.date | None


class TicketAuditRecord(Protocol):
    ticket_id: int | None
    ward_id: str | None
    actor_id: int | None
    action: str
    detail: str
    at: dt.datetime


class TicketRepository(Protocol):
    async def get(self, ticket_id: int) -> TicketRecord | None: ...
    async def create(
        self,
        *,
        resident_id: int,
        ward_id: str,
        neighbourhood: str | None,
        guide_id: str | None,
        step: int | None,
        status: str,
        now: dt.datetime,
    ) -> TicketRecord: ...
    async def try_assign(
        self, ticket_id: int, user_id: int, now: dt.datetime, open_status: str, assigned_status: str
    ) -> bool:
        """Atomic claim (`UPDATE … WHERE assignee_id IS NULL`): only one concurrent caller gets True."""
        ...

    async def reassign(
        self,
        ticket_id: int,
        from_id: int | None,
        to_id: int,
        now: dt.datetime,
        closed_status: str,
        assigned_status: str,
    ) -> bool:
        """Atomic hand-over to `to_id`, only while not closed and still `from_id`'s (None: nobody's)."""
        ...

    async def latest_for_resident(self, resident_id: int) -> TicketRecord | None: ...
    async def continuable_for_resident(
        self, resident_id: int, closed_status: str, closed_by: str, closed_since: dt.datetime
    ) -> TicketRecord | None:
        """The resident's latest ticket if it is open, or closed by `closed_by` since `closed_since` and
        not confirmed solved; else None. One indexed query."""
        ...

    async def for_resident(self, resident_id: int, limit: int = 10) -> list[TicketRecord]: ...
    async def first_texts(self, ticket_ids: list[int], author: str) -> dict[int, str]:
        """The first message of `author` in each ticket (ticket id → text), in one query."""
        ...

    async def not_closed(self, closed_status: str) -> list[TicketRecord]: ...
    async def by_thread(self, chat_id: int, thread_id: int) -> TicketRecord | None: ...
    async def by_staff_message(self, chat_id: int, message_id: int) -> TicketRecord | None: ...
    async def add_message(
        self,
        *,
        ticket_id: int,
        author: str,
        kind: str,
        text: str,
        now: dt.datetime,
        user_id: int | None = None,
        source_chat_id: int | None = None,
        source_message_id: int | None = None,
        staff_chat_id: int | None = None,
        staff_message_id: int | None = None,
    ) -> TicketMessageRecord: ...
    async def messages(self, ticket_id: int) -> list[TicketMessageRecord]: ...
    async def message(self, message_id: int) -> TicketMessageRecord | None: ...
    async def undelivered_messages(self, ticket_id: int) -> list[TicketMessageRecord]: ...
    async def forget_staff_copies(self, ticket_id: int) -> None:
        """The ticket left its staff group: none of its messages has a copy there any more."""
        ...

    async def audit(
        self,
        ticket_id: int | None,
        ward_id: str | None,
        actor_id: int | None,
        action: str,
        detail: str,
        now: dt.datetime,
    ) -> None: ...
    async def audit_trail(self, ticket_id: int) -> list[TicketAuditRecord]: ...
    async def users_with_role(self, role: str, ward_id: str) -> list[int]:
        """External ids of the users holding `role` in `ward_id` (e.g. the ward's officials)."""
        ...

    async def count_by_ward_and_status(self) -> list[tuple[str, str, int]]: ...
    async def first_answer_times(self) -> list[tuple[str, dt.datetime, dt.datetime]]:
        """(ward, created_at, first_answer_at) of every answered ticket."""
        ...

    # SLA: each returns True for exactly one caller, however many processes run the loop.
    async def claim_unassigned_reminder(self, ticket_id: int, now: dt.datetime) -> bool: ...
    async def claim_unanswered_reminder(self, ticket_id: int, waiting_since: dt.datetime, now: dt.datetime) -> bool: ...
    async def claim_escalation(
        self, ticket_id: int, assignee_id: int, since: dt.datetime, now: dt.datetime, open_status: str
    ) -> bool: ...


class StaffGroupRepository(Protocol):
    async def get(self, chat_id: int) -> StaffGroupRecord | None: ...
    async def for_ward(self, ward_id: str) -> StaffGroupRecord | None:
        """The ward's active group (the most recently bound one, if several)."""
        ...

    async def latest_for_ward(self, ward_id: str) -> StaffGroupRecord | None: ...
    async def active(self) -> list[StaffGroupRecord]: ...
    async def bind(
        self, chat_id: int, ward_id: str, is_forum: bool, by: int | None, now: dt.datetime
    ) -> StaffGroupRecord: ...
    async def copy_to(self, old: StaffGroupRecord, new_chat_id: int, now: dt.datetime) -> StaffGroupRecord:
        """A new active, non-forum binding for `new_chat_id` with `old`'s ward and settings."""
        ...

    async def claim_digest(self, chat_id: int, day: dt.date) -> bool:
        """Marks the group's digest for `day` as sent; True for exactly one caller per day."""
        ...
