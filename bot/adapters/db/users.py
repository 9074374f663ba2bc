"""Residents and everyone else who talks to the bot, their roles, and their place in each guide."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    bindparam,
    case,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.adapters.db.base import Base, UTCDateTime
from bot.adapters.db.db import dialect_insert


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[int] = mapped_column(BigInteger)
    display_name: Mapped[str] = mapped_column(String(128), default="")
    lang: Mapped[str | None] = mapped_column(String(8), nullable=True)
    voice: Mapped[str] = mapped_column(String(8), default="bac", server_default="bac")  # bot.core.voice.Voice
    ward_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    neighbourhood: Mapped[str | None] = mapped_column(String(40), nullable=True)
    onboarded: Mapped[bool] = mapped_column(Boolean, default=False)
    subscribed: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class RoleRow(Base):
    """A role held in one ward (`ward_id` is '*' for admins, who act everywhere)."""

    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("user_id", "role", "ward_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    ward_id: Mapped[str] = mapped_column(String(40))
    granted_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ProgressRow(Base):
    """Where a user is in one guide; survives restarts so residents can resume days later."""

    __tablename__ = "guide_progress"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    guide_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    step: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    worked: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class UserRepo:
    def __init__(self, session: AsyncSession):
        self.s = session

    async def with_roles(self, channel: str, external_id: int) -> tuple[UserRow, list[RoleRow]] | None:
        """The user and their roles, in one query (built once: this runs for every update)."""
        rows = (await self.s.execute(_with_roles_stmt(), {"channel": channel, "external_id": external_id})).all()
        if not rows:
            return None
        return rows[0][0], [role for _, role in rows if role is not None]

    async def create(self, channel: str, external_id: int, display_name: str, now: dt.datetime) -> None:
        """Adds the user unless they exist: two first messages at once both succeed, one row results."""
        await self.s.execute(
            dialect_insert(self.s, UserRow)
            .values(
                channel=channel,
                external_id=external_id,
                display_name=display_name[:128],
                created_at=now,
                last_seen_at=now,
                onboarded=False,
                subscribed=False,
                blocked=False,
                voice="bac",
            )
            .on_conflict_do_nothing(index_elements=["channel", "external_id"])
        )

    async def get_or_create(self, channel: str, external_id: int, display_name: str, now: dt.datetime) -> UserRow:
        row = await self.by_external(channel, external_id)
        if row is None:
            await self.create(channel, external_id, display_name, now)
            row = await self.by_external(channel, external_id)
            assert row is not None
        else:
            row.last_seen_at = now
            row.blocked = False  # they wrote to us, so they have not blocked the bot
            if display_name:
                row.display_name = display_name[:128]
        return row

    async def by_external(self, channel: str, external_id: int) -> UserRow | None:
        return (
            await self.s.execute(select(UserRow).where(UserRow.channel == channel, UserRow.external_id == external_id))
        ).scalar_one_or_none()

    async def get(self, user_id: int) -> UserRow | None:
        return await self.s.get(UserRow, user_id)

    async def roles(self, user_id: int) -> list[RoleRow]:
        return list((await self.s.execute(select(RoleRow).where(RoleRow.user_id == user_id))).scalars())

    async def grant(self, user_id: int, role: str, ward_id: str, by: int | None, now: dt.datetime) -> bool:
        """Adds the role unless held (True when added); concurrent grants of one role never raise."""
        result = await self.s.execute(
            dialect_insert(self.s, RoleRow)
            .values(user_id=user_id, role=str(role), ward_id=ward_id, granted_by=by, granted_at=now)
            .on_conflict_do_nothing(index_elements=["user_id", "role", "ward_id"])
        )
        return bool(getattr(result, "rowcount", 0))

    async def members(self, ward_id: str) -> list[tuple[int, str, str, int]]:
        """(user id, name, role, external id) of everyone holding a role in the ward, by name."""
        q = (
            select(UserRow.id, UserRow.display_name, RoleRow.role, UserRow.external_id)
            .join(RoleRow, RoleRow.user_id == UserRow.id)
            .where(RoleRow.ward_id == ward_id)
            .order_by(UserRow.display_name, UserRow.id, RoleRow.role)
        )
        return [(int(a), str(b), str(c), int(d)) for a, b, c, d in (await self.s.execute(q)).all()]

    async def revoke(self, user_id: int, role: str, ward_id: str) -> bool:
        row = (
            await self.s.execute(
                select(RoleRow).where(RoleRow.user_id == user_id, RoleRow.role == role, RoleRow.ward_id == ward_id)
            )
        ).scalar_one_or_none()
        if row is None:
            return False
        await self.s.delete(row)
        return True


class ProgressRepo:
    def __init__(self, session: AsyncSession):
        self.s = session

    async def get(self, user_id: int, guide_id: str) -> ProgressRow | None:
        return await self.s.get(ProgressRow, (user_id, guide_id))

    async def save(self, user_id: int, guide_id: str, step: int, now: dt.datetime) -> None:
        """Where she is now, in one statement (an upsert): concurrent saves of one resident never raise.
        Going back to step 0 of a finished guide starts it anew."""
        bind = self.s.bind
        dialect = bind.dialect.name if bind is not None else "sqlite"
        await self.s.execute(
            _save_progress_stmt(dialect),
            {"user_id": user_id, "guide_id": guide_id, "step": step, "started_at": now, "updated_at": now},
        )

    async def finish(self, user_id: int, guide_id: str, worked: bool, now: dt.datetime) -> None:
        await self.s.execute(
            update(ProgressRow)
            .where(ProgressRow.user_id == user_id, ProgressRow.guide_id == guide_id)
            .values(finished_at=now, worked=worked, updated_at=now)
        )

    async def latest_unfinished(self, user_id: int) -> ProgressRow | None:
        return (
            await self.s.execute(
                select(ProgressRow)
                .where(ProgressRow.user_id == user_id, ProgressRow.finished_at.is_(None))
                .order_by(ProgressRow.updated_at.desc())
                .limit(1)
            )
        ).scalar_one_or_none()


# The two statements every resident's message runs, built once per process (and per backend for the
# upsert) with bound parameters: building them per call was a fifth of a question's CPU.


@cache
def _with_roles_stmt() -> Any:
    return (
        select(UserRow, RoleRow)
        .outerjoin(RoleRow, RoleRow.user_id == UserRow.id)
        .where(UserRow.channel == bindparam("channel"), UserRow.external_id == bindparam("external_id"))
    )


@cache
def _save_progress_stmt(dialect: str) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    ins = insert(ProgressRow).values(
        user_id=bindparam("user_id"),
        guide_id=bindparam("guide_id"),
        step=bindparam("step"),
        started_at=bindparam("started_at"),
        updated_at=bindparam("updated_at"),
    )
    t = ProgressRow.__table__.c
    restart = case((t.finished_at.is_not(None) & (ins.excluded.step == 0), ins.excluded.started_at), else_=t.started_at)
    return ins.on_conflict_do_update(
        index_elements=["user_id", "guide_id"],
        set_={
            "step": ins.excluded.step,
            "updated_at": ins.excluded.updated_at,
            "started_at": restart,
            "finished_at": None,
            "worked": None,
        },
    )
