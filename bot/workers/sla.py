"""The help desk's background loop: queued tickets, SLA reminders, escalations, daily digests.

Safe to run in every instance: each reminder, escalation and digest is claimed in the database
with a conditional UPDATE (`… WHERE reminded_… IS NULL`, rowcount 1 wins) before it is sent, so
two processes on one database send each of them once. The sender is the channel's (Telegram:
`bot.adapters.telegram.desk_sender.DeskSender`), handed in by the composition root.
"""

from __future__ import annotations

import datetime as dt

from bot.app.helpdesk_base import Sender
from bot.app.helpdesk_sla import SlaDesk
from bot.workers.periodic import Periodic

SLA_INTERVAL_SECONDS = 60.0


class SlaWorker:
    """Runs `SlaDesk.sla_tick` (the `HelpDesk`) every `interval` seconds while the bot runs (tests call `tick`)."""

    def __init__(self, helpdesk: SlaDesk, interval: float = SLA_INTERVAL_SECONDS) -> None:
        self.helpdesk = helpdesk
        self.loop = Periodic("helpdesk-sla", interval)

    async def tick(self, sender: Sender, now: dt.datetime | None = None) -> int:
        """One pass; returns how many messages went out."""
        return await self.helpdesk.sla_tick(sender, now)

    async def start(self, sender: Sender) -> None:
        self.loop.start(lambda: self.tick(sender))

    async def stop(self) -> None:
        await self.loop.stop()
