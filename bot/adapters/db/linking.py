"""Linking one person's Zalo and Telegram users: one-time codes (kept as keyed hashes), the guard
against guessing, and the links themselves (two rows per link, one from each side)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.adapters.db.base import Base, UTCDateTime
from bot.adapters.db.users import ProgressRow

# a used or expired code is remembered this long, to answer "already used" / "expired" rather than "wrong"
KEEP_SPENT = dt.timedelta(days=1)


class LinkCodeRow(Base):
    """A code asked for by `user_id`: only its keyed hash is kept (six digits alone are easy to try out)."""

    __tablename__ = "link_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class LinkGuardRow(Base):
    """Wrong codes typed by one user in the current window, and until when they may not try again."""

    __tablename__ = "link_guards"

    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class UserLinkRow(Base):
    """`user_id` is linked to `partner_id` (and a second row says the reverse)."""

    __tablename__ = "user_links"

    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    linked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class LinkRepo:
    """Implements `bot.app.ports.linking.LinkRepository` on one session."""

    def __init__(self, session: AsyncSession):
        self.s = session

    async def code_taken(self, code_hash: str, now: dt.datetime) -> bool:
        row = await self.s.get(LinkCodeRow, code_hash)
        return row is not None and row.used_at is None and row.expires_at > now

    async def add_code(self, code_hash: str, user_id: int, now: dt.datetime, expires_at: dt.datetime) -> None:
        """The user's earlier codes go (one code per person), and everyone's long-spent ones."""
        await self.s.execute(
            delete(LinkCodeRow).where(
                or_(
                    LinkCodeRow.user_id == user_id,
                    LinkCodeRow.expires_at <= now - KEEP_SPENT,
                    LinkCodeRow.code_hash == code_hash,
                )
            )
        )
        self.s.add(LinkCodeRow(code_hash=code_hash, user_id=user_id, created_at=now, expires_at=expires_at))
        await self.s.flush()

    async def code(self, code_hash: str) -> LinkCodeRow | None:
        return await self.s.get(LinkCodeRow, code_hash)

    async def use_code(self, code_hash: str, now: dt.datetime) -> bool:
        """Marks an unused, unexpired code used; True for exactly one of two concurrent uses."""
        won = await self.s.execute(
            update(LinkCodeRow)
            .where(LinkCodeRow.code_hash == code_hash, LinkCodeRow.used_at.is_(None), LinkCodeRow.expires_at > now)
            .values(used_at=now)
        )
        return getattr(won, "rowcount", 0) == 1

    async def guard(self, user_id: int) -> LinkGuardRow:
        row = await self.s.get(LinkGuardRow, user_id, with_for_update=True)
        if row is None:
            row = LinkGuardRow(user_id=user_id, failures=0)
            self.s.add(row)
            await self.s.flush()
        return row

    async def partner(self, user_id: int) -> int | None:
        return await self.s.scalar(select(UserLinkRow.partner_id).where(UserLinkRow.user_id == user_id))

    async def link(self, a: int, b: int, now: dt.datetime) -> None:
        self.s.add_all(
            [UserLinkRow(user_id=a, partner_id=b, linked_at=now), UserLinkRow(user_id=b, partner_id=a, linked_at=now)]
        )
        await self.s.flush()

    async def unlink(self, user_id: int) -> int | None:
        """Removes the link both ways; the partner's id, or None when there was no link."""
        partner = await self.partner(user_id)
        if partner is None:
            return None
        await self.s.execute(delete(UserLinkRow).where(UserLinkRow.user_id.in_((user_id, partner))))
        return partner

    async def progress(self, user_id: int) -> list[ProgressRow]:
        return list((await self.s.execute(select(ProgressRow).where(ProgressRow.user_id == user_id))).scalars())

    async def put_progress(self, user_id: int, src: ProgressRow) -> None:
        """`user_id`'s place in `src.guide_id` becomes exactly `src` (inserted or overwritten)."""
        row = await self.s.get(ProgressRow, (user_id, src.guide_id))
        if row is None:
            row = ProgressRow(user_id=user_id, guide_id=src.guide_id)
            self.s.add(row)
        row.step, row.started_at, row.updated_at = src.step, src.started_at, src.updated_at
        row.finished_at, row.worked = src.finished_at, src.worked
        await self.s.flush()
