"""The ward overview's aggregates in SQL (implements `bot.app.ports.stats.StatsRepository`).

Usage queries read only the covering index of `usage_events` (see bot.adapters.db.usage);
benchmarks/web_bench.py times them with 100,000 events on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Date, case, distinct, func, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.adapters.db.announcements import AnnouncementRow, OccurrenceRow, OutboxRow
from bot.adapters.db.tickets import StaffGroupRow, TicketRow
from bot.adapters.db.usage import UsageEventRow
from bot.app.ports.stats import (
    KindPerDay,
    NoticeCounts,
    SlaSettings,
    StepPeople,
    TicketCounts,
)
from bot.app.tickets import Status

NOTICE_TEXT_CHARS = 120

E = UsageEventRow


def _in_range(q: Any, ward_id: str | None, start: dt.date, end: dt.date, kinds: Sequence[str]) -> Any:
    q = q.where(E.day >= start, E.day <= end, E.kind.in_(list(kinds)))
    if ward_id is not None:
        q = q.where(E.ward_id == ward_id)
    return q


class StatsRepo:
    def __init__(self, session: AsyncSession):
        self.s = session
        self._custom_plans = False

    async def _execute(self, q: Any) -> Any:
        """On PostgreSQL, planned for this range's values every time: asyncpg prepares each statement, and
        after five runs PostgreSQL may keep a generic plan made without the values, which for these
        queries reads the day index and sorts every row (seen: the drop-off count 40 ms → 140-240 ms).
        `SET LOCAL`: for this transaction only; the bot's own statements keep their cached plans."""
        if not self._custom_plans and self.s.bind.dialect.name == "postgresql":
            await self.s.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
            self._custom_plans = True
        return await self.s.execute(q)

    async def kinds_per_day(
        self, ward_id: str | None, start: dt.date, end: dt.date, kinds: Sequence[str]
    ) -> list[KindPerDay]:
        q = _in_range(select(E.day, E.kind, func.count()), ward_id, start, end, kinds).group_by(E.day, E.kind)
        return [KindPerDay(d, k, n) for d, k, n in (await self._execute(q)).all()]

    async def people_per_step(
        self,
        ward_id: str | None,
        start: dt.date,
        end: dt.date,
        labels: Sequence[str],
        guide_ids: Sequence[str] | None = None,
    ) -> list[StepPeople]:
        # read in the funnel index's order (see UsageEventRow): SQLite's planner would take the day index for
        # its range and sort twice, so on SQLite the day is compared as `+day`, which no index answers
        bind = self.s.bind
        day: Any = literal_column("+usage_events.day", Date) if bind.dialect.name == "sqlite" else E.day
        q = select(E.guide_id, E.step, E.funnel, func.count(distinct(E.user_key))).where(
            E.funnel.in_(list(labels)), day >= start, day <= end, E.guide_id.is_not(None), E.step.is_not(None)
        )
        if ward_id is not None:
            q = q.where(E.ward_id == ward_id)
        if guide_ids is not None:
            q = q.where(E.guide_id.in_(list(guide_ids)))
        q = q.group_by(E.funnel, E.guide_id, E.step)
        return [StepPeople(g, s, k or "", n) for g, s, k, n in (await self._execute(q)).all()]

    async def sla_settings(self, ward_ids: Sequence[str]) -> list[SlaSettings]:
        q = (
            select(StaffGroupRow.ward_id, StaffGroupRow.unanswered_hours, StaffGroupRow.hours_spec)
            .where(StaffGroupRow.ward_id.in_(list(ward_ids)), StaffGroupRow.active.is_(True))
            .order_by(StaffGroupRow.bound_at)
        )
        latest = {w: SlaSettings(w, h, spec) for w, h, spec in (await self._execute(q)).all()}  # last bound wins
        return list(latest.values())

    async def open_tickets(self, ward_id: str, overdue_before: dt.datetime) -> TicketCounts:
        t = TicketRow
        waiting = (t.last_staff_at.is_(None)) | (t.last_staff_at < t.last_resident_at)
        # as the SLA worker counts: from her last message, or from when someone took the ticket after it
        since = case(
            (t.assigned_at.is_not(None) & (t.assigned_at > t.last_resident_at), t.assigned_at),
            else_=t.last_resident_at,
        )
        q = select(
            func.count(),
            func.coalesce(func.sum(case((waiting, 1), else_=0)), 0),
            func.coalesce(func.sum(case((waiting & (since <= overdue_before), 1), else_=0)), 0),
        ).where(t.ward_id == ward_id, t.status != Status.CLOSED.value)
        n, w, late = (await self._execute(q)).one()
        return TicketCounts(int(n), int(w), int(late))

    async def notices_sent(
        self, ward_id: str | None, since: dt.datetime, until: dt.datetime, limit: int
    ) -> tuple[int, int, list[NoticeCounts]]:
        o, a = OutboxRow, AnnouncementRow
        acked = func.count(o.acked_at)
        q = (
            select(a.id, a.ward_id, func.substr(a.text, 1, NOTICE_TEXT_CHARS), func.count(), acked, func.max(o.sent_at))
            .select_from(o)
            .join(OccurrenceRow, OccurrenceRow.id == o.occurrence_id)
            .join(a, a.id == OccurrenceRow.announcement_id)
            .where(o.sent_at >= since, o.sent_at < until)
            .group_by(a.id, a.ward_id, a.text)
        )
        if ward_id is not None:
            q = q.where(a.ward_id == ward_id)
        rows = [NoticeCounts(i, w, txt, n, k, at) for i, w, txt, n, k, at in (await self._execute(q)).all()]
        rows.sort(key=lambda r: (r.last_sent_at, r.notice_id), reverse=True)
        return sum(r.sent for r in rows), sum(r.acknowledged for r in rows), rows[:limit]
