"""Stored replies: what the bot could not send at once, for the reply worker to send later."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import BigInteger, Integer, String, Text, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.adapters.db.base import Base, UTCDateTime


class StoredReplyRow(Base):
    __tablename__ = "stored_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    next_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ReplyRepo:
    """Implements `bot.app.ports.replies.ReplyRepository` on one session."""

    def __init__(self, session: AsyncSession):
        self.s = session

    async def add(
        self, channel: str, chat_id: int, method: str, payload: str, error: str, now: dt.datetime, next_at: dt.datetime
    ) -> int:
        row = StoredReplyRow(
            channel=channel,
            chat_id=chat_id,
            method=method,
            payload=payload,
            status="pending",
            attempts=0,
            error=error[:300],
            created_at=now,
            next_at=next_at,
        )
        self.s.add(row)
        await self.s.flush()
        return row.id

    async def due(self, now: dt.datetime, limit: int, channel: str) -> Sequence[StoredReplyRow]:
        q = (
            select(StoredReplyRow)
            .where(StoredReplyRow.status == "pending", StoredReplyRow.next_at <= now, StoredReplyRow.channel == channel)
            .order_by(StoredReplyRow.id)
            .limit(limit)
        )
        return (await self.s.execute(q)).scalars().all()

    async def claim(self, reply_id: int, now: dt.datetime) -> bool:
        won = await self.s.execute(
            update(StoredReplyRow)
            .where(StoredReplyRow.id == reply_id, StoredReplyRow.status == "pending")
            .values(status="sending", claimed_at=now, attempts=StoredReplyRow.attempts + 1)
        )
        return getattr(won, "rowcount", 0) == 1

    async def finish(self, reply_id: int, status: str, now: dt.datetime, error: str | None = None) -> None:
        values: dict[str, object] = {"status": status, "claimed_at": None}
        if status == "sent":
            values["sent_at"] = now
        if error is not None:
            values["error"] = error[:300]
        await self.s.execute(update(StoredReplyRow).where(StoredReplyRow.id == reply_id).values(**values))

    async def retry_later(self, reply_id: int, next_at: dt.datetime, error: str) -> None:
        await self.s.execute(
            update(StoredReplyRow)
            .where(StoredReplyRow.id == reply_id)
            .values(status="pending", claimed_at=None, next_at=next_at, error=error[:300])
        )

    async def release_stale(self, before: dt.datetime) -> int:
        res = await self.s.execute(
            update(StoredReplyRow)
            .where(StoredReplyRow.status == "sending", StoredReplyRow.claimed_at < before)
            .values(status="pending", claimed_at=None)
        )
        return int(getattr(res, "rowcount", 0) or 0)

    async def counts(self, since: dt.datetime) -> dict[str, int]:
        q = (
            select(StoredReplyRow.status, func.count())
            .where(StoredReplyRow.created_at >= since)
            .group_by(StoredReplyRow.status)
        )
        return {status: int(n) for status, n in (await self.s.execute(q)).all()}

    async def recent(self, limit: int, status: str | None = None) -> Sequence[StoredReplyRow]:
        q = select(StoredReplyRow).order_by(StoredReplyRow.id.desc()).limit(limit)
        if status is not None:
            q = q.where(StoredReplyRow.status == status)
        return (await self.s.execute(q)).scalars().all()
