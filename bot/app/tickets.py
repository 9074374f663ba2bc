"""Tickets: a resident's question to ward staff, its messages, assignment, closing, rating and SLA.

Pure data and rules: no chat framework, no sending (that is `bot.app.helpdesk`). Every staff action is
checked against the actor's roles for the ticket's ward and written to the audit trail.

Exceptions (all `TicketError`):
    TicketError
    ├── TicketNotFound      no such ticket, or it belongs to someone else (residents never learn which)
    ├── NotAllowed          the actor has no staff role in the ticket's ward (or is not an admin)
    ├── TicketClosed        the ticket is closed; staff cannot reply to it
    └── AlreadyAssigned     someone else claimed it first (`.assignee_id`)
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import OrderedDict
from dataclasses import dataclass
from enum import StrEnum

from bot.app.ports import Transactions, UnitOfWork
from bot.app.ports.tickets import StaffGroupRecord, TicketMessageRecord, TicketRecord, TicketRepository
from bot.app.residents import Resident, Role
from bot.app.usage import UsageKind, UsageLog
from bot.core.clock import Clock
from bot.core.privacy import mask
from bot.core.working_hours import WorkingHours

# A closed ticket catches her next message for a day (issue 10): longer, and a new question asked
# days later would go to staff instead of getting its guide. Once she rated the answer it catches none.
REOPEN_WINDOW = dt.timedelta(hours=24)
DEFAULT_UNASSIGNED_MINUTES = 30
# Quy chế 3/2025 of iHanoi asks for an acknowledgement within 8 working hours; we aim for half.
DEFAULT_UNANSWERED_HOURS = 4
DIGEST_LOCAL_TIME = dt.time(8, 0)


class Status(StrEnum):
    OPEN = "open"  # waiting for someone to claim it
    ASSIGNED = "assigned"  # a staff member claimed it
    CLOSED = "closed"


class Author(StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"
    NOTE = "note"
    SYSTEM = "system"  # what the bot posted about the ticket in the staff group (replies to it map back)


class TicketError(Exception):
    """Base of the help-desk errors (see the module docstring)."""


class TicketNotFound(TicketError):
    pass


class NotAllowed(TicketError):
    pass


class TicketClosed(TicketError):
    pass


class AlreadyAssigned(TicketError):
    def __init__(self, assignee_id: int | None) -> None:
        super().__init__(assignee_id)
        self.assignee_id = assignee_id


@dataclass(frozen=True)
class Incoming:
    """A message a person sent: its kind, its text (or caption) and where it lives on the channel."""

    kind: str = "text"  # text | photo | voice | document | video | video_note | audio | other
    text: str = ""
    chat_id: int | None = None
    message_id: int | None = None


@dataclass(frozen=True)
class Ticket:
    id: int
    resident_id: int
    ward_id: str
    neighbourhood: str | None
    guide_id: str | None
    step: int | None
    status: Status
    assignee_id: int | None
    staff_chat_id: int | None
    thread_id: int | None
    card_message_id: int | None
    created_at: dt.datetime
    first_answer_at: dt.datetime | None
    last_resident_at: dt.datetime
    last_staff_at: dt.datetime | None
    closed_at: dt.datetime | None
    closed_by: str | None
    solved: bool | None
    rating: int | None
    resident_blocked: bool

    @property
    def number(self) -> int:
        return self.id

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    @property
    def delivered(self) -> bool:
        return self.card_message_id is not None


@dataclass(frozen=True)
class TicketMessage:
    id: int
    ticket_id: int
    author: Author
    kind: str
    text: str
    source_chat_id: int | None
    source_message_id: int | None
    staff_message_id: int | None
    masked_secrets: bool = False


@dataclass(frozen=True)
class StaffGroup:
    chat_id: int
    ward_id: str
    is_forum: bool
    active: bool
    unassigned_minutes: int
    unanswered_hours: int
    hours: WorkingHours


class SlaKind(StrEnum):
    UNASSIGNED = "unassigned"
    UNANSWERED = "unanswered"
    ESCALATED = "escalated"  # the assignee stayed silent: offered to the group, ward lead told


@dataclass(frozen=True)
class SlaEvent:
    kind: SlaKind
    ticket: Ticket
    group: StaffGroup
    previous_assignee_id: int | None = None


@dataclass(frozen=True)
class WardStats:
    ward_id: str
    by_status: dict[str, int]
    median_first_answer: dt.timedelta | None


def _ticket(r: TicketRecord) -> Ticket:
    return Ticket(
        id=r.id,
        resident_id=r.resident_id,
        ward_id=r.ward_id,
        neighbourhood=r.neighbourhood,
        guide_id=r.guide_id,
        step=r.step,
        status=Status(r.status),
        assignee_id=r.assignee_id,
        staff_chat_id=r.staff_chat_id,
        thread_id=r.thread_id,
        card_message_id=r.card_message_id,
        created_at=r.created_at,
        first_answer_at=r.first_answer_at,
        last_resident_at=r.last_resident_at,
        last_staff_at=r.last_staff_at,
        closed_at=r.closed_at,
        closed_by=r.closed_by,
        solved=r.solved,
        rating=r.rating,
        resident_blocked=bool(r.resident_blocked),
    )


def _message(r: TicketMessageRecord, masked: bool = False) -> TicketMessage:
    return TicketMessage(
        id=r.id,
        ticket_id=r.ticket_id,
        author=Author(r.author),
        kind=r.kind,
        text=r.text,
        source_chat_id=r.source_chat_id,
        source_message_id=r.source_message_id,
        staff_message_id=r.staff_message_id,
        masked_secrets=masked,
    )


def _group(r: StaffGroupRecord) -> StaffGroup:
    return StaffGroup(
        chat_id=r.chat_id,
        ward_id=r.ward_id,
        is_forum=bool(r.is_forum),
        active=bool(r.active),
        unassigned_minutes=r.unassigned_minutes or DEFAULT_UNASSIGNED_MINUTES,
        unanswered_hours=r.unanswered_hours or DEFAULT_UNANSWERED_HOURS,
        hours=WorkingHours.parse(r.hours_spec),
    )


def can_act(staff: Resident, ward_id: str) -> bool:
    """Only staff of the ward (or an admin) may act on its tickets."""
    return staff.has_role(Role.STAFF, ward_id)


class NoTicketCache:
    """Residents known to have no open or reopenable ticket, so their messages cost no query.

    Correct while one process opens and reopens this process's residents' tickets: the entry is
    dropped by every resident-side change (`TicketService` does that). Bounded (least recently
    used entries go first). With several instances, pass `enabled=False` (bootstrap does so when
    the bot runs with Redis): another instance may open her ticket without this one knowing.
    """

    def __init__(self, size: int = 100_000, *, enabled: bool = True) -> None:
        self.size, self.enabled = size, enabled
        self._ids: OrderedDict[int, None] = OrderedDict()

    def __contains__(self, resident_id: int) -> bool:
        if resident_id in self._ids:
            self._ids.move_to_end(resident_id)
            return True
        return False

    def add(self, resident_id: int) -> None:
        if not self.enabled:
            return
        self._ids[resident_id] = None
        self._ids.move_to_end(resident_id)
        while len(self._ids) > self.size:
            self._ids.popitem(last=False)

    def discard(self, resident_id: int) -> None:
        self._ids.pop(resident_id, None)


class TicketService:
    def __init__(
        self, uow: Transactions, clock: Clock, no_ticket: NoTicketCache | None = None, usage: UsageLog | None = None
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.no_ticket = no_ticket if no_ticket is not None else NoTicketCache()
        self.usage = usage  # notes "asked staff" (with her guide and step) for the ward's overview
        self.continuable_queries = 0  # how many times the follow-up check went to the database

    # --- resident side ------------------------------------------------------------------

    async def open(
        self, resident: Resident, first: Incoming, guide_id: str | None = None, step: int | None = None
    ) -> tuple[Ticket, TicketMessage]:
        if resident.ward_id is None:
            raise ValueError("a ticket needs the resident's ward")
        now = self.clock.now()
        self.no_ticket.discard(resident.id)
        async with self.uow() as tx:
            row = await tx.tickets.create(
                resident_id=resident.id,
                ward_id=resident.ward_id,
                neighbourhood=resident.neighbourhood,
                guide_id=guide_id,
                step=step,
                status=Status.OPEN,
                now=now,
            )
            msg = await self._add_resident_message(tx.tickets, row, first, now)
            await tx.tickets.audit(row.id, row.ward_id, resident.id, "open", f"guide={guide_id} step={step}", now)
            if self.usage is not None:
                await self.usage.add(tx, UsageKind.ASKED, resident, now, guide_id, step)
            return _ticket(row), msg

    async def _add_resident_message(
        self, repo: TicketRepository, row: TicketRecord, m: Incoming, now: dt.datetime
    ) -> TicketMessage:
        masked = mask(m.text or "")
        msg = await repo.add_message(
            ticket_id=row.id,
            author=Author.RESIDENT,
            user_id=row.resident_id,
            kind=m.kind,
            text=masked.text,
            source_chat_id=m.chat_id,
            source_message_id=m.message_id,
            now=now,
        )
        row.last_resident_at = now
        return _message(msg, bool(masked.found))

    async def open_for_resident(self, resident_id: int) -> Ticket | None:
        async with self.uow() as tx:
            row = await tx.tickets.latest_for_resident(resident_id)
            return _ticket(row) if row is not None and row.status != Status.CLOSED else None

    async def reopenable_for_resident(self, resident_id: int) -> Ticket | None:
        """A ticket staff closed in the last 24 h that the resident has neither confirmed as solved nor rated."""
        t = await self.continuable_for_resident(resident_id)
        return t if t is not None and not t.is_open else None

    async def continuable_for_resident(self, resident_id: int) -> Ticket | None:
        """Her open ticket, or the one staff closed < 24 h ago, unconfirmed and unrated.

        One query, and none for a resident known to have none."""
        if resident_id in self.no_ticket:
            return None
        self.continuable_queries += 1
        async with self.uow() as tx:
            row = await tx.tickets.continuable_for_resident(
                resident_id, Status.CLOSED, Author.STAFF, self.clock.now() - REOPEN_WINDOW
            )
            if row is None:
                self.no_ticket.add(resident_id)
                return None
            return _ticket(row)

    async def add_message(self, ticket_id: int, resident: Resident, m: Incoming) -> tuple[Ticket, TicketMessage]:
        """A later message from the resident; reopens a recently closed ticket."""
        now = self.clock.now()
        self.no_ticket.discard(resident.id)
        async with self.uow() as tx:
            row = await self._own(tx, ticket_id, resident)
            if row.status == Status.CLOSED:
                self._reopen(row)
                await tx.tickets.audit(row.id, row.ward_id, resident.id, "reopen", "resident wrote again", now)
            msg = await self._add_resident_message(tx.tickets, row, m, now)
            return _ticket(row), msg

    @staticmethod
    def _reopen(row: TicketRecord) -> None:
        row.status = Status.ASSIGNED if row.assignee_id is not None else Status.OPEN
        row.closed_at = row.closed_by = row.solved = row.rating = None
        row.reminded_unanswered_at = row.escalated_at = None

    async def reopen(self, ticket_id: int, resident: Resident) -> Ticket:
        now = self.clock.now()
        self.no_ticket.discard(resident.id)
        async with self.uow() as tx:
            row = await self._own(tx, ticket_id, resident)
            if row.status == Status.CLOSED:
                self._reopen(row)
                row.last_resident_at = now
                await tx.tickets.audit(row.id, row.ward_id, resident.id, "reopen", "not solved", now)
            return _ticket(row)

    async def close_by_resident(self, ticket_id: int, resident: Resident) -> Ticket:
        now = self.clock.now()
        self.no_ticket.discard(resident.id)
        async with self.uow() as tx:
            row = await self._own(tx, ticket_id, resident)
            if row.status != Status.CLOSED:
                row.status, row.closed_at, row.closed_by = Status.CLOSED, now, Author.RESIDENT
                await tx.tickets.audit(row.id, row.ward_id, resident.id, "close", "by resident", now)
            return _ticket(row)

    async def resolve(self, ticket_id: int, resident: Resident, solved: bool) -> Ticket:
        self.no_ticket.discard(resident.id)
        async with self.uow() as tx:
            row = await self._own(tx, ticket_id, resident)
            if row.status != Status.CLOSED:  # an old "Đã xong" button: she wrote again, it is open
                raise TicketError("resolve an open ticket")
            row.solved = solved
            await tx.tickets.audit(
                row.id, row.ward_id, resident.id, "solved" if solved else "not_solved", "", self.clock.now()
            )
            return _ticket(row)

    async def rate(self, ticket_id: int, resident: Resident, stars: int) -> Ticket:
        if not 1 <= stars <= 5:
            raise ValueError("rating is 1-5")
        async with self.uow() as tx:
            row = await self._own(tx, ticket_id, resident)
            if row.status != Status.CLOSED:
                raise TicketError("rate a closed ticket")
            row.rating = stars
            await tx.tickets.audit(row.id, row.ward_id, resident.id, "rate", str(stars), self.clock.now())
            return _ticket(row)

    async def list_for_resident(self, resident_id: int, limit: int = 10) -> list[tuple[Ticket, str]]:
        """The resident's own tickets, newest first, each with the start of its first message."""
        async with self.uow() as tx:
            rows = await tx.tickets.for_resident(resident_id, limit)
            firsts = await tx.tickets.first_texts([r.id for r in rows], Author.RESIDENT)
            return [(_ticket(row), firsts.get(row.id, "")[:80]) for row in rows]

    @staticmethod
    async def _own(tx: UnitOfWork, ticket_id: int, resident: Resident) -> TicketRecord:
        row = await tx.tickets.get(ticket_id)
        if row is None or row.resident_id != resident.id:
            raise TicketNotFound(ticket_id)
        return row

    # --- staff side ---------------------------------------------------------------------

    async def get(self, ticket_id: int) -> Ticket | None:
        async with self.uow() as tx:
            row = await tx.tickets.get(ticket_id)
            return _ticket(row) if row is not None else None

    async def messages(self, ticket_id: int) -> list[TicketMessage]:
        async with self.uow() as tx:
            return [_message(m) for m in await tx.tickets.messages(ticket_id)]

    async def find_for_staff_message(
        self, chat_id: int, thread_id: int | None, reply_to_id: int | None
    ) -> Ticket | None:
        """The ticket a staff message belongs to: its forum topic, else the message it replies to.

        In a forum every topic message replies to the topic's service message (id == thread id);
        that reply says nothing about the ticket, so the topic decides.
        """
        async with self.uow() as tx:
            repo = tx.tickets
            if thread_id is not None:
                row = await repo.by_thread(chat_id, thread_id)
                if row is not None:
                    return _ticket(row)
            if reply_to_id is not None and reply_to_id != thread_id:
                row = await repo.by_staff_message(chat_id, reply_to_id)
                if row is not None:
                    return _ticket(row)
            if thread_id is not None:  # the topic of a ticket that moved to another ward
                row = await repo.by_staff_message(chat_id, thread_id)
                if row is not None:
                    return _ticket(row)
            return None

    @staticmethod
    async def _staff_row(tx: UnitOfWork, ticket_id: int, staff: Resident) -> TicketRecord:
        row = await tx.tickets.get(ticket_id)
        if row is None:
            raise TicketNotFound(ticket_id)
        if not can_act(staff, row.ward_id):
            raise NotAllowed(row.ward_id)
        return row

    async def assign(self, ticket_id: int, staff: Resident) -> Ticket:
        """Claim a ticket. Atomic (`UPDATE … WHERE assignee_id IS NULL`): of two concurrent claims one wins."""
        now = self.clock.now()
        async with self.uow() as tx:
            row = await self._staff_row(tx, ticket_id, staff)
            if row.status == Status.CLOSED:
                raise TicketClosed(ticket_id)
            won = await tx.tickets.try_assign(ticket_id, staff.id, now, Status.OPEN, Status.ASSIGNED)
            if won:
                await tx.tickets.audit(ticket_id, row.ward_id, staff.id, "assign", "", now)
            await tx.refresh(row)
            if not won:
                if row.status == Status.CLOSED:
                    raise TicketClosed(ticket_id)
                raise AlreadyAssigned(row.assignee_id)
            return _ticket(row)

    async def give(self, ticket_id: int, actor: Resident, assignee: Resident) -> tuple[Ticket, int | None]:
        """`actor` (staff of the ward) gives the ticket to `assignee` (staff of the ward too): nobody's or
        someone else's. Atomic: it changes only if nobody changed it since it was read. Returns the
        ticket and who had it before (== assignee.id: nothing changed)."""
        now = self.clock.now()
        async with self.uow() as tx:
            row = await self._staff_row(tx, ticket_id, actor)
            if not can_act(assignee, row.ward_id):
                raise NotAllowed(row.ward_id)
            if row.status == Status.CLOSED:
                raise TicketClosed(ticket_id)
            before = row.assignee_id
            if before == assignee.id:
                return _ticket(row), before
            won = await tx.tickets.reassign(ticket_id, before, assignee.id, now, Status.CLOSED, Status.ASSIGNED)
            if won:
                detail = f"to {assignee.id}" + (f" from {before}" if before is not None else "")
                await tx.tickets.audit(ticket_id, row.ward_id, actor.id, "assign", detail, now)
            await tx.refresh(row)
            if not won:
                if row.status == Status.CLOSED:
                    raise TicketClosed(ticket_id)
                raise AlreadyAssigned(row.assignee_id)
            return _ticket(row), before

    async def reply(self, ticket_id: int, staff: Resident, m: Incoming) -> tuple[Ticket, TicketMessage]:
        """A staff answer to relay to the resident."""
        now = self.clock.now()
        async with self.uow() as tx:
            row = await self._staff_row(tx, ticket_id, staff)
            if row.status == Status.CLOSED:
                raise TicketClosed(ticket_id)
            # answering is claiming, unless someone claimed it a moment ago
            if row.assignee_id is None and await tx.tickets.try_assign(
                row.id, staff.id, now, Status.OPEN, Status.ASSIGNED
            ):
                await tx.refresh(row)
            row.first_answer_at = row.first_answer_at or now
            row.last_staff_at = now
            msg = await tx.tickets.add_message(
                ticket_id=row.id,
                author=Author.STAFF,
                user_id=staff.id,
                kind=m.kind,
                text=m.text or "",
                source_chat_id=m.chat_id,
                source_message_id=m.message_id,
                staff_chat_id=m.chat_id,
                staff_message_id=m.message_id,
                now=now,
            )
            await tx.tickets.audit(row.id, row.ward_id, staff.id, "reply", (m.text or m.kind)[:200], now)
            return _ticket(row), _message(msg)

    async def note(self, ticket_id: int, staff: Resident, text: str) -> Ticket:
        """An internal note: kept with the ticket, never relayed to the resident."""
        now = self.clock.now()
        async with self.uow() as tx:
            row = await self._staff_row(tx, ticket_id, staff)
            await tx.tickets.add_message(
                ticket_id=row.id, author=Author.NOTE, user_id=staff.id, kind="text", text=text, now=now
            )
            await tx.tickets.audit(row.id, row.ward_id, staff.id, "note", text[:200], now)
            return _ticket(row)

    async def record(self, ticket_id: int, staff: Resident, action: str, detail: str = "") -> Ticket:
        """A staff action with no other effect on the ticket (e.g. a guide sent), checked and audited."""
        async with self.uow() as tx:
            row = await self._staff_row(tx, ticket_id, staff)
            if row.status == Status.CLOSED:
                raise TicketClosed(ticket_id)
            await tx.tickets.audit(row.id, row.ward_id, staff.id, action, detail, self.clock.now())
            return _ticket(row)

    async def close_by_staff(self, ticket_id: int, staff: Resident) -> Ticket:
        now = self.clock.now()
        async with self.uow() as tx:
            row = await self._staff_row(tx, ticket_id, staff)
            if row.status == Status.CLOSED:
                raise TicketClosed(ticket_id)
            row.status, row.closed_at, row.closed_by, row.solved = Status.CLOSED, now, Author.STAFF, None
            await tx.tickets.audit(row.id, row.ward_id, staff.id, "close", "", now)
            return _ticket(row)

    async def move(self, ticket_id: int, staff: Resident, ward_id: str) -> Ticket:
        """Hand the ticket to another ward: unassigned, to be delivered to that ward's group."""
        now = self.clock.now()
        async with self.uow() as tx:
            row = await self._staff_row(tx, ticket_id, staff)
            if row.status == Status.CLOSED:
                raise TicketClosed(ticket_id)
            old = row.ward_id
            row.ward_id, row.assignee_id, row.assigned_at, row.status = ward_id, None, None, Status.OPEN
            row.staff_chat_id = row.thread_id = row.card_message_id = None
            row.reminded_unassigned_at = row.reminded_unanswered_at = row.escalated_at = None
            await tx.tickets.forget_staff_copies(row.id)
            await tx.tickets.audit(row.id, old, staff.id, "move", f"{old} -> {ward_id}", now)
            return _ticket(row)

    async def log(self, ward_id: str | None, actor: Resident, action: str, detail: str = "") -> None:
        """A staff or admin action that is not about one ticket (granting roles, binding groups)."""
        async with self.uow() as tx:
            await tx.tickets.audit(None, ward_id, actor.id, action, detail, self.clock.now())

    async def audit_trail(self, ticket_id: int) -> list[tuple[int | None, str, str, dt.datetime]]:
        async with self.uow() as tx:
            return [(a.actor_id, a.action, a.detail, a.at) for a in await tx.tickets.audit_trail(ticket_id)]

    # --- delivery bookkeeping (called by the help desk after sending) ------------------

    async def set_delivered(self, ticket_id: int, chat_id: int, thread_id: int | None, card_message_id: int) -> None:
        async with self.uow() as tx:
            row = await tx.tickets.get(ticket_id)
            if row is not None:
                row.staff_chat_id, row.thread_id, row.card_message_id = chat_id, thread_id, card_message_id

    async def set_message_delivered(self, message_id: int, chat_id: int, staff_message_id: int) -> None:
        async with self.uow() as tx:
            m = await tx.tickets.message(message_id)
            if m is not None:
                m.staff_chat_id, m.staff_message_id = chat_id, staff_message_id

    async def posted(self, ticket_id: int, chat_id: int, message_id: int, text: str) -> None:
        """Remember a bot message about the ticket in the staff group, so replies to it find the ticket."""
        async with self.uow() as tx:
            await tx.tickets.add_message(
                ticket_id=ticket_id,
                author=Author.SYSTEM,
                kind="text",
                text=text[:500],
                staff_chat_id=chat_id,
                staff_message_id=message_id,
                now=self.clock.now(),
            )

    async def undelivered(self, ticket_id: int) -> list[TicketMessage]:
        async with self.uow() as tx:
            return [_message(m) for m in await tx.tickets.undelivered_messages(ticket_id)]

    async def mark_resident_blocked(self, ticket_id: int) -> None:
        async with self.uow() as tx:
            row = await tx.tickets.get(ticket_id)
            if row is not None:
                row.resident_blocked = True
                await tx.tickets.audit(row.id, row.ward_id, None, "resident_blocked", "", self.clock.now())

    async def queued(self, ward_id: str | None = None) -> list[Ticket]:
        """Open tickets not (or no longer) in a staff group."""
        async with self.uow() as tx:
            rows = await tx.tickets.not_closed(Status.CLOSED)
            return [_ticket(r) for r in rows if r.card_message_id is None and (ward_id is None or r.ward_id == ward_id)]

    async def ward_leads(self, ward_id: str) -> list[int]:
        """Who leads the ward's help desk: its officials (external ids)."""
        async with self.uow() as tx:
            return await tx.tickets.users_with_role(Role.OFFICIAL, ward_id)

    # --- staff groups -------------------------------------------------------------------

    async def bind_group(self, chat_id: int, ward_id: str, is_forum: bool, admin: Resident | None) -> StaffGroup:
        """`admin=None` only for set-up scripts (the local chat's demo)."""
        if admin is not None and not admin.is_admin:
            raise NotAllowed("admin only")
        now = self.clock.now()
        by = admin.id if admin is not None else None
        async with self.uow() as tx:
            row = await tx.staff_groups.bind(chat_id, ward_id, is_forum, by, now)
            await tx.tickets.audit(None, ward_id, by, "bind_group", str(chat_id), now)
            return _group(row)

    async def group(self, chat_id: int) -> StaffGroup | None:
        async with self.uow() as tx:
            row = await tx.staff_groups.get(chat_id)
            return _group(row) if row is not None else None

    async def group_for_ward(self, ward_id: str) -> StaffGroup | None:
        """The active group, else the last one bound (for its SLA settings), else None."""
        async with self.uow() as tx:
            row = await tx.staff_groups.for_ward(ward_id) or await tx.staff_groups.latest_for_ward(ward_id)
            return _group(row) if row is not None else None

    async def configure_group(
        self,
        chat_id: int,
        admin: Resident,
        *,
        unassigned_minutes: int | None = None,
        unanswered_hours: int | None = None,
        hours_spec: str | None = None,
    ) -> StaffGroup:
        if not admin.is_admin:
            raise NotAllowed("admin only")
        if hours_spec is not None:
            WorkingHours.parse(hours_spec)  # raises HoursSpecError
        async with self.uow() as tx:
            row = await tx.staff_groups.get(chat_id)
            if row is None:
                raise TicketNotFound(chat_id)
            if unassigned_minutes is not None:
                row.unassigned_minutes = unassigned_minutes
            if unanswered_hours is not None:
                row.unanswered_hours = unanswered_hours
            if hours_spec is not None:
                row.hours_spec = hours_spec
            await tx.tickets.audit(
                None,
                row.ward_id,
                admin.id,
                "configure_group",
                f"{unassigned_minutes} {unanswered_hours} {hours_spec}",
                self.clock.now(),
            )
            return _group(row)

    async def migrate_group(self, old_chat_id: int, new_chat_id: int) -> StaffGroup | None:
        """A group became a supergroup (new chat id): the binding moves, its open tickets queue again."""
        async with self.uow() as tx:
            old = await tx.staff_groups.get(old_chat_id)
            if old is None or await tx.staff_groups.get(new_chat_id) is not None:
                return None
            result = _group(await tx.staff_groups.copy_to(old, new_chat_id, self.clock.now()))
        await self.deactivate_group(old_chat_id)
        return result

    async def deactivate_group(
        self, chat_id: int, actor: Resident | None = None, action: str = "group_lost"
    ) -> list[Ticket]:
        """The bot lost the group (or an admin unbound it, `actor`): its open tickets go back to the
        queue. Returns them."""
        now = self.clock.now()
        async with self.uow() as tx:
            g = await tx.staff_groups.get(chat_id)
            if g is None:
                return []
            g.active = False
            queued = []
            for row in await tx.tickets.not_closed(Status.CLOSED):
                if row.staff_chat_id == chat_id:
                    row.staff_chat_id = row.thread_id = row.card_message_id = None
                    await tx.tickets.forget_staff_copies(row.id)
                    queued.append(_ticket(row))
            await tx.tickets.audit(None, g.ward_id, actor.id if actor else None, action, str(chat_id), now)
            return queued

    # --- SLA, digest, stats -------------------------------------------------------------

    async def sla_due(self, now: dt.datetime) -> list[SlaEvent]:
        """Reminders and escalations due at `now`.

        Each is claimed with a conditional UPDATE in the database before it is returned, so that
        however many processes run the SLA loop on one database, each event is returned once.
        """
        events: list[SlaEvent] = []
        async with self.uow() as tx:
            repo = tx.tickets
            cache: dict[str, StaffGroup | None] = {}
            for row in await repo.not_closed(Status.CLOSED):
                if row.card_message_id is None:
                    continue
                if row.ward_id not in cache:
                    g = await tx.staff_groups.for_ward(row.ward_id)
                    cache[row.ward_id] = _group(g) if g is not None else None
                group = cache[row.ward_id]
                if group is None:
                    continue
                wh = group.hours
                waiting_since = row.last_resident_at
                answered = row.last_staff_at is not None and row.last_staff_at >= waiting_since
                if (
                    row.assignee_id is None
                    and row.reminded_unassigned_at is None
                    and wh.between(row.created_at, now) >= dt.timedelta(minutes=group.unassigned_minutes)
                ):
                    if await repo.claim_unassigned_reminder(row.id, now):
                        await tx.refresh(row)
                        events.append(SlaEvent(SlaKind.UNASSIGNED, _ticket(row), group))
                        await repo.audit(row.id, row.ward_id, None, "remind_unassigned", "", now)
                    continue
                if answered:
                    continue
                since = max(waiting_since, row.assigned_at or waiting_since)
                late = wh.between(since, now) >= dt.timedelta(hours=group.unanswered_hours)
                if not late:
                    continue
                if row.assignee_id is not None and (row.escalated_at is None or row.escalated_at < since):
                    prev = row.assignee_id
                    if await repo.claim_escalation(row.id, prev, since, now, Status.OPEN):
                        await tx.refresh(row)
                        events.append(SlaEvent(SlaKind.ESCALATED, _ticket(row), group, prev))
                        await repo.audit(row.id, row.ward_id, None, "escalate", f"assignee {prev} silent", now)
                elif (
                    row.assignee_id is None
                    and (row.reminded_unanswered_at is None or row.reminded_unanswered_at < waiting_since)
                    and await repo.claim_unanswered_reminder(row.id, waiting_since, now)
                ):
                    await tx.refresh(row)
                    events.append(SlaEvent(SlaKind.UNANSWERED, _ticket(row), group))
                    await repo.audit(row.id, row.ward_id, None, "remind_unanswered", "", now)
        return events

    async def digests_due(self, now: dt.datetime) -> list[tuple[StaffGroup, list[Ticket]]]:
        """Once per working day, after 08:00 local time: each active group's open tickets (claimed once)."""
        out = []
        async with self.uow() as tx:
            open_rows = await tx.tickets.not_closed(Status.CLOSED)
            for g in await tx.staff_groups.active():
                group = _group(g)
                local = group.hours.local(now)
                if local.time() < DIGEST_LOCAL_TIME or not group.hours.week[local.weekday()]:
                    continue
                if g.last_digest_on == local.date() or not await tx.staff_groups.claim_digest(g.chat_id, local.date()):
                    continue
                out.append((group, [_ticket(r) for r in open_rows if r.ward_id == g.ward_id]))
        return out

    async def stats(self) -> list[WardStats]:
        async with self.uow() as tx:
            counts = await tx.tickets.count_by_ward_and_status()
            rows = await tx.tickets.first_answer_times()
        by_ward: dict[str, dict[str, int]] = {}
        for ward, status, n in counts:
            by_ward.setdefault(ward, {})[status] = n
        waits: dict[str, list[float]] = {}
        for ward, created, first in rows:
            waits.setdefault(ward, []).append((_aware(first) - _aware(created)).total_seconds())
        return [
            WardStats(w, by_ward[w], dt.timedelta(seconds=statistics.median(waits[w])) if waits.get(w) else None)
            for w in sorted(by_ward)
        ]


def _aware(d: dt.datetime) -> dt.datetime:
    return d if d.tzinfo else d.replace(tzinfo=dt.UTC)
