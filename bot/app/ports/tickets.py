"""Help desk: tickets, their messages, staff groups bound to wards, the audit trail.

TODO(architecture): list the methods `bot.app.tickets` uses; until then the protocols are open.
"""

from __future__ import annotations

from typing import Any, Protocol


class TicketRepository(Protocol):
    def __getattr__(self, name: str) -> Any: ...


class StaffGroupRepository(Protocol):
    def __getattr__(self, name: str) -> Any: ...
