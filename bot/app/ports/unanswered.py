"""Questions the bot could not answer, kept (hashed) for staff to review."""

from __future__ import annotations

from typing import Any, Protocol


class UnansweredRepository(Protocol):
    def __getattr__(self, name: str) -> Any: ...
