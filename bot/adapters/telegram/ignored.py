"""Updates nobody should be answered for, ignored on purpose (before any feature router sees them).

Anonymous group admins and linked channels write "as the group" (`sender_chat`, from GroupAnonymousBot):
there is no person to identify, so no role to check; bots and Telegram's service messages (new members,
pins, title changes, a group upgraded *to* a supergroup) are nobody's words; edits in groups change
nothing. Channel posts need no handler: aiogram drops update types nobody listens to. The upgrade
notice in the new supergroup (`migrate_from_chat_id`) is not ignored: the notice and help-desk
routers follow the group's new id.
"""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.adapters.telegram.filters import NotFromAPerson
from bot.core.i18n import Texts

log = logging.getLogger(__name__)


def make_router() -> Router:
    router = Router(name=__name__)

    @router.message(NotFromAPerson())
    async def on_ignored(message: Message, why: str) -> None:
        log.debug("ignored message %s in chat %s: %s", message.message_id, message.chat.id, why)

    @router.edited_message()
    async def on_edited_in_group(message: Message) -> None:
        """Private edits arrive as new messages (`EditsAsNew`); in a group an edit changes nothing. Having a
        handler also puts `edited_message` in `allowed_updates`, or Telegram would not send private edits."""
        log.debug("ignored an edit of message %s in chat %s", message.message_id, message.chat.id)

    return router


def make_last_router() -> Router:
    """Included after every other router: a button press nobody took (a forged payload, a button of ours
    pressed in a chat where it means nothing) is answered, so it never spins."""
    router = Router(name=f"{__name__}.last")

    @router.callback_query()
    async def on_unknown_button(query: CallbackQuery, texts: Texts) -> None:
        lang = "en" if (query.from_user.language_code or "").startswith("en") else "vi"
        await query.answer(texts(lang, "common.button_gone"))

    return router
