"""Ward notices: the notice, each firing of its schedule, one outbox row per recipient and firing,
the neighbourhood groups the bot is bound to, and each ward's approval rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, aliased, mapped_column

from bot.adapters.db.base import Base, UTCDateTime
from bot.adapters.db.users import RoleRow, UserRow
from bot.app.ports.notices import NewAnnouncement, OutboxEntry


class GroupRow(Base):
    """A neighbourhood group the bot was added to, bound by an admin to a ward and (optionally) a tổ dân phố."""

    __tablename__ = "neighbourhood_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    ward_id: Mapped[str] = mapped_column(String(40), index=True)
    neighbourhood: Mapped[str | None] = mapped_column(String(40), nullable=True)
    title: Mapped[str] = mapped_column(String(128), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    inactive_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    bound_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    bound_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class WardNoticeSettingsRow(Base):
    __tablename__ = "ward_notice_settings"

    ward_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    require_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class AnnouncementRow(Base):
    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ward_id: Mapped[str] = mapped_column(String(40), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    author_chat_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    media_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    media_file_id: Mapped[str | None] = mapped_column(String(256), nullable=True)
    audience: Mapped[str] = mapped_column(String(16))
    neighbourhoods: Mapped[str] = mapped_column(String(400), default="")  # "5,7" for a chosen-tổ audience
    repeat: Mapped[str] = mapped_column(String(8))
    start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), index=True)
    approved_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    next_fire_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class OccurrenceRow(Base):
    """One firing of a notice's schedule; unique per (notice, time) so a firing is never materialised twice."""

    __tablename__ = "announcement_occurrences"
    __table_args__ = (UniqueConstraint("announcement_id", "fire_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"), index=True)
    fire_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reported_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class OutboxRow(Base):
    """One message to one recipient for one firing: the unit of durable, exactly-once delivery."""

    __tablename__ = "announcement_outbox"
    __table_args__ = (
        UniqueConstraint("occurrence_id", "recipient_kind", "recipient_id"),
        Index("ix_announcement_outbox_status_not_before", "status", "not_before"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("announcement_occurrences.id", ondelete="CASCADE"), index=True
    )
    recipient_kind: Mapped[str] = mapped_column(String(8))  # user | group
    recipient_id: Mapped[int] = mapped_column(Integer)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # which channel's worker sends it (a Zalo subscriber's row waits for the Zalo sender)
    channel: Mapped[str] = mapped_column(String(16), default="telegram", server_default="telegram")
    lang: Mapped[str] = mapped_column(String(8), default="vi")
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    acked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class NoticeRepo:
    def __init__(self, session: AsyncSession):
        self.s = session

    # --- groups and subscribers --------------------------------------------------------

    async def bind_group(
        self, chat_id: int, ward_id: str, neighbourhood: str | None, title: str, by: int | None, now: dt.datetime
    ) -> GroupRow:
        row = await self.group_by_chat(chat_id)
        if row is None:
            row = GroupRow(
                chat_id=chat_id,
                ward_id=ward_id,
                neighbourhood=neighbourhood,
                title=title[:128],
                active=True,
                bound_by=by,
                bound_at=now,
            )
            self.s.add(row)
        else:
            row.ward_id, row.neighbourhood, row.title = ward_id, neighbourhood, title[:128]
            row.active, row.inactive_reason, row.bound_by, row.bound_at = True, None, by, now
        await self.s.flush()
        return row

    async def group_by_chat(self, chat_id: int) -> GroupRow | None:
        return (await self.s.execute(select(GroupRow).where(GroupRow.chat_id == chat_id))).scalar_one_or_none()

    async def groups(self, ward_id: str, neighbourhoods: Sequence[str] | None = None) -> list[GroupRow]:
        q = select(GroupRow).where(GroupRow.ward_id == ward_id, GroupRow.active.is_(True))
        if neighbourhoods is not None:
            q = q.where(GroupRow.neighbourhood.in_(list(neighbourhoods)))
        return list((await self.s.execute(q.order_by(GroupRow.id))).scalars())

    async def deactivate_group(self, group_id: int, reason: str) -> None:
        await self.s.execute(
            update(GroupRow).where(GroupRow.id == group_id).values(active=False, inactive_reason=reason[:200])
        )

    async def migrate_group(self, group_id: int, new_chat_id: int) -> None:
        clash = await self.group_by_chat(new_chat_id)
        if clash is not None and clash.id != group_id:
            await self.s.delete(clash)
            await self.s.flush()
        await self.s.execute(update(GroupRow).where(GroupRow.id == group_id).values(chat_id=new_chat_id))

    async def move_pending(self, group_id: int, new_chat_id: int) -> None:
        await self.s.execute(
            update(OutboxRow)
            .where(
                OutboxRow.recipient_kind == "group", OutboxRow.recipient_id == group_id, OutboxRow.status == "pending"
            )
            .values(chat_id=new_chat_id)
        )

    async def subscribers(
        self, ward_id: str, neighbourhoods: Sequence[str] | None = None, channel: str = "telegram"
    ) -> list[tuple[int, int, str]]:
        """(user id, chat id, language) of residents of the ward who want its notices."""
        q = select(UserRow.id, UserRow.external_id, UserRow.lang).where(
            UserRow.channel == channel,
            UserRow.ward_id == ward_id,
            UserRow.subscribed.is_(True),
            UserRow.blocked.is_(False),
        )
        if neighbourhoods is not None:
            q = q.where(UserRow.neighbourhood.in_(list(neighbourhoods)))
        return [(uid, ext, lang or "vi") for uid, ext, lang in (await self.s.execute(q.order_by(UserRow.id))).all()]

    async def neighbourhoods_known(self, ward_id: str) -> list[str]:
        g = (
            select(GroupRow.neighbourhood)
            .where(GroupRow.ward_id == ward_id, GroupRow.active.is_(True), GroupRow.neighbourhood.is_not(None))
            .distinct()
        )
        return sorted(
            {n for (n,) in (await self.s.execute(g)).all() if n},
            key=lambda n: (not n.isdigit(), int(n) if n.isdigit() else 0, n),
        )

    async def officials(self, ward_id: str, channel: str = "telegram") -> list[tuple[int, int, str]]:
        """(user id, chat id, language) of the ward's officials (who can approve a notice)."""
        q = (
            select(UserRow.id, UserRow.external_id, UserRow.lang)
            .join(RoleRow, RoleRow.user_id == UserRow.id)
            .where(RoleRow.role == "official", RoleRow.ward_id == ward_id, UserRow.channel == channel)
            .distinct()
        )
        return [(uid, ext, lang or "vi") for uid, ext, lang in (await self.s.execute(q)).all()]

    async def mark_user_blocked(self, user_id: int) -> None:
        await self.s.execute(update(UserRow).where(UserRow.id == user_id).values(blocked=True))

    async def user_lang(self, user_id: int) -> str | None:
        return (await self.s.execute(select(UserRow.lang).where(UserRow.id == user_id))).scalar_one_or_none()

    # --- ward settings -----------------------------------------------------------------

    async def require_approval(self, ward_id: str) -> bool:
        row = await self.s.get(WardNoticeSettingsRow, ward_id)
        return bool(row and row.require_approval)

    async def set_require_approval(self, ward_id: str, on: bool, now: dt.datetime) -> None:
        row = await self.s.get(WardNoticeSettingsRow, ward_id)
        if row is None:
            self.s.add(WardNoticeSettingsRow(ward_id=ward_id, require_approval=on, updated_at=now))
        else:
            row.require_approval, row.updated_at = on, now
        await self.s.flush()

    # --- notices -----------------------------------------------------------------------

    async def add(self, new: NewAnnouncement) -> AnnouncementRow:
        row = AnnouncementRow(**{f: getattr(new, f) for f in new.__dataclass_fields__}, updated_at=new.created_at)
        self.s.add(row)
        await self.s.flush()
        return row

    async def get(self, ann_id: int, lock: bool = False) -> AnnouncementRow | None:
        q = select(AnnouncementRow).where(AnnouncementRow.id == ann_id)
        if lock:
            q = q.with_for_update()
        return (await self.s.execute(q)).scalar_one_or_none()

    async def list_for_wards(self, ward_ids: Iterable[str] | None, limit: int = 20) -> list[AnnouncementRow]:
        q = select(AnnouncementRow)
        if ward_ids is not None:
            q = q.where(AnnouncementRow.ward_id.in_(list(ward_ids)))
        return list((await self.s.execute(q.order_by(AnnouncementRow.id.desc()).limit(limit))).scalars())

    async def due(self, now: dt.datetime) -> list[int]:
        q = (
            select(AnnouncementRow.id)
            .where(AnnouncementRow.status == "scheduled", AnnouncementRow.next_fire_at <= now)
            .order_by(AnnouncementRow.next_fire_at)
        )
        return [i for (i,) in (await self.s.execute(q)).all()]

    async def claim_due(self, ann_id: int, now: dt.datetime) -> AnnouncementRow | None:
        """Locked for this ticker (`FOR UPDATE SKIP LOCKED` on PostgreSQL: another ticker holding it is skipped,
        not waited for); None once another ticker fired it. SQLite runs one writer at a time anyway."""
        q = (
            select(AnnouncementRow)
            .where(
                AnnouncementRow.id == ann_id,
                AnnouncementRow.status == "scheduled",
                AnnouncementRow.next_fire_at <= now,
            )
            .with_for_update(skip_locked=True)
        )
        return (await self.s.execute(q)).scalar_one_or_none()

    # --- occurrences and the outbox ------------------------------------------------------

    async def occurrence_exists(self, ann_id: int, fire_at: dt.datetime) -> bool:
        q = select(OccurrenceRow.id).where(OccurrenceRow.announcement_id == ann_id, OccurrenceRow.fire_at == fire_at)
        return (await self.s.execute(q)).first() is not None

    def _insert(self) -> Any:
        dialect = self.s.get_bind().dialect.name
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(OccurrenceRow)

    async def add_occurrence(self, ann_id: int, fire_at: dt.datetime, status: str, now: dt.datetime) -> int | None:
        """INSERT … ON CONFLICT DO NOTHING: None when another ticker materialised this firing first."""
        q = (
            self._insert()
            .values(
                announcement_id=ann_id,
                fire_at=fire_at,
                status=status,
                created_at=now,
                finished_at=now if status != "sending" else None,
            )
            .on_conflict_do_nothing(index_elements=["announcement_id", "fire_at"])
            .returning(OccurrenceRow.id)
        )
        return (await self.s.execute(q)).scalar_one_or_none()

    async def add_outbox(self, rows: Sequence[OutboxEntry]) -> None:
        values = [
            {
                "occurrence_id": r.occurrence_id,
                "recipient_kind": r.recipient_kind,
                "recipient_id": r.recipient_id,
                "chat_id": r.chat_id,
                "channel": r.channel,
                "lang": r.lang,
                "not_before": r.not_before,
                "status": "pending",
                "attempts": 0,
            }
            for r in rows
        ]
        for i in range(0, len(values), 2000):
            await self.s.execute(insert(OutboxRow), values[i : i + 2000])

    async def occurrences(self, ann_id: int) -> list[OccurrenceRow]:
        q = select(OccurrenceRow).where(OccurrenceRow.announcement_id == ann_id).order_by(OccurrenceRow.fire_at)
        return list((await self.s.execute(q)).scalars())

    async def occurrence(self, occ_id: int) -> OccurrenceRow | None:
        return await self.s.get(OccurrenceRow, occ_id)

    async def candidates(self, now: dt.datetime, after_id: int, limit: int) -> list[OutboxRow]:
        q = (
            select(OutboxRow)
            .where(OutboxRow.status.in_(("pending", "withdraw")), OutboxRow.not_before <= now, OutboxRow.id > after_id)
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        return list((await self.s.execute(q)).scalars())

    async def lease(
        self, now: dt.datetime, stale_before: dt.datetime, limit: int, channel: str = "telegram"
    ) -> list[OutboxRow]:
        """Due rows no live worker holds, leased to the caller: `claimed_at` of a pending row is its lease.

        PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED`, so N workers lease disjoint batches without waiting
        for each other. SQLite: one writer at a time, the same statement without the lock clause.
        """
        free = select(OutboxRow.id).where(
            OutboxRow.channel == channel,
            OutboxRow.status.in_(("pending", "withdraw")),
            OutboxRow.not_before <= now,
            (OutboxRow.claimed_at.is_(None)) | (OutboxRow.claimed_at < stale_before),
        )
        ids = list(
            (await self.s.execute(free.order_by(OutboxRow.id).limit(limit).with_for_update(skip_locked=True))).scalars()
        )
        if not ids:
            return []
        await self.s.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(ids))
            .values(claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        q = select(OutboxRow).where(OutboxRow.id.in_(ids)).order_by(OutboxRow.id)
        return list((await self.s.execute(q.execution_options(populate_existing=True))).scalars())

    async def release(self, row_ids: Sequence[int]) -> None:
        if row_ids:
            await self.s.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(list(row_ids)), OutboxRow.status.in_(("pending", "withdraw")))
                .values(claimed_at=None)
            )

    async def claim(self, row_id: int, from_status: str, now: dt.datetime) -> bool:
        """pending → sending (withdraw → deleting): only one worker wins a row."""
        to = "sending" if from_status == "pending" else "deleting"
        res = await self.s.execute(
            update(OutboxRow)
            .where(OutboxRow.id == row_id, OutboxRow.status == from_status)
            .values(status=to, claimed_at=now, attempts=OutboxRow.attempts + 1)
        )
        return bool(res.rowcount)  # type: ignore[attr-defined]

    async def set_outbox(self, row_id: int, **values: Any) -> None:
        await self.s.execute(update(OutboxRow).where(OutboxRow.id == row_id).values(**values))

    async def outbox_row(self, row_id: int) -> OutboxRow | None:
        return await self.s.get(OutboxRow, row_id)

    async def ack(self, row_id: int, chat_id: int, now: dt.datetime) -> bool:
        """'Đã hiểu' on a private notice: one UPDATE that stamps it unless already stamped; True when the
        row is that chat's (stamped now or before). A second statement only for a repeated or foreign tap.
        Plain table statements built once: thousands of taps follow every notice."""
        params = {"ack_row": row_id, "ack_chat": chat_id, "ack_at": now}
        result = await self.s.execute(_ACK, params)
        if getattr(result, "rowcount", 0):
            return True
        return (await self.s.execute(_ACK_ROW, params)).first() is not None

    async def release_stale(self, before: dt.datetime) -> None:
        """Leases older than `before` are given back (their worker stopped)."""
        await self.s.execute(
            update(OutboxRow)
            .where(OutboxRow.status.in_(("pending", "withdraw")), OutboxRow.claimed_at <= before)
            .values(claimed_at=None)
        )

    async def stale_in_flight(self, before: dt.datetime) -> list[OutboxRow]:
        q = select(OutboxRow).where(OutboxRow.status.in_(("sending", "deleting")), OutboxRow.claimed_at <= before)
        return list((await self.s.execute(q)).scalars())

    async def counts(self, occ_id: int) -> dict[str, int]:
        q = select(OutboxRow.status, func.count()).where(OutboxRow.occurrence_id == occ_id).group_by(OutboxRow.status)
        return {st: n for st, n in (await self.s.execute(q)).all()}

    async def sent_by_channel(self, occ_id: int) -> dict[str, tuple[int, int]]:
        """channel -> (messages delivered, messages queued) for one firing."""
        q = (
            select(OutboxRow.channel, OutboxRow.status, func.count())
            .where(OutboxRow.occurrence_id == occ_id)
            .group_by(OutboxRow.channel, OutboxRow.status)
        )
        out: dict[str, tuple[int, int]] = {}
        for channel, status, n in (await self.s.execute(q)).all():
            sent, total = out.get(channel, (0, 0))
            out[channel] = (sent + (n if status in ("sent", "withdraw", "deleted") else 0), total + n)
        return out

    async def acks(self, occ_id: int) -> int:
        q = select(func.count()).where(OutboxRow.occurrence_id == occ_id, OutboxRow.acked_at.is_not(None))
        return int((await self.s.execute(q)).scalar_one())

    async def failures(self, occ_id: int, limit: int = 10) -> list[OutboxRow]:
        q = (
            select(OutboxRow)
            .where(OutboxRow.occurrence_id == occ_id, OutboxRow.status.in_(("failed", "blocked", "uncertain")))
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        return list((await self.s.execute(q)).scalars())

    async def finished_unreported(self) -> list[OccurrenceRow]:
        """Occurrences whose every outbox row reached a final state, not yet reported to the author."""
        open_rows = select(OutboxRow.id).where(
            OutboxRow.occurrence_id == OccurrenceRow.id, OutboxRow.status.in_(("pending", "sending"))
        )
        q = select(OccurrenceRow).where(OccurrenceRow.status.in_(("sending", "held")), ~open_rows.exists())
        return list((await self.s.execute(q)).scalars())

    async def held_occurrences(self, now: dt.datetime) -> list[tuple[OccurrenceRow, int, dt.datetime]]:
        """Occurrences still sending whose remaining rows all wait for a later time: (occurrence, how many, when)."""
        o = aliased(OutboxRow)
        due_or_busy = (
            select(o.id)
            .where(
                o.occurrence_id == OccurrenceRow.id,
                (o.status == "sending") | ((o.status == "pending") & (o.not_before <= now)),
            )
            .correlate(OccurrenceRow)
        )
        q = (
            select(OccurrenceRow, func.count(OutboxRow.id), func.min(OutboxRow.not_before))
            .join(OutboxRow, OutboxRow.occurrence_id == OccurrenceRow.id)
            .where(OccurrenceRow.status == "sending", ~due_or_busy.exists(), OutboxRow.status == "pending")
            .group_by(OccurrenceRow.id)
        )
        return [(occ, int(n), when) for occ, n, when in (await self.s.execute(q)).all()]

    async def mark_held(self, occ_id: int) -> bool:
        res = await self.s.execute(
            update(OccurrenceRow)
            .where(OccurrenceRow.id == occ_id, OccurrenceRow.status == "sending")
            .values(status="held")
        )
        return bool(res.rowcount)  # type: ignore[attr-defined]

    async def close_occurrence(self, occ_id: int, now: dt.datetime) -> bool:
        """sending → done, once: only the caller that wins this update reports the occurrence."""
        res = await self.s.execute(
            update(OccurrenceRow)
            .where(OccurrenceRow.id == occ_id, OccurrenceRow.status.in_(("sending", "held")))
            .values(status="done", finished_at=now, reported_at=now)
        )
        return bool(res.rowcount)  # type: ignore[attr-defined]

    async def cancel_pending(self, occ_ids: Sequence[int]) -> int:
        if not occ_ids:
            return 0
        res = await self.s.execute(
            update(OutboxRow)
            .where(OutboxRow.occurrence_id.in_(list(occ_ids)), OutboxRow.status == "pending")
            .values(status="cancelled")
        )
        return int(res.rowcount)  # type: ignore[attr-defined]

    async def mark_withdraw(self, occ_ids: Sequence[int], sent_after: dt.datetime) -> int:
        if not occ_ids:
            return 0
        res = await self.s.execute(
            update(OutboxRow)
            .where(
                OutboxRow.occurrence_id.in_(list(occ_ids)),
                OutboxRow.status == "sent",
                OutboxRow.message_id.is_not(None),
                and_(OutboxRow.sent_at.is_not(None), OutboxRow.sent_at > sent_after),
            )
            .values(status="withdraw", claimed_at=None)
        )
        return int(res.rowcount)  # type: ignore[attr-defined]


_outbox = OutboxRow.__table__
_ACK = (
    _outbox.update()
    .where(
        _outbox.c.id == bindparam("ack_row"),
        _outbox.c.chat_id == bindparam("ack_chat"),
        _outbox.c.recipient_kind == "user",
        _outbox.c.acked_at.is_(None),
    )
    .values(acked_at=bindparam("ack_at"))
)
_ACK_ROW = select(_outbox.c.id).where(
    _outbox.c.id == bindparam("ack_row"), _outbox.c.chat_id == bindparam("ack_chat"), _outbox.c.recipient_kind == "user"
)
