"""The web console's tables and queries: sign-in links, the ticket inbox and its choices, the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy import ForeignKey, Integer, String, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.adapters.db.base import Base, UTCDateTime
from bot.adapters.db.tickets import TicketAuditRow, TicketMessageRow, TicketRow
from bot.adapters.db.users import RoleRow, UserRow

CLOSED = "closed"


class WebLinkRow(Base):
    """A one-time sign-in link: only the SHA-256 of its token is kept."""

    __tablename__ = "web_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class ConsoleRepo:
    """Implements `bot.app.ports.console.ConsoleRepository` on one session."""

    def __init__(self, session: AsyncSession):
        self.s = session

    async def add_link(
        self, token_hash: str, user_id: int, role: str, now: dt.datetime, expires_at: dt.datetime
    ) -> None:
        self.s.add(WebLinkRow(token_hash=token_hash, user_id=user_id, role=role, created_at=now, expires_at=expires_at))
        await self.s.flush()

    async def use_link(self, token_hash: str, now: dt.datetime) -> WebLinkRow | None:
        won = await self.s.execute(
            update(WebLinkRow)
            .where(WebLinkRow.token_hash == token_hash, WebLinkRow.used_at.is_(None), WebLinkRow.expires_at > now)
            .values(used_at=now)
        )
        if getattr(won, "rowcount", 0) != 1:
            return None
        return (await self.s.execute(select(WebLinkRow).where(WebLinkRow.token_hash == token_hash))).scalar_one()

    async def inbox(
        self,
        wards: Collection[str] | None,
        *,
        closed: bool | None,
        waiting: bool | None,
        created_before: dt.datetime | None,
        search: str,
        limit: int,
        assignee_id: int | None = None,
        unassigned: bool = False,
        neighbourhood: str | None = None,
    ) -> Sequence[TicketRow]:
        q = select(TicketRow)
        if wards is not None:
            q = q.where(TicketRow.ward_id.in_(list(wards)))
        if unassigned:
            q = q.where(TicketRow.assignee_id.is_(None))
        elif assignee_id is not None:
            q = q.where(TicketRow.assignee_id == assignee_id)
        if neighbourhood is not None:
            q = q.where(TicketRow.neighbourhood == neighbourhood)
        if closed is True:
            q = q.where(TicketRow.status == CLOSED)
        elif closed is False:
            q = q.where(TicketRow.status != CLOSED)
        answered = and_(TicketRow.last_staff_at.is_not(None), TicketRow.last_staff_at >= TicketRow.last_resident_at)
        if waiting is True:
            q = q.where(answered)
        elif waiting is False:
            q = q.where(~answered)
        if created_before is not None:
            q = q.where(TicketRow.created_at < created_before)
        search = search.strip().lstrip("#")
        if search:
            # one pass over the messages (a semi-join), not a lookup per ticket: the planner may not know the tables yet
            said = TicketRow.id.in_(
                select(TicketMessageRow.ticket_id).where(TicketMessageRow.text.ilike(_like(search), escape="\\"))
            )
            q = q.where(or_(TicketRow.id == int(search), said) if search.isdigit() else said)
        q = q.order_by(TicketRow.last_resident_at.desc(), TicketRow.id.desc()).limit(limit)
        return (await self.s.execute(q)).scalars().all()

    async def names(self, user_ids: Collection[int]) -> dict[int, str]:
        if not user_ids:
            return {}
        rows = await self.s.execute(select(UserRow.id, UserRow.display_name).where(UserRow.id.in_(list(user_ids))))
        return {uid: name for uid, name in rows.all()}

    async def staff(self, wards: Collection[str] | None, role: str) -> list[tuple[int, str]]:
        """(user id, name) of everyone holding `role` in one of `wards` (None = any ward), by name."""
        q = select(UserRow.id, UserRow.display_name).join(RoleRow, RoleRow.user_id == UserRow.id)
        q = q.where(RoleRow.role == role)
        if wards is not None:
            q = q.where(RoleRow.ward_id.in_(list(wards)))
        q = q.distinct().order_by(UserRow.display_name, UserRow.id)
        return [(int(uid), str(name)) for uid, name in (await self.s.execute(q)).all()]

    async def neighbourhoods(self, ward_id: str) -> list[str]:
        """The distinct tổ dân phố seen on the ward's tickets."""
        q = (
            select(TicketRow.neighbourhood)
            .where(TicketRow.ward_id == ward_id, TicketRow.neighbourhood.is_not(None))
            .distinct()
        )
        return [str(n) for n in (await self.s.execute(q)).scalars() if n]

    async def audit_log(self, wards: Collection[str] | None, limit: int) -> Sequence[TicketAuditRow]:
        q = select(TicketAuditRow)
        if wards is not None:
            q = q.where(TicketAuditRow.ward_id.in_(list(wards)))
        q = q.order_by(TicketAuditRow.at.desc(), TicketAuditRow.id.desc()).limit(limit)
        return (await self.s.execute(q)).scalars().all()
