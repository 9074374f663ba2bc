"""Replies that could not be sent at once are kept, sent later, and counted: nothing a resident is owed
disappears into a log line.

The Telegram adapter's reply guard retries a reply itself (429 `retry_after`, network errors) for as long
as a person would wait in a chat; a reply still unsent then is handed to `StoredReplies.keep`. The reply
worker calls `send_due` every few seconds: each stored reply is claimed by one worker (several instances
share the table), sent, and marked sent, gone (the person blocked the bot) or failed (rejected, or still
unsent after `give_up_after`). `report` is what `bot stats replies` prints.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.app.delivery import Blocked, Rejected, RetryAfter
from bot.app.ports import Transactions
from bot.app.ports.replies import StoredReply
from bot.core.clock import Clock

log = logging.getLogger(__name__)

Resend = Callable[[StoredReply], Awaitable[None]]
"""Sends a stored reply again; raises the delivery errors (`Blocked`, `Rejected`, `RetryAfter`, others)."""


@dataclass(frozen=True)
class ReplyReport:
    since: dt.datetime
    counts: dict[str, int]
    oldest_waiting: dt.timedelta | None

    @property
    def stored(self) -> int:
        return sum(self.counts.values())


class StoredReplies:
    def __init__(
        self,
        uow: Transactions,
        clock: Clock,
        *,
        first_retry: dt.timedelta = dt.timedelta(seconds=5),
        give_up_after: dt.timedelta = dt.timedelta(hours=24),
        lease_for: dt.timedelta = dt.timedelta(minutes=2),
    ) -> None:
        self.uow, self.clock = uow, clock
        self.first_retry, self.give_up_after, self.lease_for = first_retry, give_up_after, lease_for

    async def keep(self, channel: str, chat_id: int, method: str, payload: str, error: str) -> int:
        now = self.clock.now()
        async with self.uow() as tx:
            reply_id = await tx.replies.add(channel, chat_id, method, payload, error, now, now + self.first_retry)
        log.warning("reply to %s:%s stored for a later send (%s): #%s", channel, chat_id, error, reply_id)
        return reply_id

    def _backoff(self, attempts: int) -> dt.timedelta:
        wait: dt.timedelta = self.first_retry * 2 ** max(0, attempts - 1)
        return min(wait, dt.timedelta(minutes=10))

    async def send_due(self, resend: Resend, *, channel: str = "telegram", limit: int = 50) -> int:
        """One pass: every due reply of `channel` tried once. Returns how many were sent."""
        now = self.clock.now()
        async with self.uow() as tx:
            await tx.replies.release_stale(now - self.lease_for)
            due = await tx.replies.due(now, limit, channel)
        sent = 0
        for reply in due:
            async with self.uow() as tx:
                if not await tx.replies.claim(reply.id, self.clock.now()):
                    continue  # another instance has it
            status, error, retry_in = "sent", None, None
            try:
                await resend(reply)
            except Blocked as e:
                status, error = "gone", str(e)
            except Rejected as e:
                status, error = "failed", str(e)
            except RetryAfter as e:
                error, retry_in = f"429 retry after {e.seconds:g}", dt.timedelta(seconds=e.seconds)
            except Exception as e:  # network trouble and the like: later, with backoff
                error, retry_in = str(e) or type(e).__name__, self._backoff(reply.attempts + 1)
            now = self.clock.now()
            async with self.uow() as tx:
                if retry_in is None:
                    await tx.replies.finish(reply.id, status, now, error)
                elif now - reply.created_at >= self.give_up_after:
                    await tx.replies.finish(reply.id, "failed", now, f"gave up: {error}")
                else:
                    await tx.replies.retry_later(reply.id, now + retry_in, error or "")
            sent += status == "sent" and retry_in is None
        return sent

    async def report(self, days: int = 7) -> ReplyReport:
        now = self.clock.now()
        since = now - dt.timedelta(days=days)
        async with self.uow() as tx:
            counts = await tx.replies.counts(since)
            waiting = [r for r in await tx.replies.recent(200, "pending") if r.created_at >= since]
        oldest = now - min(r.created_at for r in waiting) if waiting else None
        return ReplyReport(since, counts, oldest)
