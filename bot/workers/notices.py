"""Runs ward notices in the background: a tick that materialises due firings (the schedule is held in
the database, `announcements.next_fire_at`) and the delivery worker that drains the outbox.

One process per database sends (like APScheduler's rule of one scheduler per job store): on start
it recovers rows a previous process left in flight, then ticks every `tick_every` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from typing import TYPE_CHECKING

from bot.app.announcements import AnnouncementService, Notify
from bot.app.delivery import DeliveryWorker, RateLimiter, Sender
from bot.core.clock import Clock

if TYPE_CHECKING:
    from aiogram import Bot

    from bot.bootstrap import App

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
        limiter: RateLimiter | None = None,
    ):
        self.service, self.clock = service, clock
        self.tick_every = tick_every
        self.limiter = limiter or RateLimiter()
        self.worker: DeliveryWorker | None = None
        self._tick_task: asyncio.Task[None] | None = None

    def make_worker(self, sender: Sender) -> DeliveryWorker:
        return DeliveryWorker(
            self.service.db, sender, self.service.render, self.clock, limiter=self.limiter, on_drained=self._report
        )

    def attach(self, sender: Sender, notify: Notify) -> DeliveryWorker:
        """Give the service a way to reach people; no background task is started (tests call `pump`)."""
        self.service.notify = notify
        self.worker = self.make_worker(sender)
        self.service.on_queued = self.worker.kick.set
        return self.worker

    async def start(self, sender: Sender, notify: Notify) -> None:
        self.attach(sender, notify)
        assert self.worker is not None
        await self.worker.recover()
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

    async def pump(self) -> None:
        """Tick, send everything due and report: what the background does, at once (local chat, tests)."""
        await self.service.tick()
        if self.worker is not None:
            await self.worker.drain()
        await self.service.finish_and_report()

    async def _report(self) -> None:
        await self.service.finish_and_report()

    async def _tick_loop(self) -> None:
        while True:
            try:
                await self.service.tick()
                await self.service.finish_and_report()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("notice tick failed")
            await asyncio.sleep(self.tick_every)


def install(app: App) -> None:
    """Wire ward notices into the app: service, routers, background start/stop, local-chat hooks."""
    from bot.adapters.telegram import audience, official
    from bot.adapters.telegram.sender import TelegramSender
    from bot.core.clock import FixedClock

    clock: Clock = app.clock if isinstance(app.clock, FixedClock) else OffsetClock(app.clock)
    service = AnnouncementService(app.db, clock, app.texts, app.content)
    runner = NoticeRunner(service, clock)
    app.extra["announcements"] = service
    app.extra["notice_runner"] = runner
    # first of all feature routers: DỪNG / STOP must work at any point
    app.extra.setdefault("routers", [])[0:0] = [audience.make_router, official.make_router]

    async def on_startup(bot: Bot) -> None:
        await runner.start(TelegramSender(bot), official.notifier(bot))

    app.extra.setdefault("on_startup", []).append(on_startup)
    app.extra.setdefault("on_shutdown", []).append(runner.stop)
    from bot.adapters.localchat import notices_demo  # `bot chat`: :demo and :tick steps

    app.extra.setdefault("localchat_demo", []).append(notices_demo.demo)
    app.extra.setdefault("localchat_tick", []).append(notices_demo.tick)
