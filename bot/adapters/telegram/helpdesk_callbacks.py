"""The help desk's typed callback data, and what both help-desk routers read from a message.

The factories parse exactly the payloads `bot.app.helpdesk_buttons` builds (a test packs and
unpacks each). A payload with a known prefix that none of them parses (forged, or an old layout)
is answered "Nút này không còn dùng được" by the routers' last handler, never an exception.
"""

from __future__ import annotations

from typing import Annotated, Literal

from aiogram.filters import Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from pydantic import Field

from bot.app.helpdesk_buttons import DraftAction, StaffAction, TicketAction, TicketAnswer
from bot.app.tickets import Incoming

TicketId = Annotated[int, Field(ge=1, le=2**31 - 1)]  # a forged huge number never reaches the database


class AskCb(CallbackData, prefix="ask"):
    """`ask:<guide>:<step>`: "Hỏi cán bộ phường" under a guide step (plain `ask` from the menu)."""

    guide: str
    step: Annotated[int, Field(ge=0, le=1000)]


class DraftCb(CallbackData, prefix="hd"):
    action: DraftAction


class TicketCb(CallbackData, prefix="hd"):
    action: TicketAction
    ticket: TicketId


class AnswerCb(CallbackData, prefix="hd"):
    action: TicketAnswer
    ticket: TicketId
    value: Annotated[int, Field(ge=0, le=5)]


class StaffCb(CallbackData, prefix="tk"):
    action: StaffAction
    ticket: TicketId


class MoveToCb(CallbackData, prefix="tk"):
    verb: Literal["mv"]
    ticket: TicketId
    ward: str


RESIDENT_FACTORIES: tuple[type[CallbackData], ...] = (AskCb, DraftCb, TicketCb, AnswerCb)
STAFF_FACTORIES: tuple[type[CallbackData], ...] = (StaffCb, MoveToCb)


class Unparsed(Filter):
    """A button of ours (by prefix) whose payload none of our factories reads: forged or out of date."""

    def __init__(self, factories: tuple[type[CallbackData], ...]) -> None:
        self.factories = factories
        self.prefixes = tuple({f.__prefix__ + f.__separator__ for f in factories})

    async def __call__(self, query: CallbackQuery) -> bool:
        data = query.data or ""
        if not data.startswith(self.prefixes):
            return False
        for factory in self.factories:
            try:
                factory.unpack(data)
            except (TypeError, ValueError):
                continue
            return False
        return True


def incoming(message: Message) -> Incoming:
    kind = (
        "text"
        if message.text is not None
        else "photo"
        if message.photo
        else "voice"
        if message.voice
        else "document"
        if message.document
        else "video"
        if message.video
        else "video_note"
        if message.video_note
        else "audio"
        if message.audio
        else "other"
    )
    return Incoming(
        kind=kind,
        text=message.text or message.caption or "",  # whole: Telegram already caps it at 4,096
        chat_id=message.chat.id,
        message_id=message.message_id,
    )


def is_command(message: Message) -> bool:
    return (message.text or "").startswith("/")


async def not_command(message: Message) -> bool:
    """Async, so aiogram runs it in the event loop (a plain function costs a thread hop)."""
    return not is_command(message)


async def command(message: Message) -> bool:
    return is_command(message)
