"""Home visits' background loop: a request nobody took in 48 h is reminded once in its team group and
noted to the ward's staff; on Mondays ward staff get the week's progress per tổ. Safe in every
instance: each reminder and each weekly message is claimed in the database first."""

from __future__ import annotations

import datetime as dt

from bot.app.visits import VisitSender, VisitService
from bot.workers.periodic import Periodic

VISIT_REMINDER_INTERVAL_SECONDS = 300.0


class VisitReminderWorker:
    def __init__(self, visits: VisitService, interval: float = VISIT_REMINDER_INTERVAL_SECONDS) -> None:
        self.visits = visits
        self.loop = Periodic("visit-reminders", interval)

    async def tick(self, sender: VisitSender, now: dt.datetime | None = None) -> int:
        """One pass (48 h reminders, then the weekly progress message); returns how many messages went out."""
        return await self.visits.remind(sender, now) + await self.visits.weekly(sender, now)

    async def start(self, sender: VisitSender) -> None:
        self.loop.start(lambda: self.tick(sender))

    async def stop(self) -> None:
        await self.loop.stop()
