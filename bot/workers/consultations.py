"""Closes consultations whose time has passed and sends each author the final result.

Safe in every instance: a consultation is closed with a conditional UPDATE (`… WHERE status = 'open'`),
and only the process whose UPDATE won sends the result, so the author gets it once.
"""

from __future__ import annotations

import datetime as dt

from bot.app.announcements import Notify
from bot.app.consultations import ConsultationService
from bot.workers.periodic import Periodic

CONSULT_INTERVAL_SECONDS = 60.0


class ConsultationWorker:
    def __init__(self, consultations: ConsultationService, interval: float = CONSULT_INTERVAL_SECONDS) -> None:
        self.consultations = consultations
        self.loop = Periodic("consultations-close", interval)

    async def tick(self, now: dt.datetime | None = None) -> list[int]:
        """One pass: the ids of the consultations it closed."""
        return await self.consultations.close_due(now)

    async def start(self, notify: Notify) -> None:
        self.consultations.notify = notify
        self.loop.start(self.tick)

    async def stop(self) -> None:
        await self.loop.stop()
