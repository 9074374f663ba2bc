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

Several workers (processes) share one outbox: each *leases* a small batch of due rows (`claimed_at`
of a pending row; `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL), so they work on disjoint rows; a
lease a dead worker left expires after `lease_for`. The claim above still guarantees exactly once.

Limits (Telegram bots FAQ): ≤ 29 msg/s overall, ≥ 1.05 s between messages to one chat, ≤ 20 per 61 s
to a group, kept by a `SendLimiter` shared by every worker (in memory, or in Redis across processes).
A row is claimed first and then waits for its slot, so the slot is taken moments before the request
leaves. The worker picks the next row whose chat may be sent to now, so one busy group never holds
up the queue.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from bot.app.ports import Transactions
from bot.app.ports.notices import OutboxRecord, SendLimiter
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
    def of(row: OutboxRecord) -> Item:
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
        uow: Transactions,
        sender: Sender,
        render: Render,
        clock: Clock,
        *,
        limiter: SendLimiter | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        concurrency: int = 8,
        page: int = 60,
        max_attempts: int = 5,
        on_drained: Callable[[], Awaitable[object]] | None = None,
        poll: float = 5.0,
        lease_for: dt.timedelta = dt.timedelta(minutes=2),
        channel: str = "telegram",
    ):
        self.uow, self.sender, self.render, self.clock = uow, sender, render, clock
        self.channel = channel  # this worker sends only its channel's rows (Telegram, Zalo)
        self.limiter: SendLimiter = limiter or RateLimiter()
        self.sleep = sleep
        self.concurrency, self.page, self.max_attempts = concurrency, page, max_attempts
        self.on_drained = on_drained
        self.poll = poll
        self.lease_for = lease_for
        self.kick = asyncio.Event()
        self.in_flight: set[asyncio.Task[None]] = set()
        self.first_send_at: float | None = None  # monotonic time of the first successful send (benchmark)
        self.sent = 0
        self._leased: dict[int, Item] = {}  # rows leased and not yet claimed
        self._task: asyncio.Task[None] | None = None

    # --- lifecycle ---------------------------------------------------------------------

    async def recover(self, older_than: dt.timedelta = dt.timedelta(0)) -> int:
        """Rows claimed before `now - older_than` by a worker that stopped: those left `sending` are uncertain
        (at-most-once), interrupted deletions go again, leases are given back. With several instances pass an
        `older_than` longer than any send takes, so a live worker's rows are left alone."""
        now = self.clock.now()
        async with self.uow() as tx:
            repo = tx.notices
            rows = await repo.stale_in_flight(now - older_than)
            for r in rows:
                if r.status == "deleting":
                    await repo.set_outbox(r.id, status="withdraw", claimed_at=None)
                else:
                    await repo.set_outbox(r.id, status="uncertain", error="interrupted while sending")
            await repo.release_stale(now - older_than)
        if rows:
            log.warning("recovered %d rows left in flight by a stopped worker", len(rows))
        return len(rows)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="delivery-worker")

    async def stop(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109 (a grace period, not a deadline)
        """Stop taking rows; let sends already started finish and be recorded; give back leased rows."""
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        if self.in_flight:
            await asyncio.wait(self.in_flight, timeout=timeout)
        await self._release_leases()

    async def _release_leases(self) -> None:
        if self._leased:
            ids = list(self._leased)
            self._leased.clear()
            async with self.uow() as tx:
                await tx.notices.release(ids)

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
        now = self.clock.now()
        async with self.uow() as tx:
            rows = await tx.notices.lease(now, now - self.lease_for, self.page, self.channel)
        # a task that already finished no longer holds its row (a migrated group's row is pending again
        # under the same id); its done-callback may not have run yet, so `done()` decides, not membership
        busy = {t.get_name() for t in self.in_flight if not t.done()}
        items = [Item.of(r) for r in rows if f"outbox-{r.id}" not in busy]
        for item in items:
            self._leased[item.id] = item
        return items

    async def drain(self) -> int:
        """Send every row due now, within the limits; returns how many rows were handled."""
        handled = 0
        queue = await self._load()
        busy_chats: set[int] = set()
        chat_free_at: dict[int, float] = {}  # loop time before which a chat is known to be busy
        loop = asyncio.get_running_loop()
        while queue or self.in_flight:
            if queue and len(self.in_flight) < self.concurrency:
                t = loop.time()
                pick = next(
                    (
                        i
                        for i, it in enumerate(queue)
                        if it.chat_id not in busy_chats and chat_free_at.get(it.chat_id, 0.0) <= t
                    ),
                    None,
                )
                if pick is not None:
                    item = queue.pop(pick)
                    slot = await self._claim_and_wait(item)
                    if slot is None:
                        continue  # another worker took it, or it was cancelled meanwhile
                    if slot > 0:  # another worker sends to this chat: its row goes back, try later
                        chat_free_at[item.chat_id] = loop.time() + slot
                        queue.append(item)
                        continue
                    busy_chats.add(item.chat_id)
                    task = asyncio.create_task(self._process(item), name=f"outbox-{item.id}")
                    self.in_flight.add(task)
                    task.add_done_callback(self._finished(busy_chats, item.chat_id))
                    handled += 1
                    continue
                waits = [f - t for c, f in chat_free_at.items() if f > t]
                wait: float | None = max(0.001, min(waits)) if waits else None
            else:
                wait = None
            if self.in_flight:
                await asyncio.wait(set(self.in_flight), timeout=wait, return_when=asyncio.FIRST_COMPLETED)
            elif wait is not None:
                await self.sleep(wait)
            if not queue:
                queue = await self._load()
        return handled

    async def _claim_and_wait(self, item: Item) -> float | None:
        """Claim the row, then wait for a send slot. None: not ours; > 0: the chat is busy for that long
        (the row went back to pending); 0: send now."""
        claim = asyncio.ensure_future(self._claim(item))
        try:
            claimed = await asyncio.shield(claim)  # a stop mid-claim must not leave the row `sending`
        except asyncio.CancelledError:
            if await claim:
                await asyncio.shield(self._unclaim(item))
            raise
        finally:
            self._leased.pop(item.id, None)
        if not claimed:
            return None
        try:
            while True:
                slot = await self.limiter.acquire(item.chat_id, item.is_group)
                if slot.go:
                    return 0.0
                if slot.chat_only:
                    await self._unclaim(item)
                    return slot.wait
                await self.sleep(slot.wait)
        except BaseException:
            await asyncio.shield(self._unclaim(item))
            raise

    async def _claim(self, item: Item) -> bool:
        async with self.uow() as tx:
            return await tx.notices.claim(item.id, "withdraw" if item.delete else "pending", self.clock.now())

    async def _unclaim(self, item: Item) -> None:
        async with self.uow() as tx:
            row = await tx.notices.outbox_row(item.id)
            attempts = max(0, row.attempts - 1) if row is not None else 0
            await tx.notices.set_outbox(
                item.id, status="withdraw" if item.delete else "pending", attempts=attempts, claimed_at=None
            )

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
            await self.limiter.retry_after(item.chat_id, e.seconds, everyone=not item.is_group)
            values = {"status": "withdraw" if item.delete else "pending", "attempts_back": True, "claimed_at": None}
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
        async with self.uow() as tx:
            repo = tx.notices
            if values.pop("attempts_back", False):
                row = await repo.outbox_row(item.id)
                if row is not None:
                    values["attempts"] = max(0, row.attempts - 1)  # a 429 is not the recipient's fault
            await repo.set_outbox(item.id, **values)
        self.kick.set()

    async def _retry_or_fail(self, item: Item, e: Exception) -> dict[str, object]:
        async with self.uow() as tx:
            row = await tx.notices.outbox_row(item.id)
        attempts = row.attempts if row else self.max_attempts
        reason = (str(e) or type(e).__name__)[:200]
        if attempts >= self.max_attempts:
            return {"status": "deleted" if item.delete else "failed", "error": reason}
        return {
            "status": "withdraw" if item.delete else "pending",
            "error": reason,
            "not_before": self.clock.now() + backoff(attempts),
            "claimed_at": None,
        }

    async def _migrated(self, item: Item, new_chat_id: int) -> None:
        async with self.uow() as tx:
            repo = tx.notices
            if item.is_group:
                await repo.migrate_group(item.recipient_id, new_chat_id)
            await repo.set_outbox(
                item.id,
                chat_id=new_chat_id,
                status="withdraw" if item.delete else "pending",
                attempts=0,
                claimed_at=None,
            )
        self.kick.set()

    async def _blocked(self, item: Item, reason: str) -> None:
        async with self.uow() as tx:
            repo = tx.notices
            if item.is_group:
                await repo.deactivate_group(item.recipient_id, reason)
            else:
                await repo.mark_user_blocked(item.recipient_id)
            await repo.set_outbox(item.id, status="deleted" if item.delete else "blocked", error=reason[:200])
