"""Typed callback data for a guide's failure branches (`bot.app.resident_flow.branch_action` builds them).

A payload this factory does not read (forged, out of range, an old layout) falls through to the resident
router's generic button handler, which answers "Nút này không còn dùng được".
"""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from bot.app.resident_flow import BRANCH
from bot.core.content import MAX_BRANCH_STEPS, MAX_BRANCHES

Small = Annotated[int, Field(ge=0, le=1000)]


class BranchCb(CallbackData, prefix=BRANCH):
    """`br:<guide>:<step>:<branch>:<sub>`: sub-step `sub` of "if this happens" branch `branch` under `step`."""

    guide: str
    step: Small
    branch: Annotated[int, Field(ge=0, lt=MAX_BRANCHES)]
    sub: Annotated[int, Field(ge=0, lt=MAX_BRANCH_STEPS)]
