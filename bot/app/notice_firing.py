"""Firing notices: the schedule held in the database (`announcements.next_fire_at`) becomes occurrences
with one outbox row per recipient; finished occurrences are reported to their authors.

A mixin of AnnouncementService, kept apart because it is the part that runs in the background.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.app.notice_model import OPEN_OCCURRENCE, Audience, Notice, OccurrenceReport, Status, notice_of
from bot.app.ports import Transactions
from bot.app.ports.notices import AnnouncementRecord, NoticeRepository, OutboxEntry
from bot.core.clock import Clock
from bot.core.i18n import Texts
from bot.core.schedule import Repeat, Schedule, format_local, quiet_hours_end
from bot.core.screens import Screen

log = logging.getLogger(__name__)


class FiringMixin:
    uow: Transactions
    clock: Clock
    t: Texts
    grace: dt.timedelta
    channel: str
    private_channels: list[str]  # whose subscribers get notices in private: Telegram's, and Zalo's when it runs
    on_queued: Callable[[], None] | None

    if TYPE_CHECKING:  # provided by AnnouncementService and NoticeViewMixin

        async def _notify(self, chat_id: int, screen: Screen) -> None: ...

        async def _lang(self, user_id: int) -> str: ...

        def report_text(self, r: OccurrenceReport, lang: str) -> str: ...

        async def zalo_group_texts(self, n: Notice, lang: str) -> tuple[str, str] | None: ...

    # --- firing: the schedule held in the database ------------------------------------------

    async def tick(self, now: dt.datetime | None = None) -> tuple[int, int]:
        """Materialise every firing that is due: (occurrences queued, occurrences missed).

        Idempotent: an occurrence is unique per (notice, time), so two tickers, or a tick after a
        crash, never queue a firing twice. A firing later than the grace time is marked missed and
        the author is told instead of sending stale news.
        """
        now = now or self.clock.now()
        async with self.uow() as tx:
            due = await tx.notices.due(now)
        queued = missed = 0
        missed_notes: list[tuple[int, int, int, dt.datetime]] = []
        for notice_id in due:
            async with self.uow() as tx:
                repo = tx.notices
                row = await repo.claim_due(notice_id, now)  # None: another ticker has it, or fired it already
                if row is None:
                    continue
                schedule = Schedule(row.start_at, Repeat(row.repeat), row.until)
                fired = 0
                while row.next_fire_at is not None and row.next_fire_at <= now:
                    fire_at = row.next_fire_at
                    if not await repo.occurrence_exists(row.id, fire_at):
                        if now - fire_at > self.grace:
                            if await repo.add_occurrence(row.id, fire_at, "missed", now) is not None:
                                missed += 1
                                missed_notes.append((row.id, row.author_chat_id, row.author_id, fire_at))
                        else:
                            occ_id = await repo.add_occurrence(row.id, fire_at, "sending", now)
                            if occ_id is not None:  # None: materialised by another ticker meanwhile
                                await repo.add_outbox(await self._recipients(repo, row, occ_id, now))
                                queued += 1
                                fired += 1
                    row.next_fire_at = schedule.next_fire(fire_at)
                if row.next_fire_at is None:
                    row.status = Status.SENDING.value if fired or await self._open(repo, row.id) else Status.DONE.value
                row.updated_at = now
        for notice_id, chat_id, author_id, fire_at in missed_notes:
            await self._notify(
                chat_id,
                Screen(
                    self.t(await self._lang(author_id), "announcements.missed", id=notice_id, at=format_local(fire_at))
                ),
            )
        if queued and self.on_queued is not None:
            self.on_queued()
        return queued, missed

    @staticmethod
    async def _open(repo: NoticeRepository, notice_id: int) -> bool:
        return any(o.status in OPEN_OCCURRENCE for o in await repo.occurrences(notice_id))

    async def _recipients(
        self, repo: NoticeRepository, row: AnnouncementRecord, occ_id: int, now: dt.datetime
    ) -> list[OutboxEntry]:
        audience = Audience(row.audience)
        tdps = [n for n in row.neighbourhoods.split(",") if n] if audience is Audience.NEIGHBOURHOODS else None
        out: list[OutboxEntry] = []
        if audience in (Audience.WARD, Audience.NEIGHBOURHOODS, Audience.GROUPS):
            for g in await repo.groups(row.ward_id, tdps):
                out.append(OutboxEntry(occ_id, "group", g.id, g.chat_id, "vi", now))
        if audience in (Audience.WARD, Audience.NEIGHBOURHOODS, Audience.SUBSCRIBERS):
            private_at = now if row.urgent else quiet_hours_end(now)
            for channel in self.private_channels:
                for uid, chat_id, lang in await repo.subscribers(row.ward_id, tdps, channel):
                    out.append(OutboxEntry(occ_id, "user", uid, chat_id, lang, private_at, channel))
        return out

    # --- reports ---------------------------------------------------------------------------

    async def finish_and_report(self) -> list[OccurrenceReport]:
        """Close every occurrence whose messages all reached a final state and tell its author."""
        now = self.clock.now()
        reports: list[tuple[int, int, OccurrenceReport, Notice]] = []
        async with self.uow() as tx:
            repo = tx.notices
            for occ in await repo.finished_unreported():
                if not await repo.close_occurrence(occ.id, now):
                    continue  # another reporter (tick loop or worker) closed it first
                counts = await repo.counts(occ.id)
                reasons = Counter(r.error or r.status for r in await repo.failures(occ.id, limit=1000))
                by_channel = await repo.sent_by_channel(occ.id) if len(self.private_channels) > 1 else {}
                report = OccurrenceReport(
                    occ.announcement_id, occ.fire_at, counts, await repo.acks(occ.id), dict(reasons), by_channel
                )
                row = await repo.get(occ.announcement_id)
                if row is not None:
                    if row.status == Status.SENDING and not await self._open(repo, row.id):
                        row.status = Status.DONE.value
                    reports.append((row.author_chat_id, row.author_id, report, notice_of(row)))
        for chat_id, author_id, report, notice in reports:
            lang = await self._lang(author_id)
            text, group = self.report_text(report, lang), await self.zalo_group_texts(notice, lang)
            await self._notify(chat_id, Screen(f"{text}\n\n{group[0]}" if group else text))
            if group:  # alone, so it is copied whole
                await self._notify(chat_id, Screen(group[1]))
        await self._report_held(now)
        return [r for _, _, r, _ in reports]

    async def _report_held(self, now: dt.datetime) -> None:
        """Everything that could go now went, the rest waits (quiet hours): tell the author now, not tomorrow."""
        notes: list[tuple[int, str]] = []
        async with self.uow() as tx:
            repo = tx.notices
            for occ, held, resume in await repo.held_occurrences(now):
                if not await repo.mark_held(occ.id):
                    continue
                row = await repo.get(occ.announcement_id)
                if row is None:
                    continue
                counts = await repo.counts(occ.id)
                lang = await repo.user_lang(row.author_id) or "vi"
                notes.append(
                    (
                        row.author_chat_id,
                        self.t(
                            lang,
                            "announcements.report_held",
                            id=row.id,
                            sent=counts.get("sent", 0),
                            held=held,
                            at=format_local(resume),
                        ),
                    )
                )
        for chat_id, text in notes:
            await self._notify(chat_id, Screen(text))
