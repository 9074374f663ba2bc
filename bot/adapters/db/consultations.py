"""Consultations (lấy ý kiến): the question, its options and period, and one vote row per resident.

`SqlConsultations` is the feature's own store (`bot.app.ports.consultations.ConsultationStore`):
one session, one transaction per `async with`, beside the shared unit of work rather than inside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager

from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    ForeignKey,
    Integer,
    String,
    Text,
    and_,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, aliased, mapped_column

from bot.adapters.db.base import Base, UTCDateTime
from bot.adapters.db.db import Database, dialect_insert
from bot.adapters.db.linking import UserLinkRow
from bot.app.ports.consultations import NewConsultation, VoteCount


class ConsultationRow(Base):
    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ward_id: Mapped[str] = mapped_column(String(40), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    author_chat_id: Mapped[int] = mapped_column(BigInteger)
    question: Mapped[str] = mapped_column(Text)
    options: Mapped[str] = mapped_column(Text)  # one per line
    audience: Mapped[str] = mapped_column(String(8))
    neighbourhoods: Mapped[str] = mapped_column(String(400), default="")
    closes_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    allow_change: Mapped[bool] = mapped_column(Boolean)
    show_results: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(8), default="open", index=True)
    notice_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class VoteRow(Base):
    """One resident's answer to one consultation: the primary key is the one-vote rule."""

    __tablename__ = "consultation_votes"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    option: Mapped[int] = mapped_column(Integer)
    neighbourhood: Mapped[str] = mapped_column(String(40), default="")
    voted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    changes: Mapped[int] = mapped_column(Integer, default=0)


class ConsultationRepo:
    def __init__(self, session: AsyncSession):
        self.s = session

    async def add(self, new: NewConsultation) -> ConsultationRow:
        row = ConsultationRow(
            ward_id=new.ward_id,
            author_id=new.author_id,
            author_chat_id=new.author_chat_id,
            question=new.question,
            options=new.options,
            audience=new.audience,
            neighbourhoods=new.neighbourhoods,
            closes_at=new.closes_at,
            allow_change=new.allow_change,
            show_results=new.show_results,
            status="open",
            created_at=new.created_at,
        )
        self.s.add(row)
        await self.s.flush()
        return row

    async def get(self, consultation_id: int, lock: bool = False) -> ConsultationRow | None:
        q = select(ConsultationRow).where(ConsultationRow.id == consultation_id)
        if lock:
            q = q.with_for_update()
        return (await self.s.execute(q)).scalar_one_or_none()

    async def list_for_wards(self, ward_ids: Iterable[str] | None, limit: int = 20) -> list[ConsultationRow]:
        q = select(ConsultationRow)
        if ward_ids is not None:
            q = q.where(ConsultationRow.ward_id.in_(list(ward_ids)))
        return list((await self.s.execute(q.order_by(ConsultationRow.id.desc()).limit(limit))).scalars())

    async def due_to_close(self, now: dt.datetime) -> list[int]:
        q = select(ConsultationRow.id).where(ConsultationRow.status == "open", ConsultationRow.closes_at <= now)
        return list((await self.s.execute(q.order_by(ConsultationRow.id))).scalars())

    async def close(self, consultation_id: int, now: dt.datetime) -> bool:
        res = await self.s.execute(
            update(ConsultationRow)
            .where(ConsultationRow.id == consultation_id, ConsultationRow.status == "open")
            .values(status="closed", closed_at=now)
        )
        return bool(getattr(res, "rowcount", 0))

    async def vote_of(self, consultation_id: int, user_id: int) -> VoteRow | None:
        q = select(VoteRow).where(VoteRow.consultation_id == consultation_id, VoteRow.user_id == user_id)
        return (await self.s.execute(q)).scalar_one_or_none()

    async def person(self, user_id: int) -> tuple[int, ...]:
        partner = await self.s.scalar(select(UserLinkRow.partner_id).where(UserLinkRow.user_id == user_id))
        return (user_id,) if partner is None else tuple(sorted((user_id, partner)))

    async def vote_among(self, consultation_id: int, user_ids: Sequence[int]) -> VoteRow | None:
        q = (
            select(VoteRow)
            .where(VoteRow.consultation_id == consultation_id, VoteRow.user_id.in_(list(user_ids)))
            .order_by(VoteRow.voted_at.desc(), VoteRow.user_id)
            .limit(1)
        )
        return (await self.s.execute(q)).scalar_one_or_none()

    async def add_vote(
        self, consultation_id: int, user_id: int, option: int, neighbourhood: str, now: dt.datetime
    ) -> bool:
        q = (
            dialect_insert(self.s, VoteRow)
            .values(
                consultation_id=consultation_id,
                user_id=user_id,
                option=option,
                neighbourhood=neighbourhood[:40],
                voted_at=now,
                changes=0,
            )
            .on_conflict_do_nothing(index_elements=["consultation_id", "user_id"])
            .returning(VoteRow.user_id)
        )
        return (await self.s.execute(q)).scalar_one_or_none() is not None

    async def change_vote(self, consultation_id: int, user_id: int, option: int, now: dt.datetime) -> None:
        await self.s.execute(
            update(VoteRow)
            .where(VoteRow.consultation_id == consultation_id, VoteRow.user_id == user_id)
            .values(option=option, voted_at=now, changes=VoteRow.changes + 1)
        )

    async def counts(self, consultation_id: int) -> list[VoteCount]:
        q = (
            select(VoteRow.neighbourhood, VoteRow.option, func.count())
            .where(VoteRow.consultation_id == consultation_id, _counted())
            .group_by(VoteRow.neighbourhood, VoteRow.option)
        )
        return [VoteCount(n, o, c) for n, o, c in (await self.s.execute(q)).all()]

    async def votes(self, consultation_id: int) -> Sequence[VoteRow]:
        q = select(VoteRow).where(VoteRow.consultation_id == consultation_id).order_by(VoteRow.user_id)
        return list((await self.s.execute(q)).scalars())


def _counted() -> ColumnElement[bool]:
    """Not outdone by her linked user's vote (both users voted before they were linked): the later one counts."""
    other = aliased(VoteRow)
    newer = (
        select(literal(1))
        .select_from(UserLinkRow)
        .join(other, and_(other.user_id == UserLinkRow.partner_id, other.consultation_id == VoteRow.consultation_id))
        .where(
            UserLinkRow.user_id == VoteRow.user_id,
            or_(
                other.voted_at > VoteRow.voted_at,
                and_(other.voted_at == VoteRow.voted_at, other.user_id < VoteRow.user_id),
            ),
        )
    )
    return ~newer.exists()


class SqlConsultations:
    """Implements `ConsultationStore` on a `Database`."""

    def __init__(self, db: Database):
        self.db = db

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[ConsultationRepo]:
        async with self.db.session() as s:
            yield ConsultationRepo(s)
