"""Aggregates for the ward overview, computed by the database (bot.app.stats turns them into figures).

Every method takes `ward_id=None` for all wards. Dates are Hà Nội days, both ends included;
timestamps are UTC, start included, end excluded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple, Protocol


class KindPerDay(NamedTuple):
    day: dt.date
    kind: str
    events: int


class StepPeople(NamedTuple):
    guide_id: str
    step: int
    kind: str  # the label of its group of kinds
    people: int  # different residents (user keys)


class TicketCounts(NamedTuple):
    open: int  # not closed
    waiting: int  # of those, waiting for staff (the resident wrote last)
    overdue: int  # of those, waiting since before the ward's SLA cutoff


class SlaSettings(NamedTuple):
    ward_id: str
    unanswered_hours: int | None
    hours_spec: str | None


class NoticeCounts(NamedTuple):
    notice_id: int
    ward_id: str
    text: str  # the start of the notice
    sent: int
    acknowledged: int
    last_sent_at: dt.datetime


class StatsRepository(Protocol):
    async def kinds_per_day(
        self, ward_id: str | None, start: dt.date, end: dt.date, kinds: Sequence[str]
    ) -> list[KindPerDay]: ...

    async def people_per_step(
        self,
        ward_id: str | None,
        start: dt.date,
        end: dt.date,
        labels: Sequence[str],
        guide_ids: Sequence[str] | None = None,
    ) -> list[StepPeople]:
        """Different people per guide, step and funnel label (`bot.app.usage.FUNNEL`: a person once across
        the kinds of a label), for the given guides or all."""
        ...

    async def sla_settings(self, ward_ids: Sequence[str]) -> list[SlaSettings]:
        """Each ward's active staff group settings (the latest bound), for wards that have one."""
        ...

    async def open_tickets(self, ward_id: str, overdue_before: dt.datetime) -> TicketCounts: ...

    async def notices_sent(
        self, ward_id: str | None, since: dt.datetime, until: dt.datetime, limit: int
    ) -> tuple[int, int, list[NoticeCounts]]:
        """(messages sent, acknowledged, the `limit` notices sent last) for messages sent in [since, until)."""
        ...
