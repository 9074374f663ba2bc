"""Ward notices, the values: audiences, statuses, a draft, a notice, a firing's report, and the one error type."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum

from bot.app.ports.notices import AnnouncementRecord
from bot.core.schedule import Repeat, Schedule
from bot.core.screens import Screen

TEXT_LIMIT = 3800  # Telegram allows 4096; room for the header
CAPTION_LIMIT = 900  # Telegram allows 1024 for a photo or document caption
GRACE = dt.timedelta(minutes=30)
WITHDRAW_WINDOW = dt.timedelta(hours=48)  # bots may delete their messages for 48 hours
# An occurrence is "sending" until every message reached a final state; "held" once its author was told
# that the rest waits (quiet hours, or a retry later).
OPEN_OCCURRENCE = ("sending", "held")


class Audience(StrEnum):
    WARD = "ward"  # every bound group and subscriber of the ward
    NEIGHBOURHOODS = "tdp"  # groups and subscribers of chosen tổ dân phố
    GROUPS = "groups"
    SUBSCRIBERS = "subs"


class Status(StrEnum):
    PENDING_APPROVAL = "pending_approval"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"
    WITHDRAWN = "withdrawn"


class NoticeError(ValueError):
    """A notice that may not be created or changed; `code` names the text shown (announcements.err_<code>)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Draft:
    ward_id: str
    text: str
    audience: Audience
    neighbourhoods: tuple[str, ...] = ()
    repeat: Repeat = Repeat.ONCE
    start_at: dt.datetime | None = None  # None = now
    until: dt.date | None = None
    urgent: bool = False
    media_kind: str | None = None
    media_file_id: str | None = None


@dataclass(frozen=True)
class Notice:
    id: int
    ward_id: str
    author_id: int
    author_chat_id: int
    text: str
    audience: Audience
    neighbourhoods: tuple[str, ...]
    schedule: Schedule
    urgent: bool
    status: Status
    media_kind: str | None
    media_file_id: str | None
    next_fire_at: dt.datetime | None
    approved_by: int | None


@dataclass(frozen=True)
class OccurrenceReport:
    notice_id: int
    fire_at: dt.datetime
    counts: dict[str, int]
    acked: int
    reasons: dict[str, int]
    by_channel: dict[str, tuple[int, int]] = field(default_factory=dict)  # channel -> (delivered, queued)


def notice_of(row: AnnouncementRecord) -> Notice:
    return Notice(
        id=row.id,
        ward_id=row.ward_id,
        author_id=row.author_id,
        author_chat_id=row.author_chat_id,
        text=row.text,
        audience=Audience(row.audience),
        neighbourhoods=tuple(n for n in row.neighbourhoods.split(",") if n),
        schedule=Schedule(row.start_at, Repeat(row.repeat), row.until),
        urgent=row.urgent,
        status=Status(row.status),
        media_kind=row.media_kind,
        media_file_id=row.media_file_id,
        next_fire_at=row.next_fire_at,
        approved_by=row.approved_by,
    )


Notify = Callable[[int, Screen], Awaitable[None]]
