"""Once-a-day claims: `INSERT … ON CONFLICT DO NOTHING` on the key (kind, day); the one insert that
lands wins, on SQLite and PostgreSQL alike, however many instances try at the same moment."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.adapters.db.base import Base, UTCDateTime
from bot.adapters.db.db import dialect_insert


class DailyClaimRow(Base):
    __tablename__ = "daily_claims"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    claimed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class DailyClaimRepo:
    """Implements `bot.app.ports.claims.DailyClaims` on one session."""

    def __init__(self, session: AsyncSession):
        self.s = session

    async def claim(self, kind: str, day: dt.date, now: dt.datetime) -> bool:
        stmt = (
            dialect_insert(self.s, DailyClaimRow)
            .values(kind=kind, day=day, claimed_at=now)
            .on_conflict_do_nothing(index_elements=["kind", "day"])
        )
        res = await self.s.execute(stmt)
        return bool(res.rowcount == 1)
