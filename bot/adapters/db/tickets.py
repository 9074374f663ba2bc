"""Help-desk tables: tickets, their messages, staff groups bound to wards, and the staff audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.adapters.db.base import Base, UTCDateTime


class TicketRow(Base):
    """A resident's question to ward staff. `id` doubles as the short number shown to everyone (#12)."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    ward_id: Mapped[str] = mapped_column(String(40), index=True)
    neighbourhood: Mapped[str | None] = mapped_column(String(40), nullable=True)
    guide_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    staff_chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    thread_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    card_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    assigned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    first_answer_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_resident_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_staff_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(16), nullable=True)
    solved: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    resident_blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    reminded_unassigned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reminded_unanswered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class TicketMessageRow(Base):
    """One message in a ticket. `staff_message_id` is its copy in the staff group (maps replies back)."""

    __tablename__ = "ticket_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(16))  # resident | staff | note
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kind: Mapped[str] = mapped_column(String(16), default="text")
    text: Mapped[str] = mapped_column(Text, default="")  # already masked
    source_chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    source_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    staff_chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    staff_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class StaffGroupRow(Base):
    """A Telegram staff group serving one ward; `active` goes false when the bot is removed."""

    __tablename__ = "staff_groups"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    ward_id: Mapped[str] = mapped_column(String(40), index=True)
    is_forum: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    bound_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    bound_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    unassigned_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    unanswered_hours: Mapped[int | None] = mapped_column(Integer, nullable=True)
    hours_spec: Mapped[str | None] = mapped_column(String(200), nullable=True)
    last_digest_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class TicketAuditRow(Base):
    """Who did what to which ticket, and when (every staff action)."""

    __tablename__ = "ticket_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    ward_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class TicketRepo:
    """Implements `bot.app.ports.tickets.TicketRepository` on one session."""

    def __init__(self, session: AsyncSession):
        self.s = session

    async def get(self, ticket_id: int, *, lock: bool = False) -> TicketRow | None:
        q = select(TicketRow).where(TicketRow.id == ticket_id)
        if lock:
            q = q.with_for_update()
        return (await self.s.execute(q)).scalar_one_or_none()

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
    ) -> TicketRow:
        row = TicketRow(
            resident_id=resident_id,
            ward_id=ward_id,
            neighbourhood=neighbourhood,
            guide_id=guide_id,
            step=step,
            status=status,
            created_at=now,
            last_resident_at=now,
            resident_blocked=False,
        )
        self.s.add(row)
        await self.s.flush()
        return row

    async def _claim(self, ticket_id: int, conditions: list[Any], values: dict[str, Any]) -> bool:
        """A conditional UPDATE: True only for the one caller whose statement changed the row."""
        res = await self.s.execute(
            update(TicketRow)
            .where(TicketRow.id == ticket_id, *conditions)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(res.rowcount == 1)  # type: ignore[attr-defined]

    async def try_assign(
        self, ticket_id: int, user_id: int, now: dt.datetime, open_status: str, assigned_status: str
    ) -> bool:
        """Atomic claim: only one concurrent caller sees rowcount 1."""
        return await self._claim(
            ticket_id,
            [TicketRow.assignee_id.is_(None), TicketRow.status == open_status],
            {"assignee_id": user_id, "assigned_at": now, "status": assigned_status},
        )

    async def reassign(
        self,
        ticket_id: int,
        from_id: int | None,
        to_id: int,
        now: dt.datetime,
        closed_status: str,
        assigned_status: str,
    ) -> bool:
        """Atomic hand-over: only while the ticket is not closed and still `from_id`'s (None: nobody's)."""
        was = TicketRow.assignee_id.is_(None) if from_id is None else TicketRow.assignee_id == from_id
        return await self._claim(
            ticket_id,
            [was, TicketRow.status != closed_status],
            {"assignee_id": to_id, "assigned_at": now, "status": assigned_status},
        )

    async def claim_unassigned_reminder(self, ticket_id: int, now: dt.datetime) -> bool:
        return await self._claim(
            ticket_id,
            [TicketRow.assignee_id.is_(None), TicketRow.reminded_unassigned_at.is_(None)],
            {"reminded_unassigned_at": now},
        )

    async def claim_unanswered_reminder(self, ticket_id: int, waiting_since: dt.datetime, now: dt.datetime) -> bool:
        return await self._claim(
            ticket_id,
            [
                TicketRow.assignee_id.is_(None),
                or_(TicketRow.reminded_unanswered_at.is_(None), TicketRow.reminded_unanswered_at < waiting_since),
            ],
            {"reminded_unanswered_at": now},
        )

    async def claim_escalation(
        self, ticket_id: int, assignee_id: int, since: dt.datetime, now: dt.datetime, open_status: str
    ) -> bool:
        return await self._claim(
            ticket_id,
            [
                TicketRow.assignee_id == assignee_id,
                or_(TicketRow.escalated_at.is_(None), TicketRow.escalated_at < since),
            ],
            {
                "assignee_id": None,
                "assigned_at": None,
                "status": open_status,
                "escalated_at": now,
                "reminded_unanswered_at": now,
            },
        )

    async def latest_for_resident(self, resident_id: int) -> TicketRow | None:
        return (
            await self.s.execute(
                select(TicketRow).where(TicketRow.resident_id == resident_id).order_by(TicketRow.id.desc()).limit(1)
            )
        ).scalar_one_or_none()

    async def continuable_for_resident(
        self, resident_id: int, closed_status: str, closed_by: str, closed_since: dt.datetime
    ) -> TicketRow | None:
        row = await self.latest_for_resident(resident_id)  # one lookup on ix_tickets_resident_id
        if row is None:
            return None
        if row.status != closed_status:
            return row
        closed_at = row.closed_at
        if row.closed_by != closed_by or row.solved or row.rating is not None:
            return None
        if closed_at is None or closed_at < closed_since:
            return None
        return row

    async def for_resident(self, resident_id: int, limit: int = 10) -> list[TicketRow]:
        return list(
            (
                await self.s.execute(
                    select(TicketRow)
                    .where(TicketRow.resident_id == resident_id)
                    .order_by(TicketRow.id.desc())
                    .limit(limit)
                )
            ).scalars()
        )

    async def first_texts(self, ticket_ids: list[int], author: str) -> dict[int, str]:
        if not ticket_ids:
            return {}
        first = (
            select(func.min(TicketMessageRow.id))
            .where(TicketMessageRow.ticket_id.in_(ticket_ids), TicketMessageRow.author == author)
            .group_by(TicketMessageRow.ticket_id)
        )
        rows = await self.s.execute(
            select(TicketMessageRow.ticket_id, TicketMessageRow.text).where(TicketMessageRow.id.in_(first))
        )
        return {int(tid): text for tid, text in rows.all()}

    async def not_closed(self, closed_status: str) -> list[TicketRow]:
        return list(
            (
                await self.s.execute(select(TicketRow).where(TicketRow.status != closed_status).order_by(TicketRow.id))
            ).scalars()
        )

    async def by_thread(self, chat_id: int, thread_id: int) -> TicketRow | None:
        return (
            await self.s.execute(
                select(TicketRow)
                .where(TicketRow.staff_chat_id == chat_id, TicketRow.thread_id == thread_id)
                .order_by(TicketRow.id.desc())
                .limit(1)
            )
        ).scalar_one_or_none()

    async def by_staff_message(self, chat_id: int, message_id: int) -> TicketRow | None:
        row = (
            await self.s.execute(
                select(TicketRow).where(TicketRow.staff_chat_id == chat_id, TicketRow.card_message_id == message_id)
            )
        ).scalar_one_or_none()
        if row is not None:
            return row
        tid = (
            await self.s.execute(
                select(TicketMessageRow.ticket_id)
                .where(TicketMessageRow.staff_chat_id == chat_id, TicketMessageRow.staff_message_id == message_id)
                .limit(1)
            )
        ).scalar_one_or_none()
        return await self.get(tid) if tid is not None else None

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
    ) -> TicketMessageRow:
        row = TicketMessageRow(
            ticket_id=ticket_id,
            author=author,
            user_id=user_id,
            kind=kind,
            text=text,
            source_chat_id=source_chat_id,
            source_message_id=source_message_id,
            staff_chat_id=staff_chat_id,
            staff_message_id=staff_message_id,
            created_at=now,
        )
        self.s.add(row)
        await self.s.flush()
        return row

    async def messages(self, ticket_id: int) -> list[TicketMessageRow]:
        return list(
            (
                await self.s.execute(
                    select(TicketMessageRow)
                    .where(TicketMessageRow.ticket_id == ticket_id)
                    .order_by(TicketMessageRow.id)
                )
            ).scalars()
        )

    async def message(self, message_id: int) -> TicketMessageRow | None:
        return await self.s.get(TicketMessageRow, message_id)

    async def undelivered_messages(self, ticket_id: int) -> list[TicketMessageRow]:
        return list(
            (
                await self.s.execute(
                    select(TicketMessageRow)
                    .where(
                        TicketMessageRow.ticket_id == ticket_id,
                        TicketMessageRow.author == "resident",
                        TicketMessageRow.staff_message_id.is_(None),
                    )
                    .order_by(TicketMessageRow.id)
                )
            ).scalars()
        )

    async def forget_staff_copies(self, ticket_id: int) -> None:
        for m in await self.messages(ticket_id):
            m.staff_chat_id = m.staff_message_id = None

    async def audit(
        self,
        ticket_id: int | None,
        ward_id: str | None,
        actor_id: int | None,
        action: str,
        detail: str,
        now: dt.datetime,
    ) -> None:
        self.s.add(
            TicketAuditRow(
                ticket_id=ticket_id, ward_id=ward_id, actor_id=actor_id, action=action, detail=detail[:2000], at=now
            )
        )

    async def audit_trail(self, ticket_id: int) -> list[TicketAuditRow]:
        return list(
            (
                await self.s.execute(
                    select(TicketAuditRow).where(TicketAuditRow.ticket_id == ticket_id).order_by(TicketAuditRow.id)
                )
            ).scalars()
        )

    async def all(self) -> list[TicketRow]:
        return list((await self.s.execute(select(TicketRow).order_by(TicketRow.id))).scalars())

    async def users_with_role(self, role: str, ward_id: str) -> list[int]:
        """External ids of the users holding `role` in `ward_id` (e.g. the ward lead among officials)."""
        from bot.adapters.db.users import RoleRow, UserRow

        q = (
            select(UserRow.external_id)
            .join(RoleRow, RoleRow.user_id == UserRow.id)
            .where(RoleRow.role == role, RoleRow.ward_id == ward_id)
            .order_by(UserRow.id)
        )
        return [int(x) for x in (await self.s.execute(q)).scalars()]

    async def count_by_ward_and_status(self) -> list[tuple[str, str, int]]:
        q = select(TicketRow.ward_id, TicketRow.status, func.count()).group_by(TicketRow.ward_id, TicketRow.status)
        return [(str(w), str(st), int(n)) for w, st, n in (await self.s.execute(q)).all()]

    async def first_answer_times(self) -> list[tuple[str, dt.datetime, dt.datetime]]:
        q = select(TicketRow.ward_id, TicketRow.created_at, TicketRow.first_answer_at).where(
            TicketRow.first_answer_at.is_not(None)
        )
        return [(str(w), c, f) for w, c, f in (await self.s.execute(q)).all() if f is not None]


class StaffGroupRepo:
    """Implements `bot.app.ports.tickets.StaffGroupRepository` on one session."""

    def __init__(self, session: AsyncSession):
        self.s = session

    async def get(self, chat_id: int) -> StaffGroupRow | None:
        return await self.s.get(StaffGroupRow, chat_id)

    async def for_ward(self, ward_id: str) -> StaffGroupRow | None:
        """The ward's active group (the most recently bound one, if several)."""
        return (
            await self.s.execute(
                select(StaffGroupRow)
                .where(StaffGroupRow.ward_id == ward_id, StaffGroupRow.active.is_(True))
                .order_by(StaffGroupRow.bound_at.desc())
                .limit(1)
            )
        ).scalar_one_or_none()

    async def latest_for_ward(self, ward_id: str) -> StaffGroupRow | None:
        return (
            await self.s.execute(
                select(StaffGroupRow)
                .where(StaffGroupRow.ward_id == ward_id)
                .order_by(StaffGroupRow.bound_at.desc())
                .limit(1)
            )
        ).scalar_one_or_none()

    async def active(self) -> list[StaffGroupRow]:
        return list((await self.s.execute(select(StaffGroupRow).where(StaffGroupRow.active.is_(True)))).scalars())

    async def bind(self, chat_id: int, ward_id: str, is_forum: bool, by: int | None, now: dt.datetime) -> StaffGroupRow:
        row = await self.get(chat_id)
        if row is None:
            row = StaffGroupRow(
                chat_id=chat_id, ward_id=ward_id, is_forum=is_forum, active=True, bound_by=by, bound_at=now
            )
            self.s.add(row)
        else:
            row.ward_id, row.is_forum, row.active, row.bound_by, row.bound_at = ward_id, is_forum, True, by, now
        await self.s.flush()
        return row

    async def copy_to(self, old: StaffGroupRow, new_chat_id: int, now: dt.datetime) -> StaffGroupRow:
        row = StaffGroupRow(
            chat_id=new_chat_id,
            ward_id=old.ward_id,
            is_forum=False,
            active=True,
            bound_by=old.bound_by,
            bound_at=now,
            unassigned_minutes=old.unassigned_minutes,
            unanswered_hours=old.unanswered_hours,
            hours_spec=old.hours_spec,
            last_digest_on=old.last_digest_on,
        )
        self.s.add(row)
        await self.s.flush()
        return row

    async def claim_digest(self, chat_id: int, day: dt.date) -> bool:
        res = await self.s.execute(
            update(StaffGroupRow)
            .where(
                StaffGroupRow.chat_id == chat_id,
                or_(StaffGroupRow.last_digest_on.is_(None), StaffGroupRow.last_digest_on != day),
            )
            .values(last_digest_on=day)
            .execution_options(synchronize_session=False)
        )
        return bool(res.rowcount == 1)  # type: ignore[attr-defined]
