"""Runs ward notices in the background: a tick that materialises due firings (the schedule is held in
the database, `announcements.next_fire_at`) and the delivery worker that drains the outbox.

Safe to run as N copies on one database: each due firing is claimed by one ticker (`claim_due`, an
idempotent occurrence insert), each outbox row by one worker (leases + a conditional claim), and the
send limits are shared through the `SendLimiter` (Redis when several processes send). Rows a dead copy
left in flight are recovered after `stale_after` by whichever copy ticks next.

Depends only on the use cases and ports; the composition root (`bot.bootstrap`) gives it a Sender.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

from bot.app.announcements import AnnouncementService, Notify
from bot.app.delivery import DeliveryWorker, RateLimiter, Render, Sender
from bot.app.ports.notices import SendLimiter
from bot.core.clock import Clock

log = logging.getLogger(__name__)


class OffsetClock:
    """The system clock plus an offset the local chat's `:tick` moves forward (zero in production)."""

    def __init__(self, base: Clock):
        self.base = base
        self.offset = dt.timedelta(0)

    def now(self) -> dt.datetime:
        return self.base.now() + self.offset

    def advance(self, **kw: float) -> dt.datetime:
        self.offset += dt.timedelta(**kw)
        return self.now()


class NoticeRunner:
    def __init__(
        self,
        service: AnnouncementService,
        clock: Clock,
        *,
        tick_every: float = 20.0,
        limiter: SendLimiter | None = None,
        stale_after: dt.timedelta = dt.timedelta(minutes=5),
    ):
        self.service, self.clock = service, clock
        self.tick_every = tick_every
        self.limiter: SendLimiter = limiter or RateLimiter()
        self.stale_after = stale_after
        self.worker: DeliveryWorker | None = None
        self.channel_workers: list[DeliveryWorker] = []  # other channels' senders on the same outbox (Zalo)
        self._tick_task: asyncio.Task[None] | None = None

    def make_worker(self, sender: Sender) -> DeliveryWorker:
        return DeliveryWorker(
            self.service.uow, sender, self.service.render, self.clock, limiter=self.limiter, on_drained=self._report
        )

    def attach(self, sender: Sender, notify: Notify) -> DeliveryWorker:
        """Give the service a way to reach people; no background task is started (tests call `pump`)."""
        self.service.notify = notify
        self.worker = self.make_worker(sender)
        self.service.on_queued = self._kick
        return self.worker

    def add_channel(
        self, channel: str, sender: Sender, limiter: SendLimiter, render: Render | None = None
    ) -> DeliveryWorker:
        """Another channel's delivery worker on the same outbox, with its own limits (tests drain it by `pump`);
        `render`: how that channel shows a notice (the service's `render` when None)."""
        worker = DeliveryWorker(
            self.service.uow,
            sender,
            render or self.service.render,
            self.clock,
            limiter=limiter,
            on_drained=self._report,
            channel=channel,
        )
        self.channel_workers.append(worker)
        if self.service.on_queued is None:
            self.service.on_queued = self._kick
        return worker

    async def start_channel(self, worker: DeliveryWorker) -> None:
        """Start a channel worker in the background, after recovering what a stopped copy left behind."""
        await worker.recover(self.stale_after)
        worker.start()

    def _kick(self) -> None:
        for w in (self.worker, *self.channel_workers):
            if w is not None:
                w.kick.set()

    async def start(self, sender: Sender, notify: Notify) -> None:
        self.attach(sender, notify)
        assert self.worker is not None
        await self.worker.recover(self.stale_after)  # only what no live copy can still be sending
        self.worker.start()
        self._tick_task = asyncio.create_task(self._tick_loop(), name="notice-ticker")

    async def stop(self) -> None:
        if self._tick_task is not None:
            self._tick_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._tick_task
            self._tick_task = None
        if self.worker is not None:
            await self.worker.stop()
        for w in self.channel_workers:
            await w.stop()

    async def pump(self) -> None:
        """Tick, send everything due and report: what the background does, at once (local chat, tests)."""
        await self.service.tick()
        if self.worker is not None:
            await self.worker.drain()
        for w in self.channel_workers:
            await w.drain()
        await self.service.finish_and_report()

    async def _report(self) -> None:
        await self.service.finish_and_report()

    async def _tick_loop(self) -> None:
        while True:
            try:
                await self.service.tick()
                if self.worker is not None:
                    await self.worker.recover(self.stale_after)  # rows a dead copy left behind
                await self.service.finish_and_report()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("notice tick failed")
            await asyncio.sleep(self.tick_every)
