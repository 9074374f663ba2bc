"""Guide drafts started from a group of unanswered questions (the console's Drafts page)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Sequence

from sqlalchemy import Integer, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.adapters.db.base import Base, UTCDateTime


class GuideDraftRow(Base):
    __tablename__ = "guide_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ward_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)  # None: every ward (admin)
    title: Mapped[str] = mapped_column(String(80))
    questions: Mapped[str] = mapped_column(Text)  # a JSON list of the residents' questions, most asked first
    created_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | exported | discarded

    @property
    def question_list(self) -> list[str]:
        return [str(q) for q in json.loads(self.questions)]


class GuideDraftRepo:
    def __init__(self, session: AsyncSession):
        self.s = session

    async def add(
        self, *, ward_id: str | None, title: str, questions: Sequence[str], created_by: int | None, now: dt.datetime
    ) -> GuideDraftRow:
        row = GuideDraftRow(
            ward_id=ward_id,
            title=title,
            questions=json.dumps(list(questions), ensure_ascii=False),
            created_by=created_by,
            created_at=now,
            status="draft",
        )
        self.s.add(row)
        await self.s.flush()
        return row

    async def get(self, draft_id: int) -> GuideDraftRow | None:
        return await self.s.get(GuideDraftRow, draft_id)

    async def listed(
        self, wards: Collection[str] | None, statuses: Collection[str], limit: int
    ) -> Sequence[GuideDraftRow]:
        """Drafts of `wards` (None: every draft) in these statuses, newest first."""
        q = select(GuideDraftRow).where(GuideDraftRow.status.in_(list(statuses)))
        if wards is not None:
            q = q.where(GuideDraftRow.ward_id.in_(list(wards)))
        q = q.order_by(GuideDraftRow.created_at.desc(), GuideDraftRow.id.desc()).limit(limit)
        return list((await self.s.execute(q)).scalars())
