"""The help desk's background loop: queued tickets, SLA reminders, escalations, daily digests.

Safe to run in every instance: each reminder, escalation and digest is claimed in the database
with a conditional UPDATE (`… WHERE reminded_… IS NULL`, rowcount 1 wins) before it is sent, so
two processes on one database send each of them once. The sender is the channel's (Telegram:
`bot.adapters.telegram.desk_sender.DeskSender`), handed in by the composition root.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

from bot.app.helpdesk_base import Sender
from bot.app.helpdesk_sla import SlaDesk

log = logging.getLogger(__name__)

SLA_INTERVAL_SECONDS = 60.0


class SlaWorker:
    """Runs `SlaDesk.sla_tick` (the `HelpDesk`) every `interval` seconds while the bot runs (tests call `tick`)."""

    def __init__(self, helpdesk: SlaDesk, interval: float = SLA_INTERVAL_SECONDS) -> None:
        self.helpdesk, self.interval = helpdesk, interval
        self.task: asyncio.Task[None] | None = None

    async def tick(self, sender: Sender, now: dt.datetime | None = None) -> int:
        """One pass; returns how many messages went out."""
        return await self.helpdesk.sla_tick(sender, now)

    async def start(self, sender: Sender) -> None:
        if self.task is None:
            self.task = asyncio.create_task(self._run(sender), name="helpdesk-sla")

    async def _run(self, sender: Sender) -> None:
        while True:
            try:
                await self.tick(sender)
            except asyncio.CancelledError:
                raise
            except Exception:  # a failed tick must not stop the next one
                log.exception("help desk SLA tick failed")
            await asyncio.sleep(self.interval)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None
