"""Learned phrasings (see `bot.app.learning`): one row per guide and text, pending until reviewed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Integer, String, UniqueConstraint, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.adapters.db.base import Base, UTCDateTime
from bot.adapters.db.db import dialect_insert


class LearnedRow(Base):
    __tablename__ = "learned_phrasings"
    __table_args__ = (UniqueConstraint("guide_id", "text", name="uq_learned_guide_text"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    guide_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(300))  # normalised, long numbers removed
    status: Mapped[str] = mapped_column(String(16), index=True)
    source: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class LearnedRepo:
    def __init__(self, session: AsyncSession):
        self.s = session

    async def suggest(self, guide_id: str, text: str, source: str, now: dt.datetime) -> bool:
        stmt = (
            dialect_insert(self.s, LearnedRow)
            .values(guide_id=guide_id, text=text, status="pending", source=source, created_at=now)
            .on_conflict_do_nothing(index_elements=["guide_id", "text"])
        )
        result = await self.s.execute(stmt)
        return bool(getattr(result, "rowcount", 0))

    async def pending(self, limit: int = 50) -> Sequence[LearnedRow]:
        q = select(LearnedRow).where(LearnedRow.status == "pending").order_by(LearnedRow.id).limit(limit)
        return list((await self.s.execute(q)).scalars())

    async def decide(self, phrasing_id: int, status: str, now: dt.datetime) -> LearnedRow | None:
        result = await self.s.execute(
            update(LearnedRow)
            .where(LearnedRow.id == phrasing_id, LearnedRow.status == "pending")
            .values(status=status, decided_at=now)
            .returning(LearnedRow)
        )
        return result.scalar_one_or_none()

    async def accepted(self) -> Sequence[LearnedRow]:
        q = select(LearnedRow).where(LearnedRow.status == "accepted").order_by(LearnedRow.id)
        return list((await self.s.execute(q)).scalars())

    async def version(self) -> tuple[int, dt.datetime | None]:
        q = select(func.count(LearnedRow.id), func.max(LearnedRow.decided_at)).where(LearnedRow.status == "accepted")
        count, last = (await self.s.execute(q)).one()
        return int(count), last
