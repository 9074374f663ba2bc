"""Questions the bot could not answer with confidence: what editors read to decide the next guide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Float, Integer, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.adapters.db.base import Base, UTCDateTime


class UnansweredRow(Base):
    """One declined or unsure question. The resident appears only as a salted hash."""

    __tablename__ = "unanswered"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ward_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    user_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(300))  # normalised, long numbers removed
    outcome: Mapped[str] = mapped_column(String(16))  # "unsure" | "none"
    topic: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the matcher's best guess, if any
    score: Mapped[float] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class UnansweredRepo:
    def __init__(self, session: AsyncSession):
        self.s = session

    async def add(
        self,
        *,
        ward_id: str | None,
        user_hash: str,
        text: str,
        outcome: str,
        topic: str | None,
        score: float,
        created_at: dt.datetime,
    ) -> None:
        self.s.add(
            UnansweredRow(
                ward_id=ward_id,
                user_hash=user_hash,
                text=text,
                outcome=outcome,
                topic=topic,
                score=score,
                created_at=created_at,
            )
        )
        await self.s.flush()

    async def recent(self, limit: int, since: dt.datetime | None = None) -> Sequence[UnansweredRow]:
        """The newest `limit` rows (newest first), optionally only those at or after `since`."""
        q = select(UnansweredRow)
        if since is not None:
            q = q.where(UnansweredRow.created_at >= since)
        q = q.order_by(UnansweredRow.created_at.desc(), UnansweredRow.id.desc()).limit(limit)
        return list((await self.s.execute(q)).scalars())
