"""Durable, rate-limited delivery of the announcement outbox.

Errors a Sender raises (the whole tree; anything else counts as Transient):

    DeliveryError
    ├── Blocked(reason)        403: the user blocked the bot, or the bot was removed from the group
    ├── Migrated(new_chat_id)  the group became a supergroup: resend to the new id
    ├── RetryAfter(seconds)    429 flood control: wait that long for the chat (or everyone)
    ├── Transient(reason)      network trouble, 5xx: retry later with backoff
    └── Rejected(reason)       400 and the like: retrying will not help

Exactly once: a row goes pending → sending (the claim, one UPDATE ... WHERE status='pending', so
only one worker wins it) → sent (with the Telegram message id) in separate transactions. A send,
once claimed, is never interrupted by stopping the worker: it runs in its own task and its result
is recorded. Only a process that dies between the HTTP request and recording its result leaves a
row in `sending`. That row's fate is unknown, and we choose at-most-once: `recover()` marks it
`uncertain` (the author's report counts it) rather than risk a duplicate notice; it is at most
`concurrency` rows per crash. Everything else (pending, retrying) resumes where it stopped.

Limits (Telegram bots FAQ): ≤ 29 msg/s overall (sliding 1 s window of the moments requests leave, plus
even pacing; one below Telegram's 30 for jitter), ≥ 1.05 s between messages to one chat, ≤ 20 per 61 s to a group.
The worker picks the next row whose chat may be sent to now, so one busy group never holds up the queue.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from bot.adapters.db.announcements import NoticeRepo, OutboxRow
from bot.adapters.db.db import Database
from bot.core.clock import Clock
from bot.core.rate_limit import RateLimiter
from bot.core.screens import Screen

__all__ = [
    "Blocked",
    "DeliveryError",
    "DeliveryWorker",
    "Migrated",
    "Outgoing",
    "RateLimiter",
    "Rejected",
    "RetryAfter",
    "Sender",
    "Transient",
]

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    pass


class Blocked(DeliveryError):
    def __init__(self, reason: str = "blocked"):
        super().__init__(reason)
        self.reason = reason


class Migrated(DeliveryError):
    def __init__(self, new_chat_id: int):
        super().__init__(f"migrated to {new_chat_id}")
        self.new_chat_id = new_chat_id


class RetryAfter(DeliveryError):
    def __init__(self, seconds: float):
        super().__init__(f"retry after {seconds}")
        self.seconds = seconds


class Transient(DeliveryError):
    pass


class Rejected(DeliveryError):
    pass


@dataclass(frozen=True)
class Outgoing:
    """A notice as one recipient sees it: the screen, plus a photo or document by Telegram file id."""

    screen: Screen
    media_kind: str | None = None  # photo | document
    media_file_id: str | None = None


class Sender(Protocol):
    async def send(self, chat_id: int, message: Outgoing) -> int: ...  # returns the message id

    async def delete(self, chat_id: int, message_id: int) -> None: ...


@dataclass(frozen=True)
class Item:
    id: int
    occurrence_id: int
    chat_id: int
    recipient_kind: str
    recipient_id: int
    lang: str
    delete: bool
    message_id: int | None

    @property
    def is_group(self) -> bool:
        return self.recipient_kind == "group"

    @staticmethod
    def of(row: OutboxRow) -> Item:
        return Item(
            row.id,
            row.occurrence_id,
            row.chat_id,
            row.recipient_kind,
            row.recipient_id,
            row.lang,
            row.status == "withdraw",
            row.message_id,
        )


Render = Callable[[Item], Awaitable[Outgoing]]


def backoff(attempt: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(3600, 15 * 4 ** max(0, attempt - 1)))  # 15 s, 1 min, 4 min, 16 min


class DeliveryWorker:
    """Drains the outbox. `drain()` sends everything due now and returns; `run()` keeps draining."""

    def __init__(
        self,
        db: Database,
        sender: Sender,
        render: Render,
        clock: Clock,
        *,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        concurrency: int = 8,
        page: int = 1000,
        max_attempts: int = 5,
        on_drained: Callable[[], Awaitable[None]] | None = None,
        poll: float = 5.0,
    ):
        self.db, self.sender, self.render, self.clock = db, sender, render, clock
        self.limiter = limiter or RateLimiter()
        self.sleep = sleep
        self.concurrency, self.page, self.max_attempts = concurrency, page, max_attempts
        self.on_drained = on_drained
        self.poll = poll
        self.kick = asyncio.Event()
        self.in_flight: set[asyncio.Task[None]] = set()
        self.first_send_at: float | None = None  # monotonic time of the first successful send (benchmark)
        self.sent = 0
        self._task: asyncio.Task[None] | None = None

    # --- lifecycle ---------------------------------------------------------------------

    async def recover(self, older_than: dt.timedelta = dt.timedelta(0)) -> int:
        """After a crash: rows left `sending` are uncertain (at-most-once); interrupted deletions go again."""
        now = self.clock.now()
        async with self.db.session() as s:
            repo = NoticeRepo(s)
            rows = await repo.stale_in_flight(now - older_than)
            for r in rows:
                if r.status == "deleting":
                    await repo.set_outbox(r.id, status="withdraw")
                else:
                    await repo.set_outbox(r.id, status="uncertain", error="interrupted while sending")
        if rows:
            log.warning("recovered %d rows left in flight by a stopped worker", len(rows))
        return len(rows)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="delivery-worker")

    async def stop(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109 (a grace period, not a deadline)
        """Stop taking rows; let sends already started finish and be recorded."""
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        if self.in_flight:
            await asyncio.wait(self.in_flight, timeout=timeout)

    async def run(self) -> None:
        while True:
            try:
                await self.drain()
                if self.on_drained is not None:
                    await self.on_drained()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery worker round failed")
            try:
                await asyncio.wait_for(self.kick.wait(), timeout=self.poll)
            except TimeoutError:
                pass
            self.kick.clear()

    # --- the loop ----------------------------------------------------------------------

    async def _load(self) -> list[Item]:
        busy = {t.get_name() for t in self.in_flight}
        async with self.db.session() as s:
            rows = await NoticeRepo(s).candidates(self.clock.now(), 0, self.page)
            return [Item.of(r) for r in rows if f"outbox-{r.id}" not in busy]

    async def drain(self) -> int:
        """Send every row due now, within the limits; returns how many rows were handled."""
        handled = 0
        queue = await self._load()
        busy_chats: set[int] = set()
        while queue or self.in_flight:
            pick, wait = None, None
            if queue and len(self.in_flight) < self.concurrency:
                g = self.limiter.global_delay()
                if g > 0:
                    wait = g
                else:
                    for i, item in enumerate(queue):
                        if item.chat_id in busy_chats:
                            continue
                        d = self.limiter.chat_delay(item.chat_id, item.is_group)
                        if d <= 0:
                            pick = i
                            break
                        wait = d if wait is None else min(wait, d)
            if pick is not None:
                item = queue.pop(pick)
                self.limiter.reserve(item.chat_id, item.is_group)
                busy_chats.add(item.chat_id)
                task = asyncio.create_task(self._process(item), name=f"outbox-{item.id}")
                self.in_flight.add(task)
                task.add_done_callback(self._finished(busy_chats, item.chat_id))
                handled += 1
                continue
            if self.in_flight and (wait is None or len(self.in_flight) >= self.concurrency or wait > 0.005):
                await asyncio.wait(set(self.in_flight), timeout=wait, return_when=asyncio.FIRST_COMPLETED)
            elif wait is not None:
                await self.sleep(wait)
            if not queue and not self.in_flight:
                queue = await self._load()
            elif not queue and self.in_flight:
                continue
        return handled

    def _finished(self, busy_chats: set[int], chat_id: int) -> Callable[[asyncio.Task[None]], None]:
        def done(task: asyncio.Task[None]) -> None:
            self.in_flight.discard(task)
            busy_chats.discard(chat_id)

        return done

    async def _process(self, item: Item) -> None:
        try:
            await self._deliver(item)
        except Exception:
            log.exception("outbox row %s failed unexpectedly", item.id)

    async def _deliver(self, item: Item) -> None:
        now = self.clock.now()
        try:
            async with self.db.session() as s:
                claimed = await NoticeRepo(s).claim(item.id, "withdraw" if item.delete else "pending", now)
        except BaseException:
            self.limiter.release()
            raise
        if not claimed:
            self.limiter.release()
            return  # another worker took it, or it was cancelled meanwhile
        self.limiter.stamp()
        values: dict[str, object]
        try:
            if item.delete:
                assert item.message_id is not None
                await self.sender.delete(item.chat_id, item.message_id)
                values = {"status": "deleted"}
            else:
                message_id = await self.sender.send(item.chat_id, await self.render(item))
                values = {"status": "sent", "message_id": message_id, "sent_at": self.clock.now(), "error": None}
                self.sent += 1
                if self.first_send_at is None:
                    self.first_send_at = time.monotonic()
        except RetryAfter as e:
            self.limiter.penalise(item.chat_id, e.seconds, everyone=not item.is_group)
            values = {"status": "withdraw" if item.delete else "pending", "attempts_back": True}
        except Migrated as e:
            await self._migrated(item, e.new_chat_id)
            return
        except Blocked as e:
            await self._blocked(item, e.reason)
            return
        except Rejected as e:
            values = {"status": "deleted" if item.delete else "failed", "error": str(e)[:200]}
        except Exception as e:  # Transient, or anything unexpected from the network stack
            values = await self._retry_or_fail(item, e)
        await self._record(item, values)

    async def _record(self, item: Item, values: dict[str, object]) -> None:
        async with self.db.session() as s:
            repo = NoticeRepo(s)
            if values.pop("attempts_back", False):
                row = await repo.outbox_row(item.id)
                if row is not None:
                    values["attempts"] = max(0, row.attempts - 1)  # a 429 is not the recipient's fault
            await repo.set_outbox(item.id, **values)
        self.kick.set()

    async def _retry_or_fail(self, item: Item, e: Exception) -> dict[str, object]:
        async with self.db.session() as s:
            row = await NoticeRepo(s).outbox_row(item.id)
        attempts = row.attempts if row else self.max_attempts
        reason = (str(e) or type(e).__name__)[:200]
        if attempts >= self.max_attempts:
            return {"status": "deleted" if item.delete else "failed", "error": reason}
        return {
            "status": "withdraw" if item.delete else "pending",
            "error": reason,
            "not_before": self.clock.now() + backoff(attempts),
        }

    async def _migrated(self, item: Item, new_chat_id: int) -> None:
        async with self.db.session() as s:
            repo = NoticeRepo(s)
            if item.is_group:
                await repo.migrate_group(item.recipient_id, new_chat_id)
            await repo.set_outbox(
                item.id, chat_id=new_chat_id, status="withdraw" if item.delete else "pending", attempts=0
            )
        self.kick.set()

    async def _blocked(self, item: Item, reason: str) -> None:
        async with self.db.session() as s:
            repo = NoticeRepo(s)
            if item.is_group:
                await repo.deactivate_group(item.recipient_id, reason)
            else:
                await repo.mark_user_blocked(item.recipient_id)
            await repo.set_outbox(item.id, status="deleted" if item.delete else "blocked", error=reason[:200])
