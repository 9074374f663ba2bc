"""Home visits' Telegram sender: the help desk's, plus editing a card in place."""

from __future__ import annotations

from bot.adapters.telegram.desk_sender import DeskSender
from bot.adapters.telegram.render import _bold, keyboard
from bot.app.helpdesk import Delivered
from bot.core.screens import Screen


class VisitSender(DeskSender):
    """The help desk's sender plus editing a card in place."""

    async def edit(self, chat_id: int, message_id: int, screen: Screen) -> Delivered:
        text, entities = _bold(screen.text)

        async def edit() -> object:
            return await self.bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, entities=entities, reply_markup=keyboard(screen)
            )

        return await self._call(chat_id, edit)
