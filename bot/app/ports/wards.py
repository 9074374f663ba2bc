"""Ward office values edited in the web console (over content/wards.yaml): one row per ward at most.

Column meanings: NULL = as wards.yaml has it; `address` "" = removed; `hours_vi` "" = hours removed;
`phones` a JSON list; `neighbourhoods` a JSON list or the JSON string "unknown".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol


class WardOverrideRecord(Protocol):
    ward_id: str
    address: str | None
    hours_vi: str | None
    hours_en: str | None
    phones: str | None
    neighbourhoods: str | None
    updated_at: dt.datetime
    updated_by: int | None


class WardOverrideRepository(Protocol):
    async def all(self) -> Sequence[WardOverrideRecord]:
        """Every ward's row (a handful: one per ward at most)."""
        ...

    async def get(self, ward_id: str) -> WardOverrideRecord | None: ...

    async def put(
        self,
        ward_id: str,
        *,
        address: str | None,
        hours_vi: str | None,
        hours_en: str | None,
        phones: str | None,
        neighbourhoods: str | None,
        now: dt.datetime,
        by: int | None,
    ) -> None:
        """Inserts or replaces the ward's row."""
        ...

    async def delete(self, ward_id: str) -> bool:
        """True if there was a row."""
        ...
