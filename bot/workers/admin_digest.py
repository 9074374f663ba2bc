"""The admins' daily digest loop: every few minutes asks `AdminDigest` whether today's is due.

Safe as N copies: the day's digest is claimed in the database before it is sent (see bot.app.admin_digest).
"""

from __future__ import annotations

import datetime as dt

from bot.app.admin_digest import AdminDigest
from bot.app.helpdesk_base import Sender
from bot.workers.periodic import Periodic

DIGEST_INTERVAL_SECONDS = 300.0


class AdminDigestWorker:
    """Runs `AdminDigest.tick` every `interval` seconds while the bot runs (tests call `tick`)."""

    def __init__(self, digest: AdminDigest, interval: float = DIGEST_INTERVAL_SECONDS) -> None:
        self.digest = digest
        self.loop = Periodic("admin-digest", interval)

    async def tick(self, sender: Sender, now: dt.datetime | None = None) -> int:
        """One pass; returns how many messages went out."""
        return await self.digest.tick(sender, now)

    async def start(self, sender: Sender) -> None:
        self.loop.start(lambda: self.tick(sender))

    async def stop(self) -> None:
        await self.loop.stop()
