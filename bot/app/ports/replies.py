"""Replies the bot could not send at once (Telegram kept answering 429 or the network failed): kept so
a worker sends them later and staff can see them (`bot stats replies`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol


class StoredReply(Protocol):
    id: int
    channel: str
    chat_id: int
    method: str  # the Bot API method's name, e.g. "SendMessage"
    payload: str  # the method's parameters as JSON
    status: str  # pending → sending → sent | gone (blocked) | failed (gave up)
    attempts: int
    error: str | None
    created_at: dt.datetime
    next_at: dt.datetime
    sent_at: dt.datetime | None


class ReplyRepository(Protocol):
    async def add(
        self, channel: str, chat_id: int, method: str, payload: str, error: str, now: dt.datetime, next_at: dt.datetime
    ) -> int: ...
    async def due(self, now: dt.datetime, limit: int, channel: str) -> Sequence[StoredReply]:
        """Pending replies of `channel` whose time has come, oldest first."""
        ...

    async def claim(self, reply_id: int, now: dt.datetime) -> bool:
        """pending → sending; False when another worker has it."""
        ...

    async def finish(self, reply_id: int, status: str, now: dt.datetime, error: str | None = None) -> None: ...
    async def retry_later(self, reply_id: int, next_at: dt.datetime, error: str) -> None:
        """sending → pending again, one more attempt counted."""
        ...

    async def release_stale(self, before: dt.datetime) -> int:
        """Rows left `sending` by a dead process go back to pending."""
        ...

    async def counts(self, since: dt.datetime) -> dict[str, int]:
        """status → number of replies stored since `since`."""
        ...

    async def recent(self, limit: int, status: str | None = None) -> Sequence[StoredReply]: ...
