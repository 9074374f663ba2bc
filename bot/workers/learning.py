"""Picks up phrasings accepted elsewhere (the `bot unanswered review` command, another instance):
every `interval` seconds it asks `Learning.refresh`, which rebuilds the matcher only when they changed."""

from __future__ import annotations

import logging

from bot.app.learning import Learning
from bot.workers.periodic import Periodic

log = logging.getLogger(__name__)

LEARNING_INTERVAL_SECONDS = 60.0


class LearningWorker:
    def __init__(self, learning: Learning, interval: float = LEARNING_INTERVAL_SECONDS) -> None:
        self.learning = learning
        self.loop = Periodic("learning-refresh", interval)

    async def tick(self) -> None:
        if await self.learning.refresh():
            log.info("learned phrasings changed: matcher rebuilt")

    async def start(self) -> None:
        self.loop.start(self.tick)

    async def stop(self) -> None:
        await self.loop.stop()
