"""Linking one person's users on two channels: one-time codes, the guard against guessing, the links."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from bot.app.ports.users import ProgressRecord


class LinkCodeRecord(Protocol):
    code_hash: str
    user_id: int
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None


class LinkGuardRecord(Protocol):
    user_id: int
    failures: int
    window_start: dt.datetime | None
    locked_until: dt.datetime | None


class LinkRepository(Protocol):
    async def code_taken(self, code_hash: str, now: dt.datetime) -> bool:
        """Another live (unused, unexpired) code has this hash."""
        ...

    async def add_code(self, code_hash: str, user_id: int, now: dt.datetime, expires_at: dt.datetime) -> None:
        """Stores a new code; the user's earlier codes are dropped (one code per person)."""
        ...

    async def code(self, code_hash: str) -> LinkCodeRecord | None: ...

    async def use_code(self, code_hash: str, now: dt.datetime) -> bool:
        """Marks a live code used; True for exactly one of concurrent uses."""
        ...

    async def guard(self, user_id: int) -> LinkGuardRecord:
        """The user's wrong-code counter (created at zero), changes saved with the transaction."""
        ...

    async def partner(self, user_id: int) -> int | None: ...
    async def link(self, a: int, b: int, now: dt.datetime) -> None: ...
    async def unlink(self, user_id: int) -> int | None:
        """Removes the link both ways; the partner's id, None when there was none."""
        ...

    async def progress(self, user_id: int) -> Sequence[ProgressRecord]: ...
    async def put_progress(self, user_id: int, src: ProgressRecord) -> None:
        """The user's place in `src.guide_id` becomes a copy of `src`."""
        ...
