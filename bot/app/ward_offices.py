"""The ward offices' edited values, applied to the content every handler reads.

`Content.wards` is what the bot shows residents (the contact card, the tổ dân phố buttons). This keeps
the Ward objects content/wards.yaml gave at start (`base`) and replaces the entries of `content.wards`
with the YAML's overlaid by the console's overrides (`ward_overrides`), so:
- a resident's message reads nothing more from the database: the overlay is in memory;
- the process that made an edit applies it at once (`refresh` after the edit);
- other instances pick it up within `WARD_OFFICES_INTERVAL_SECONDS` (bot.workers.ward_offices);
- an override removed brings back the YAML's values.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

from bot.app.ports import Transactions
from bot.app.ports.wards import WardOverrideRecord
from bot.core.content import Content, Text, Ward
from bot.core.ward_overrides import Neighbourhoods, OfficeOverride, overlay


def _json_list(raw: str | None) -> tuple[str, ...] | None:
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(value, list):
        return None
    return tuple(str(x) for x in value)


def override_of(row: WardOverrideRecord) -> OfficeOverride:
    """A stored row as an override (a value the row cannot say is taken from the YAML)."""
    hours: Text | None = None
    cleared = False
    if row.hours_vi is not None:
        if row.hours_vi:
            hours = Text(vi=row.hours_vi, en=row.hours_en or row.hours_vi)
        else:
            cleared = True
    tdps: Neighbourhoods | None = None
    if row.neighbourhoods is not None:
        tdps = "unknown" if row.neighbourhoods == json.dumps("unknown") else _json_list(row.neighbourhoods)
    return OfficeOverride(
        ward_id=row.ward_id,
        address=row.address,
        hours=hours,
        hours_cleared=cleared,
        phones=_json_list(row.phones),
        neighbourhoods=tdps,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def row_values(o: OfficeOverride) -> dict[str, str | None]:
    """The columns that store `o` (`WardOverrideRepository.put`)."""
    hours_vi = hours_en = None
    if o.hours is not None:
        hours_vi, hours_en = o.hours.vi, o.hours.en
    elif o.hours_cleared:
        hours_vi, hours_en = "", ""
    tdps: str | list[str] | None = None
    if o.neighbourhoods is not None:
        tdps = "unknown" if o.neighbourhoods == "unknown" else list(o.neighbourhoods)
    return {
        "address": o.address,
        "hours_vi": hours_vi,
        "hours_en": hours_en,
        "phones": None if o.phones is None else json.dumps(list(o.phones), ensure_ascii=False),
        "neighbourhoods": None
        if tdps is None
        else json.dumps(tdps if tdps == "unknown" else list(tdps), ensure_ascii=False),
    }


class WardOffices:
    def __init__(self, uow: Transactions, content: Content):
        self.uow, self.content = uow, content
        self.base: dict[str, Ward] = dict(content.wards)  # as content/wards.yaml has them
        self.overrides: dict[str, OfficeOverride] = {}
        self._lock = asyncio.Lock()

    def yaml_ward(self, ward_id: str) -> Ward | None:
        return self.base.get(ward_id)

    def override(self, ward_id: str) -> OfficeOverride | None:
        return self.overrides.get(ward_id)

    async def refresh(self) -> bool:
        """Reads every override and applies them; True if what the bot shows changed. One read at a
        time: an older read never lands after a newer one."""
        async with self._lock:
            async with self.uow() as tx:
                rows = await tx.ward_overrides.all()
            return self.apply(rows)

    def apply(self, rows: Sequence[WardOverrideRecord]) -> bool:
        found = {r.ward_id: override_of(r) for r in rows if r.ward_id in self.base}
        self.overrides = found
        changed = False
        for ward_id, base in self.base.items():
            ward = overlay(base, found.get(ward_id))
            if self.content.wards.get(ward_id) != ward:
                self.content.wards[ward_id] = ward  # the same dict: every holder of `content` sees it
                changed = True
        return changed
