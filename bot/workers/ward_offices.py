"""Picks up ward office values edited in the console of another instance (or another process such as
`bot web`): every `interval` seconds `WardOffices.refresh` reads the few override rows and replaces the
changed wards in the content every handler reads. The instance that made the edit applied it already."""

from __future__ import annotations

import logging

from bot.app.ward_offices import WardOffices
from bot.workers.periodic import Periodic

log = logging.getLogger(__name__)

WARD_OFFICES_INTERVAL_SECONDS = 30.0


class WardOfficesWorker:
    def __init__(self, offices: WardOffices, interval: float = WARD_OFFICES_INTERVAL_SECONDS) -> None:
        self.offices = offices
        self.loop = Periodic("ward-offices-refresh", interval)

    async def tick(self) -> None:
        if await self.offices.refresh():
            log.info("ward office values changed in the console: applied")

    async def start(self) -> None:
        self.loop.start(self.tick)

    async def stop(self) -> None:
        await self.loop.stop()
