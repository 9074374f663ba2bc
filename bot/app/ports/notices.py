"""Notices: announcements, their firings (occurrences), the outbox, neighbourhood groups, send limits.

Records are the attributes the use cases read and write; `bot.adapters.db.announcements` satisfies
them structurally. Every query the use cases need is a method of `NoticeRepository`, reached through
the unit of work (`tx.notices`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.core.rate_limit import Slot

Recipient = tuple[int, int, str]  # (user id, chat id, language)


class GroupRecord(Protocol):
    id: int
    chat_id: int
    ward_id: str
    neighbourhood: str | None
    title: str
    active: bool


class AnnouncementRecord(Protocol):
    id: int
    ward_id: str
    author_id: int
    author_chat_id: int
    text: str
    media_kind: str | None
    media_file_id: str | None
    audience: str
    neighbourhoods: str  # "5,7" for a chosen-tổ audience
    repeat: str
    start_at: dt.datetime
    until: dt.date | None
    urgent: bool
    status: str
    approved_by: int | None
    next_fire_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class OccurrenceRecord(Protocol):
    id: int
    announcement_id: int
    fire_at: dt.datetime
    status: str
    finished_at: dt.datetime | None
    reported_at: dt.datetime | None


class OutboxRecord(Protocol):
    id: int
    occurrence_id: int
    recipient_kind: str  # user | group
    recipient_id: int
    chat_id: int
    lang: str
    status: str
    attempts: int
    message_id: int | None
    error: str | None
    acked_at: dt.datetime | None


@dataclass(frozen=True)
class NewAnnouncement:
    ward_id: str
    author_id: int
    author_chat_id: int
    text: str
    media_kind: str | None
    media_file_id: str | None
    audience: str
    neighbourhoods: str
    repeat: str
    start_at: dt.datetime
    until: dt.date | None
    urgent: bool
    status: str
    next_fire_at: dt.datetime | None
    created_at: dt.datetime


@dataclass(frozen=True)
class OutboxEntry:
    """One message to queue: a recipient of one occurrence."""

    occurrence_id: int
    recipient_kind: str
    recipient_id: int
    chat_id: int
    lang: str
    not_before: dt.datetime
    channel: str = "telegram"


class NoticeRepository(Protocol):
    # groups and people
    async def bind_group(
        self, chat_id: int, ward_id: str, neighbourhood: str | None, title: str, by: int | None, now: dt.datetime
    ) -> GroupRecord: ...
    async def group_by_chat(self, chat_id: int) -> GroupRecord | None: ...
    async def groups(self, ward_id: str, neighbourhoods: Sequence[str] | None = None) -> Sequence[GroupRecord]: ...
    async def deactivate_group(self, group_id: int, reason: str) -> None: ...
    async def migrate_group(self, group_id: int, new_chat_id: int) -> None: ...
    async def move_pending(self, group_id: int, new_chat_id: int) -> None: ...
    async def subscribers(
        self, ward_id: str, neighbourhoods: Sequence[str] | None = None, channel: str = "telegram"
    ) -> Sequence[Recipient]: ...
    async def neighbourhoods_known(self, ward_id: str) -> Sequence[str]: ...
    async def officials(self, ward_id: str, channel: str = "telegram") -> Sequence[Recipient]: ...
    async def mark_user_blocked(self, user_id: int) -> None: ...
    async def user_lang(self, user_id: int) -> str | None: ...

    # ward settings
    async def require_approval(self, ward_id: str) -> bool: ...
    async def set_require_approval(self, ward_id: str, on: bool, now: dt.datetime) -> None: ...

    # notices
    async def add(self, new: NewAnnouncement) -> AnnouncementRecord: ...
    async def get(self, ann_id: int, lock: bool = False) -> AnnouncementRecord | None: ...
    async def list_for_wards(self, ward_ids: Iterable[str] | None, limit: int = 20) -> Sequence[AnnouncementRecord]: ...
    async def due(self, now: dt.datetime) -> Sequence[int]: ...
    async def claim_due(self, ann_id: int, now: dt.datetime) -> AnnouncementRecord | None:
        """The notice, locked for this ticker, if it is still due; None if another ticker holds it or fired it."""
        ...

    # occurrences
    async def occurrence_exists(self, ann_id: int, fire_at: dt.datetime) -> bool: ...
    async def add_occurrence(self, ann_id: int, fire_at: dt.datetime, status: str, now: dt.datetime) -> int | None:
        """The new occurrence's id, or None when that firing already exists (idempotent insert)."""
        ...

    async def occurrences(self, ann_id: int) -> Sequence[OccurrenceRecord]: ...
    async def occurrence(self, occ_id: int) -> OccurrenceRecord | None: ...
    async def counts(self, occ_id: int) -> dict[str, int]: ...
    async def acks(self, occ_id: int) -> int: ...
    async def sent_by_channel(self, occ_id: int) -> dict[str, tuple[int, int]]:
        """channel -> (delivered, queued) for one firing."""
        ...

    async def failures(self, occ_id: int, limit: int = 10) -> Sequence[OutboxRecord]: ...
    async def finished_unreported(self) -> Sequence[OccurrenceRecord]: ...
    async def held_occurrences(self, now: dt.datetime) -> Sequence[tuple[OccurrenceRecord, int, dt.datetime]]: ...
    async def mark_held(self, occ_id: int) -> bool: ...
    async def close_occurrence(self, occ_id: int, now: dt.datetime) -> bool: ...

    # the outbox
    async def add_outbox(self, rows: Sequence[OutboxEntry]) -> None: ...
    async def lease(
        self, now: dt.datetime, stale_before: dt.datetime, limit: int, channel: str = "telegram"
    ) -> Sequence[OutboxRecord]:
        """Rows due now and leased by no live worker (`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL),
        leased to the caller (their `claimed_at` set to `now`)."""
        ...

    async def release(self, row_ids: Sequence[int]) -> None:
        """Give leased rows back (a stopping worker)."""
        ...

    async def claim(self, row_id: int, from_status: str, now: dt.datetime) -> bool: ...
    async def set_outbox(self, row_id: int, **values: object) -> None: ...
    async def outbox_row(self, row_id: int) -> OutboxRecord | None: ...
    async def ack(self, row_id: int, chat_id: int, now: dt.datetime) -> bool: ...
    async def release_stale(self, before: dt.datetime) -> None: ...
    async def stale_in_flight(self, before: dt.datetime) -> Sequence[OutboxRecord]: ...
    async def cancel_pending(self, occ_ids: Sequence[int]) -> int: ...
    async def mark_withdraw(self, occ_ids: Sequence[int], sent_after: dt.datetime) -> int: ...


class SendLimiter(Protocol):
    """Telegram's outgoing limits, shared by every sender of one bot (in memory, or in Redis across processes).

    `acquire` takes a slot (global + the chat's) when one is free now, or says how long to wait and
    whether the wait is the chat's own (try another chat meanwhile) or everyone's.
    """

    async def acquire(self, chat_id: int, is_group: bool, *, interactive: bool = False) -> Slot: ...
    async def retry_after(self, chat_id: int, seconds: float, *, everyone: bool) -> None: ...
