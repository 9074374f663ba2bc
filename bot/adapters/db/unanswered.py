"""Questions the bot could not answer with confidence: what editors read to decide the next guide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy import Float, Integer, String, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.adapters.db.base import Base, UTCDateTime
from bot.adapters.db.drafts import GuideDraftRow


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


class UnansweredDecisionRow(Base):
    """A phrasing taken off the list in the console: assigned to a guide or out of scope."""

    __tablename__ = "unanswered_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ward_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)  # None: every ward
    text: Mapped[str] = mapped_column(String(300))
    decision: Mapped[str] = mapped_column(String(16))  # "assigned" | "out_of_scope" | "draft_started"
    guide_id: Mapped[str | None] = mapped_column(String(64), nullable=True)  # "draft:<id>" for a draft
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


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

    async def recent(
        self, limit: int, since: dt.datetime | None = None, wards: Collection[str] | None = None
    ) -> Sequence[UnansweredRow]:
        """The newest `limit` rows (newest first), optionally only those at or after `since`, in `wards`."""
        q = select(UnansweredRow)
        if since is not None:
            q = q.where(UnansweredRow.created_at >= since)
        if wards is not None:
            q = q.where(UnansweredRow.ward_id.in_(list(wards)))
        q = q.order_by(UnansweredRow.created_at.desc(), UnansweredRow.id.desc()).limit(limit)
        return list((await self.s.execute(q)).scalars())

    async def decided(self, wards: Collection[str] | None) -> set[tuple[str | None, str]]:
        """(ward, text) of the decisions that apply to `wards` (theirs and every ward's; None: all)."""
        q = select(UnansweredDecisionRow.ward_id, UnansweredDecisionRow.text)
        if wards is not None:
            q = q.where(or_(UnansweredDecisionRow.ward_id.is_(None), UnansweredDecisionRow.ward_id.in_(list(wards))))
        return {(w, t) for w, t in (await self.s.execute(q)).all()}

    async def decide(
        self,
        ward_id: str | None,
        texts: Collection[str],
        decision: str,
        guide_id: str | None,
        actor_id: int | None,
        now: dt.datetime,
    ) -> None:
        for text in texts:
            self.s.add(
                UnansweredDecisionRow(
                    ward_id=ward_id, text=text, decision=decision, guide_id=guide_id, actor_id=actor_id, created_at=now
                )
            )
        await self.s.flush()

    async def undecide(self, decision: str, guide_id: str) -> int:
        """Put back on the list the phrasings of one decision (a discarded guide draft's); how many."""
        result = await self.s.execute(
            delete(UnansweredDecisionRow).where(
                UnansweredDecisionRow.decision == decision, UnansweredDecisionRow.guide_id == guide_id
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def fingerprint(self) -> tuple[int, ...]:
        """Changes whenever a question or a decision is added, a question removed or a guide draft
        discarded (which removes its decisions): ids only grow, discarded drafts stay discarded."""
        rows = (await self.s.execute(select(func.count(UnansweredRow.id), func.max(UnansweredRow.id)))).one()
        decided = (
            await self.s.execute(select(func.count(UnansweredDecisionRow.id), func.max(UnansweredDecisionRow.id)))
        ).one()
        discarded = (
            await self.s.execute(select(func.count(GuideDraftRow.id)).where(GuideDraftRow.status == "discarded"))
        ).scalar()
        return int(rows[0]), int(rows[1] or 0), int(decided[0]), int(decided[1] or 0), int(discarded or 0)
