"""Typed callback data of admins' confirmations; they parse exactly what `bot.app.admin_buttons` builds."""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from bot.app.admin_buttons import Answer, Revocable, Unbind

ChatId = Annotated[int, Field(ge=-(10**15), le=10**15)]  # Telegram chat ids fit in 52 bits
UserId = Annotated[int, Field(ge=1, le=2**31 - 1)]
WardId = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$")]


class UnbindCb(CallbackData, prefix="ub"):
    answer: Answer
    what: Unbind
    chat: ChatId


class RevokeCb(CallbackData, prefix="rv"):
    answer: Answer
    user: UserId
    role: Revocable
    ward: WardId


ADMIN_FACTORIES: tuple[type[CallbackData], ...] = (UnbindCb, RevokeCb)
