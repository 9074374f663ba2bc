"""Home visits' typed callback data: exactly the payloads `bot.app.visit_buttons` builds.

A payload with one of these prefixes that none of them parses (forged, or an old layout) gets
"Nút này không còn dùng được" from the routers' last handler, never an exception.
"""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from bot.app.visit_buttons import LogAction, RequestAction, TeamAction
from bot.core.visits import MAX_LOG_BITS, DayKind, DayPart

RequestId = Annotated[int, Field(ge=1, le=2**31 - 1)]  # a forged huge number never reaches the database


class StartCb(CallbackData, prefix="hv"):
    """`hv`: "🏠 Nhờ người đến nhà"."""


class MyToCb(CallbackData, prefix="hvo"):
    to: Annotated[str, Field(pattern=r"^[0-9]{1,3}$")]


class PartCb(CallbackData, prefix="hvp"):
    part: DayPart


class KindCb(CallbackData, prefix="hvk"):
    kind: DayKind


class SendCb(CallbackData, prefix="hvs"):
    yes: Annotated[int, Field(ge=0, le=1)]


WIZARD_FACTORIES: tuple[type[CallbackData], ...] = (MyToCb, PartCb, KindCb, SendCb)


class RequestCb(CallbackData, prefix="hvr"):
    action: RequestAction
    request: RequestId
    value: Annotated[int, Field(ge=0, le=5)]


class TimeCb(CallbackData, prefix="hvt"):
    """Her answer to one proposed time."""

    request: RequestId
    ok: Annotated[int, Field(ge=0, le=1)]
    at: Annotated[int, Field(ge=0, le=2**40)]


class TeamCb(CallbackData, prefix="vt"):
    action: TeamAction
    request: RequestId


class ProposeCb(CallbackData, prefix="vta"):
    request: RequestId
    at: Annotated[int, Field(ge=0, le=2**40)]  # minutes since the epoch


class LogCb(CallbackData, prefix="vl"):
    action: LogAction
    request: RequestId
    bits: Annotated[int, Field(ge=0, le=MAX_LOG_BITS)]


RESIDENT_FACTORIES: tuple[type[CallbackData], ...] = (*WIZARD_FACTORIES, RequestCb, TimeCb)
TEAM_FACTORIES: tuple[type[CallbackData], ...] = (TeamCb, ProposeCb, LogCb)
