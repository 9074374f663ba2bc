"""Notices: announcements, their firings, the outbox, neighbourhood groups.

TODO(architecture): list the methods `bot.app.announcements` / `delivery` use; until then the protocol is open.
"""

from __future__ import annotations

from typing import Any, Protocol


class NoticeRepository(Protocol):
    def __getattr__(self, name: str) -> Any: ...
