"""Long-polling mode: call getUpdates in a loop, hand each update to an async callback.

getUpdates returns one update per call (408 = nothing came in time, which is normal). Errors
back off exponentially (1 s, 2 s, 4 s... up to ``backoff_max``); a 429 waits what the server
asked, if it said; a 401 (bad token) stops the loop, since retrying cannot fix it. Polling and
webhook exclude each other on Zalo: ``delete_webhook_first`` clears a webhook at start.
"""

from __future__ import annotations

import asyncio
import logging

from bot.adapters.zalo.client import ZaloClient, ZaloError, ZaloRateLimited, ZaloUnauthorized
from bot.adapters.zalo.webhook import RecentKeys, UpdateCallback

log = logging.getLogger(__name__)


class ZaloPoller:
    def __init__(
        self,
        client: ZaloClient,
        on_update: UpdateCallback,
        *,
        timeout: int = 30,
        backoff_start: float = 1.0,
        backoff_max: float = 60.0,
        delete_webhook_first: bool = True,
    ) -> None:
        self.client = client
        self.on_update = on_update
        self.timeout = timeout
        self.backoff_start = backoff_start
        self.backoff_max = backoff_max
        self.delete_webhook_first = delete_webhook_first
        self.recent = RecentKeys()
        self.waits: list[float] = []  # every back-off taken (for logs and tests)
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    async def _pause(self, seconds: float) -> None:
        self.waits.append(seconds)
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)
        except TimeoutError:
            pass

    async def run(self) -> None:
        backoff = self.backoff_start
        if self.delete_webhook_first:
            while not self.stopped:
                try:
                    await self.client.delete_webhook()
                    break
                except ZaloUnauthorized:
                    raise
                except ZaloError as e:
                    log.warning("zalo: deleteWebhook failed (%s), retrying in %.0f s", e.description, backoff)
                    await self._pause(backoff)
                    backoff = min(backoff * 2, self.backoff_max)
        backoff = self.backoff_start
        while not self.stopped:
            try:
                update = await self.client.get_updates(self.timeout)
            except ZaloUnauthorized:
                log.error("zalo: the bot token was refused; polling stops")
                raise
            except ZaloRateLimited as e:
                wait = e.retry_after if e.retry_after else backoff
                backoff = min(backoff * 2, self.backoff_max)
                await self._pause(wait)
                continue
            except ZaloError as e:
                log.warning("zalo: getUpdates failed (%s %s), retrying in %.0f s", e.code, e.description, backoff)
                await self._pause(backoff)
                backoff = min(backoff * 2, self.backoff_max)
                continue
            backoff = self.backoff_start
            if update is None or self.recent.seen(update.key):
                continue
            try:
                await self.on_update(update)
            except Exception:
                log.exception("zalo: handling %s failed", update.event_name)
