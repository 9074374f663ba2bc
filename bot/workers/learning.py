"""Picks up phrasings accepted elsewhere (the `bot unanswered review` command, another instance):
every `interval` seconds it asks `Learning.refresh`, which rebuilds the matcher only when they changed."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.app.learning import Learning

log = logging.getLogger(__name__)

LEARNING_INTERVAL_SECONDS = 60.0


class LearningWorker:
    def __init__(self, learning: Learning, interval: float = LEARNING_INTERVAL_SECONDS) -> None:
        self.learning, self.interval = learning, interval
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.task is None:
            self.task = asyncio.create_task(self._run(), name="learning-refresh")

    async def _run(self) -> None:
        while True:
            try:
                if await self.learning.refresh():
                    log.info("learned phrasings changed: matcher rebuilt")
            except asyncio.CancelledError:
                raise
            except Exception:  # a failed look must not stop the next one
                log.exception("learned phrasings refresh failed")
            await asyncio.sleep(self.interval)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None
