"""The web console's ticket use cases: the inbox, one ticket's page, answer / note / take / give / close, the audit log.

Ward scoping lives here, not in templates: staff see the tickets of the wards they are staff of (an
admin: every ward); another ward's ticket is `TicketNotFound`, as if it did not exist. Answers and
closing go through the same help-desk use cases as in the Telegram staff group (`StaffDesk`), so the
resident gets them through the same sender and the staff group's thread shows them too. Taking a
ticket is the staff group's "Nhận" (`StaffDesk.claim`); giving it to a colleague posts the same line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

from bot.app.helpdesk import HelpDesk, Sender, StaffAnswer
from bot.app.ports import Transactions, UnitOfWork
from bot.app.residents import Role
from bot.app.tickets import Author, NotAllowed, Ticket, TicketNotFound, _ticket
from bot.app.web_signin import ConsoleUser
from bot.core.clock import Clock

INBOX_LIMIT = 100
AUDIT_LIMIT = 200
MAX_TEXT = 4000  # a Telegram message holds 4096 characters; the prefix "Cán bộ phường trả lời:" takes some


class Box(StrEnum):
    """The inbox's status filter."""

    OPEN = "open"  # not closed, the resident wrote last: staff owe an answer
    WAITING = "waiting"  # not closed, staff answered last: waiting for the resident
    CLOSED = "closed"
    ALL = "all"


AGES = (0, 1, 3, 7)  # "older than N days" choices (0 = any age)


ANY = ""  # the assignee filter: anyone's or nobody's
MINE = "me"
NOBODY = "none"


@dataclass(frozen=True)
class InboxFilter:
    box: Box = Box.OPEN
    older_than_days: int = 0
    search: str = ""
    ward_id: str | None = None
    assignee: str = ANY  # ANY, MINE, NOBODY, or the id of a staff member of the wards shown
    neighbourhood: str = ""  # a tổ dân phố of the one ward shown ("" = any)


@dataclass(frozen=True)
class InboxRow:
    ticket: Ticket
    resident_name: str
    first_text: str
    assignee_name: str | None = None


@dataclass(frozen=True)
class Inbox:
    """The rows, the filter as applied (values it cannot use are dropped) and what the filters offer."""

    rows: list[InboxRow]
    filter: InboxFilter
    staff: list[tuple[int, str]]  # (user id, name) of the staff of the wards shown
    neighbourhoods: list[str]  # the tổ of the ward shown; none when several wards are shown


@dataclass(frozen=True)
class Line:
    """One line of a ticket's conversation as the console shows it (texts are stored masked)."""

    author: Author
    who: str
    kind: str
    text: str
    at: dt.datetime


@dataclass(frozen=True)
class TicketPage:
    ticket: Ticket
    resident_name: str
    lines: list[Line]
    guide_title: str | None
    step_label: str | None
    assignee_name: str | None
    staff: tuple[tuple[int, str], ...] = ()  # whom it can be given to: the ward's staff (id, name)


@dataclass(frozen=True)
class AuditLine:
    at: dt.datetime
    actor: str
    action: str
    ticket_id: int | None
    ward_id: str | None
    detail: str


class TextProblem(ValueError):
    """An empty or too long text from a form: `.code` names the message to show."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class AssignProblem(ValueError):
    """Taking or giving a ticket refused: `.code` is "closed" or "not_staff"."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def tdp_order(name: str) -> tuple[int, int, str]:
    """Tổ "2" before "10", numbers before names."""
    return (0, int(name), name) if name.isdigit() else (1, 0, name)


def clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise TextProblem("empty")
    if len(text) > MAX_TEXT:
        raise TextProblem("too_long")
    return text


class Console:
    def __init__(self, uow: Transactions, clock: Clock, helpdesk: HelpDesk):
        self.uow, self.clock, self.helpdesk = uow, clock, helpdesk

    @staticmethod
    def ticket_wards(user: ConsoleUser) -> set[str] | None:
        """Wards whose tickets the user may see: None = all (admin)."""
        return user.wards(Role.STAFF)

    async def inbox(self, user: ConsoleUser, f: InboxFilter) -> list[InboxRow]:
        return (await self.inbox_page(user, f)).rows

    async def inbox_page(self, user: ConsoleUser, f: InboxFilter) -> Inbox:
        """The inbox: scoped to the user's wards here, whatever the filter asks."""
        wards = self.ticket_wards(user)
        if f.ward_id:
            wards = {f.ward_id} & wards if wards is not None else {f.ward_id}
        if wards is not None and not wards:
            return Inbox([], replace(f, assignee=ANY, neighbourhood=""), [], [])
        shown = sorted(wards) if wards is not None else sorted(self.helpdesk.content.wards)
        async with self.uow() as tx:
            staff = list(await tx.console.staff(wards, Role.STAFF))
            tdps = await self._neighbourhoods(tx, shown[0]) if len(shown) == 1 else []
            assignee_id, unassigned, who = None, False, ANY
            if f.assignee == MINE:
                assignee_id, who = user.person.id, MINE
            elif f.assignee == NOBODY:
                unassigned, who = True, NOBODY
            elif f.assignee.isdigit() and int(f.assignee) in {uid for uid, _ in staff}:
                assignee_id, who = int(f.assignee), f.assignee
            tdp = f.neighbourhood if f.neighbourhood in tdps else ""
            closed = {Box.OPEN: False, Box.WAITING: False, Box.CLOSED: True}.get(f.box)
            waiting = {Box.OPEN: False, Box.WAITING: True}.get(f.box)
            before = self.clock.now() - dt.timedelta(days=f.older_than_days) if f.older_than_days > 0 else None
            rows = await tx.console.inbox(
                wards,
                closed=closed,
                waiting=waiting,
                created_before=before,
                search=f.search[:100],
                limit=INBOX_LIMIT,
                assignee_id=assignee_id,
                unassigned=unassigned,
                neighbourhood=tdp or None,
            )
            firsts = await tx.tickets.first_texts([r.id for r in rows], Author.RESIDENT)
            ids = {r.resident_id for r in rows} | {r.assignee_id for r in rows if r.assignee_id is not None}
            names = await self._names(tx, ids)
        out = [
            InboxRow(
                _ticket(r),
                names.get(r.resident_id, "?"),
                firsts.get(r.id, "")[:120],
                names.get(r.assignee_id, "?") if r.assignee_id is not None else None,
            )
            for r in rows
        ]
        return Inbox(out, replace(f, assignee=who, neighbourhood=tdp), staff, tdps)

    async def _neighbourhoods(self, tx: UnitOfWork, ward_id: str) -> list[str]:
        """The ward's tổ: its list in content/wards.yaml; while that is unknown, those seen on its tickets."""
        ward = self.helpdesk.content.wards.get(ward_id)
        known = ward.neighbourhoods if ward is not None else "unknown"
        names = list(known) if known != "unknown" else list(await tx.console.neighbourhoods(ward_id))
        return sorted(set(names), key=tdp_order)

    @staticmethod
    async def _names(tx: UnitOfWork, user_ids: set[int]) -> dict[int, str]:
        return await tx.console.names(user_ids)

    async def _visible(self, user: ConsoleUser, ticket_id: int) -> Ticket:
        t = await self.helpdesk.tickets.get(ticket_id)
        wards = self.ticket_wards(user)
        if t is None or (wards is not None and t.ward_id not in wards):
            raise TicketNotFound(ticket_id)
        return t

    async def ticket(self, user: ConsoleUser, ticket_id: int) -> TicketPage:
        t = await self._visible(user, ticket_id)
        async with self.uow() as tx:
            records = await tx.tickets.messages(ticket_id)
            ids = {m.user_id for m in records if m.user_id is not None} | {t.resident_id}
            if t.assignee_id is not None:
                ids.add(t.assignee_id)
            names = await self._names(tx, ids)
            staff = tuple(await tx.console.staff({t.ward_id}, Role.STAFF))
        lines = [
            Line(Author(m.author), names.get(m.user_id or 0, ""), m.kind, m.text, m.created_at)
            for m in records
            if m.author != Author.SYSTEM
        ]
        content = self.helpdesk.content
        guide = content.guide(t.guide_id) if t.guide_id else None
        lang = "vi"
        return TicketPage(
            ticket=t,
            resident_name=names.get(t.resident_id, "?"),
            lines=lines,
            guide_title=guide.title.get(lang) if guide else None,
            step_label=self.helpdesk._step_label(lang, guide.id, t.step or 0) if guide else None,
            assignee_name=names.get(t.assignee_id) if t.assignee_id is not None else None,
            staff=staff,
        )

    async def answer(self, user: ConsoleUser, ticket_id: int, text: str, sender: Sender) -> StaffAnswer:
        t = await self._visible(user, ticket_id)
        return await self.helpdesk.web_answer(user.person, t.id, clean_text(text), sender)

    async def note(self, user: ConsoleUser, ticket_id: int, text: str) -> StaffAnswer:
        t = await self._visible(user, ticket_id)
        return await self.helpdesk.note(user.person, t, clean_text(text))

    async def take(self, user: ConsoleUser, ticket_id: int, sender: Sender) -> StaffAnswer:
        """ "Nhận xử lý": the staff group's "Nhận" button, from the web (`.alert`: not taken, say why)."""
        t = await self._visible(user, ticket_id)
        if not t.is_open:
            raise AssignProblem("closed")
        return await self.helpdesk.claim(user.person, t.id, sender)

    async def give(self, user: ConsoleUser, ticket_id: int, staff_id: str, sender: Sender) -> StaffAnswer:
        """ "Giao cho…": to a staff member of the ticket's ward (`.alert`: not given, say why)."""
        t = await self._visible(user, ticket_id)
        if not t.is_open:
            raise AssignProblem("closed")
        async with self.uow() as tx:
            staff = {uid for uid, _ in await tx.console.staff({t.ward_id}, Role.STAFF)}
        if not (staff_id.isdigit() and len(staff_id) <= 12 and int(staff_id) in staff):
            raise AssignProblem("not_staff")
        return await self.helpdesk.give(user.person, t.id, int(staff_id), sender)

    async def close(self, user: ConsoleUser, ticket_id: int, sender: Sender) -> StaffAnswer:
        t = await self._visible(user, ticket_id)
        return await self.helpdesk.staff_close(user.person, t.id, sender)

    async def audit(self, user: ConsoleUser) -> list[AuditLine]:
        if not user.is_admin:
            raise NotAllowed("admin only")
        async with self.uow() as tx:
            rows = await tx.console.audit_log(None, AUDIT_LIMIT)
            names = await self._names(tx, {r.actor_id for r in rows if r.actor_id is not None})
        return [
            AuditLine(r.at, names.get(r.actor_id, "") if r.actor_id else "", r.action, r.ticket_id, r.ward_id, r.detail)
            for r in rows
        ]
