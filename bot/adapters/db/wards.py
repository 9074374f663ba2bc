"""Ward office values edited in the web console: one row per ward, laid over content/wards.yaml."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Integer, String, Text, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.adapters.db.base import Base, UTCDateTime
from bot.adapters.db.db import dialect_insert


class WardOverrideRow(Base):
    __tablename__ = "ward_overrides"

    ward_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    hours_vi: Mapped[str | None] = mapped_column(String(200), nullable=True)
    hours_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    phones: Mapped[str | None] = mapped_column(Text, nullable=True)
    neighbourhoods: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


class WardOverrideRepo:
    """Implements `bot.app.ports.wards.WardOverrideRepository` on one session."""

    def __init__(self, session: AsyncSession):
        self.s = session

    async def all(self) -> Sequence[WardOverrideRow]:
        return list((await self.s.execute(select(WardOverrideRow).order_by(WardOverrideRow.ward_id))).scalars())

    async def get(self, ward_id: str) -> WardOverrideRow | None:
        return await self.s.get(WardOverrideRow, ward_id)

    async def put(
        self,
        ward_id: str,
        *,
        address: str | None,
        hours_vi: str | None,
        hours_en: str | None,
        phones: str | None,
        neighbourhoods: str | None,
        now: dt.datetime,
        by: int | None,
    ) -> None:
        values = {
            "address": address,
            "hours_vi": hours_vi,
            "hours_en": hours_en,
            "phones": phones,
            "neighbourhoods": neighbourhoods,
            "updated_at": now,
            "updated_by": by,
        }
        stmt = dialect_insert(self.s, WardOverrideRow).values(ward_id=ward_id, **values)
        await self.s.execute(stmt.on_conflict_do_update(index_elements=["ward_id"], set_=values))
        self.s.expire_all()  # a row read earlier in this session is stale now

    async def delete(self, ward_id: str) -> bool:
        res = await self.s.execute(delete(WardOverrideRow).where(WardOverrideRow.ward_id == ward_id))
        return bool(getattr(res, "rowcount", 0))
