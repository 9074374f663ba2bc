"""Users (residents, staff, officials, admins), their roles, and their place in each guide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol


class UserRecord(Protocol):
    id: int
    channel: str
    external_id: int
    display_name: str
    lang: str | None
    voice: str
    ward_id: str | None
    neighbourhood: str | None
    onboarded: bool
    subscribed: bool
    blocked: bool
    created_at: dt.datetime
    last_seen_at: dt.datetime


class RoleRecord(Protocol):
    user_id: int
    role: str
    ward_id: str


class ProgressRecord(Protocol):
    user_id: int
    guide_id: str
    step: int
    started_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None
    worked: bool | None


class UserRepository(Protocol):
    async def with_roles(self, channel: str, external_id: int) -> tuple[UserRecord, Sequence[RoleRecord]] | None:
        """The user and their roles, read together (one query)."""
        ...

    async def create(self, channel: str, external_id: int, display_name: str, now: dt.datetime) -> None:
        """Adds the user unless they exist already (concurrent first messages never raise)."""
        ...

    async def get_or_create(
        self, channel: str, external_id: int, display_name: str, now: dt.datetime
    ) -> UserRecord: ...
    async def by_external(self, channel: str, external_id: int) -> UserRecord | None: ...
    async def get(self, user_id: int) -> UserRecord | None: ...
    async def roles(self, user_id: int) -> Sequence[RoleRecord]: ...
    async def grant(self, user_id: int, role: str, ward_id: str, by: int | None, now: dt.datetime) -> bool:
        """Adds the role unless already held; True when it was added."""
        ...

    async def revoke(self, user_id: int, role: str, ward_id: str) -> bool: ...
    async def members(self, ward_id: str) -> Sequence[tuple[int, str, str, int]]:
        """(user id, name, role, external id) of everyone holding a role in the ward, by name."""
        ...


class ProgressRepository(Protocol):
    async def get(self, user_id: int, guide_id: str) -> ProgressRecord | None: ...
    async def save(self, user_id: int, guide_id: str, step: int, now: dt.datetime) -> None:
        """Upsert: concurrent saves of one resident's place never raise."""
        ...

    async def finish(self, user_id: int, guide_id: str, worked: bool, now: dt.datetime) -> None: ...
    async def latest_unfinished(self, user_id: int) -> ProgressRecord | None: ...
