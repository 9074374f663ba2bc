"""Usage events table: one row per resident action in a guide or question (bot.app.usage)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Date, Index, Integer, String, bindparam, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.adapters.db.base import Base, UTCDateTime


class UsageEventRow(Base):
    """No foreign key to users on purpose: the resident is a salted hash, never an id."""

    __tablename__ = "usage_events"
    __table_args__ = (
        # the overview filters on a date range (one ward or all), groups by kind, guide and step and counts
        # people: one covering index answers every query from the index alone; one index, not one per
        # filter, because each is written on residents' updates (the hot path)
        Index("ix_usage_events_day", "day", "kind", "ward_id", "guide_id", "step", "user_key"),
        # ...except the drop-off chart's people count (bot.adapters.db.stats.people_per_step): read in this
        # index's order, it counts each guide's, step's and label's people as it goes, where the day index
        # needs two sorts of every row in the range (90 days, all wards: 4-5x the time on SQLite, a sort
        # spilling to disk on PostgreSQL)
        Index("ix_usage_events_funnel", "funnel", "guide_id", "step", "user_key", "day", "ward_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    funnel: Mapped[str | None] = mapped_column(String(8), nullable=True)  # bot.app.usage.FUNNEL of `kind`
    user_key: Mapped[int] = mapped_column(BigInteger)  # bot.app.usage.pseudonym
    ward_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    neighbourhood: Mapped[str | None] = mapped_column(String(40), nullable=True)
    guide_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    day: Mapped[dt.date] = mapped_column(Date)  # Hà Nội date of `at`


class UsageRepo:
    """Implements `bot.app.ports.usage.UsageRepository` on one session."""

    def __init__(self, session: AsyncSession):
        self.s = session

    async def add(
        self,
        *,
        kind: str,
        funnel: str | None,
        user_key: int,
        ward_id: str | None,
        neighbourhood: str | None,
        guide_id: str | None,
        step: int | None,
        at: dt.datetime,
        day: dt.date,
    ) -> None:
        await self.s.execute(
            _insert_stmt(),
            {
                "kind": kind,
                "funnel": funnel,
                "user_key": user_key,
                "ward_id": ward_id,
                "neighbourhood": neighbourhood,
                "guide_id": guide_id,
                "step": step,
                "at": at,
                "day": day,
            },
        )


@cache
def _insert_stmt() -> Any:
    """Built once with bound parameters: it runs on most residents' updates."""
    cols = ("kind", "funnel", "user_key", "ward_id", "neighbourhood", "guide_id", "step", "at", "day")
    return insert(UsageEventRow.__table__).values({c: bindparam(c) for c in cols})  # Core: no ORM bulk path
