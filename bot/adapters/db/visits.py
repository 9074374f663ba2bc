"""Home-visit tables: team groups per ward, visit requests, visit logs, targets per tổ (issue 13)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.adapters.db.base import Base, UTCDateTime
from bot.adapters.db.db import Database
from bot.adapters.db.tickets import StaffGroupRepo
from bot.adapters.db.users import ProgressRow, UserRepo, UserRow


class TeamGroupRow(Base):
    """A Telegram group of a community digital team; `tos` lists the tổ it covers ("" = all of the ward)."""

    __tablename__ = "team_groups"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    ward_id: Mapped[str] = mapped_column(String(40), index=True)
    tos: Mapped[str] = mapped_column(String(400), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    bound_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class VisitRow(Base):
    """A resident's request for a home visit. `phone` is shown only to its taker and ward staff."""

    __tablename__ = "visit_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    ward_id: Mapped[str] = mapped_column(String(40), index=True)
    to: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")  # masked
    day_part: Mapped[str] = mapped_column(String(16))
    day_kind: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), index=True)
    team_chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    card_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    taker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    visit_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    taken_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)


class VisitLogRow(Base):
    """What a visit achieved. The household is the resident's user id; no ID numbers are kept."""

    __tablename__ = "visit_logs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("visit_requests.id", ondelete="CASCADE"), index=True)
    ward_id: Mapped[str] = mapped_column(String(40), index=True)
    to: Mapped[str] = mapped_column(String(40))
    household_id: Mapped[int] = mapped_column(Integer, index=True)
    member_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    apps: Mapped[str] = mapped_column(String(200), default="")
    skills: Mapped[str] = mapped_column(String(200), default="")
    smartphone: Mapped[bool] = mapped_column(Boolean, default=False)
    epay: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ToTargetRow(Base):
    __tablename__ = "to_targets"

    ward_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    to: Mapped[str] = mapped_column(String(40), primary_key=True)
    households: Mapped[int] = mapped_column(Integer)
    adults: Mapped[int] = mapped_column(Integer)


class WardTargetRow(Base):
    __tablename__ = "ward_targets"

    ward_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    smartphone_pct: Mapped[int] = mapped_column(Integer)
    epay_pct: Mapped[int] = mapped_column(Integer)


class VisitDigestRow(Base):
    """The ISO week whose progress message went to the ward's staff group (claimed once per week)."""

    __tablename__ = "visit_digests"

    ward_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    week: Mapped[str] = mapped_column(String(10))


class VisitRepo:
    """Implements `bot.app.ports.visits.VisitRepository` on one session."""

    def __init__(self, session: AsyncSession):
        self.s = session

    async def bind_team(self, chat_id: int, ward_id: str, tos: str, now: dt.datetime) -> TeamGroupRow:
        row = await self.s.get(TeamGroupRow, chat_id)
        if row is None:
            row = TeamGroupRow(chat_id=chat_id, ward_id=ward_id, tos=tos, active=True, bound_at=now)
            self.s.add(row)
        else:
            row.ward_id, row.tos, row.active, row.bound_at = ward_id, tos, True, now
        await self.s.flush()
        return row

    async def move_team(self, old_chat_id: int, new_chat_id: int) -> bool:
        """The group became a supergroup with a new id: its binding and its requests follow it."""
        old = await self.s.get(TeamGroupRow, old_chat_id)
        if old is None or await self.s.get(TeamGroupRow, new_chat_id) is not None:
            return False
        self.s.add(
            TeamGroupRow(
                chat_id=new_chat_id, ward_id=old.ward_id, tos=old.tos, active=old.active, bound_at=old.bound_at
            )
        )
        await self.s.delete(old)
        await self.s.execute(
            update(VisitRow).where(VisitRow.team_chat_id == old_chat_id).values(team_chat_id=new_chat_id)
        )
        await self.s.flush()
        return True

    async def deactivate_team(self, chat_id: int) -> None:
        row = await self.s.get(TeamGroupRow, chat_id)
        if row is not None:
            row.active = False
            await self.s.flush()

    async def team(self, chat_id: int) -> TeamGroupRow | None:
        return await self.s.get(TeamGroupRow, chat_id)

    async def teams(self, ward_id: str) -> list[TeamGroupRow]:
        q = (
            select(TeamGroupRow)
            .where(TeamGroupRow.ward_id == ward_id, TeamGroupRow.active.is_(True))
            .order_by(TeamGroupRow.bound_at.desc())
        )
        return list((await self.s.execute(q)).scalars())

    async def create(self, **values: object) -> VisitRow:
        row = VisitRow(**values)
        self.s.add(row)
        await self.s.flush()
        return row

    async def get(self, request_id: int, *, lock: bool = False) -> VisitRow | None:
        q = select(VisitRow).where(VisitRow.id == request_id)
        if lock:
            q = q.with_for_update()
        return (await self.s.execute(q)).scalar_one_or_none()

    async def of_resident(self, resident_id: int) -> list[VisitRow]:
        q = (
            select(VisitRow)
            .where(VisitRow.resident_id == resident_id, VisitRow.status.in_(("open", "taken", "proposed", "scheduled")))
            .order_by(VisitRow.id)
        )
        return list((await self.s.execute(q)).scalars())

    async def move(self, request_id: int, from_status: Sequence[str], **values: object) -> bool:
        res = await self.s.execute(
            update(VisitRow)
            .where(VisitRow.id == request_id, VisitRow.status.in_(list(from_status)))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(res.rowcount == 1)  # type: ignore[attr-defined]

    async def unrouted(self, ward_id: str) -> list[VisitRow]:
        q = select(VisitRow).where(
            VisitRow.ward_id == ward_id, VisitRow.status == "open", VisitRow.team_chat_id.is_(None)
        )
        return list((await self.s.execute(q.order_by(VisitRow.id))).scalars())

    async def route(self, request_id: int, chat_id: int) -> bool:
        res = await self.s.execute(
            update(VisitRow)
            .where(VisitRow.id == request_id, VisitRow.team_chat_id.is_(None))
            .values(team_chat_id=chat_id)
            .execution_options(synchronize_session=False)
        )
        return bool(res.rowcount == 1)  # type: ignore[attr-defined]

    async def due_reminders(self, before: dt.datetime) -> list[VisitRow]:
        q = select(VisitRow).where(
            VisitRow.status == "open", VisitRow.created_at <= before, VisitRow.reminded_at.is_(None)
        )
        return list((await self.s.execute(q.order_by(VisitRow.id))).scalars())

    async def claim_reminder(self, request_id: int, now: dt.datetime) -> bool:
        res = await self.s.execute(
            update(VisitRow)
            .where(VisitRow.id == request_id, VisitRow.reminded_at.is_(None))
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(res.rowcount == 1)  # type: ignore[attr-defined]

    async def add_log(self, **values: object) -> VisitLogRow:
        row = VisitLogRow(**values)
        self.s.add(row)
        await self.s.flush()
        return row

    async def logs(self, ward_id: str) -> list[VisitLogRow]:
        q = select(VisitLogRow).where(VisitLogRow.ward_id == ward_id).order_by(VisitLogRow.id)
        return list((await self.s.execute(q)).scalars())

    async def requests(self, ward_id: str) -> list[VisitRow]:
        q = select(VisitRow).where(VisitRow.ward_id == ward_id).order_by(VisitRow.id)
        return list((await self.s.execute(q)).scalars())

    async def targets(self, ward_id: str) -> list[ToTargetRow]:
        q = select(ToTargetRow).where(ToTargetRow.ward_id == ward_id)
        return list((await self.s.execute(q)).scalars())

    async def replace_targets(self, ward_id: str, rows: Sequence[tuple[str, int, int]]) -> None:
        await self.s.execute(delete(ToTargetRow).where(ToTargetRow.ward_id == ward_id))
        self.s.add_all(ToTargetRow(ward_id=ward_id, to=t, households=h, adults=a) for t, h, a in rows)
        await self.s.flush()

    async def ward_targets(self, ward_id: str) -> tuple[int, int] | None:
        row = await self.s.get(WardTargetRow, ward_id)
        return None if row is None else (row.smartphone_pct, row.epay_pct)

    async def set_ward_targets(self, ward_id: str, smartphone: int, epay: int) -> None:
        row = await self.s.get(WardTargetRow, ward_id)
        if row is None:
            self.s.add(WardTargetRow(ward_id=ward_id, smartphone_pct=smartphone, epay_pct=epay))
        else:
            row.smartphone_pct, row.epay_pct = smartphone, epay
        await self.s.flush()

    async def self_reports(self, ward_id: str) -> list[tuple[int, str | None, str, dt.datetime]]:
        q = (
            select(ProgressRow.user_id, UserRow.neighbourhood, ProgressRow.guide_id, ProgressRow.finished_at)
            .join(UserRow, UserRow.id == ProgressRow.user_id)
            .where(UserRow.ward_id == ward_id, ProgressRow.worked.is_(True), ProgressRow.finished_at.is_not(None))
        )
        return [(u, to, g, at) for u, to, g, at in (await self.s.execute(q)).all() if at is not None]

    async def claim_digest(self, ward_id: str, week: str) -> bool:
        res = await self.s.execute(
            update(VisitDigestRow)
            .where(VisitDigestRow.ward_id == ward_id, VisitDigestRow.week != week)
            .values(week=week)
            .execution_options(synchronize_session=False)
        )
        if res.rowcount == 1:  # type: ignore[attr-defined]
            return True
        try:
            async with self.s.begin_nested():
                self.s.add(VisitDigestRow(ward_id=ward_id, week=week))
        except IntegrityError:  # there is a row: this week's (someone else claimed it) or just claimed
            return False
        return True


class SqlVisitUnitOfWork:
    """Implements `bot.app.ports.visits.VisitUnitOfWork`: the visit tables plus users and staff groups."""

    def __init__(self, session: AsyncSession):
        self.session = session
        self.visits = VisitRepo(session)
        self.users = UserRepo(session)
        self.staff_groups = StaffGroupRepo(session)


class SqlVisitTransactions:
    """Implements `bot.app.ports.visits.VisitTransactions` on a `Database`."""

    def __init__(self, db: Database):
        self.db = db

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[SqlVisitUnitOfWork]:
        async with self.db.session() as s:
            yield SqlVisitUnitOfWork(s)
