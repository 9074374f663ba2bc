"""Sends stored replies (`bot.app.replies`) every few seconds while the bot runs."""

from __future__ import annotations

import logging

from bot.app.replies import Resend, StoredReplies
from bot.workers.periodic import Periodic

log = logging.getLogger(__name__)

REPLY_INTERVAL_SECONDS = 5.0


class ReplyWorker:
    def __init__(self, replies: StoredReplies, interval: float = REPLY_INTERVAL_SECONDS) -> None:
        self.replies = replies
        self.loop = Periodic("stored-replies", interval)

    async def start(self, resend: Resend) -> None:
        async def tick() -> None:
            if n := await self.replies.send_due(resend):
                log.info("%s stored replies sent", n)

        self.loop.start(tick)

    async def stop(self) -> None:
        await self.loop.stop()
