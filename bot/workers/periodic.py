"""A background loop that runs one pass every `interval` seconds while the bot runs.

A failed pass is logged and the next one runs anyway; `stop` cancels the loop and waits for it.
The workers (SLA reminders, learned phrasings) say what a pass does; this says how it repeats.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Periodic:
    def __init__(self, name: str, interval: float) -> None:
        self.name, self.interval = name, interval
        self.task: asyncio.Task[None] | None = None

    def start(self, tick: Callable[[], Awaitable[object]]) -> None:
        if self.task is None:
            self.task = asyncio.create_task(self._run(tick), name=self.name)

    async def _run(self, tick: Callable[[], Awaitable[object]]) -> None:
        while True:
            try:
                await tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # a failed pass must not stop the next one
                log.exception("%s: pass failed", self.name)
            await asyncio.sleep(self.interval)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None
