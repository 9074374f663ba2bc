"""Zalo updates → the same use cases the Telegram routers call → numbered text.

Zalo has no buttons, so a reply is first read against the last screen shown in that chat
(`render.parse_reply`: "2", "tiếp", "quay lại", "menu", "kẹt"…); what it means is the very action
string a Telegram button carries, handed to `ResidentFlow.press` or to the help desk. Anything
else is free text: the question being written for staff, a message on her open ticket, or a
question for the guides (`ResidentFlow.text`). The help desk's conversation (asking → confirming)
is kept per chat here, as the Telegram help-desk router keeps it in its FSM.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from weakref import WeakValueDictionary

from bot.adapters.db.chat_keys import ChatKeys
from bot.adapters.zalo.client import EVENT_IMAGE, EVENT_TEXT, EVENT_UNSUPPORTED, Message, Update
from bot.adapters.zalo.identity import CHANNEL, external_id
from bot.adapters.zalo.out import ZaloOut
from bot.adapters.zalo.render import parse_reply
from bot.app import helpdesk_buttons as B
from bot.app.announcements import AnnouncementService
from bot.app.consultations import ConsultationService
from bot.app.helpdesk import Delivered, Delivery, Draft, HelpDesk, Sender
from bot.app.linking import UNLINK_YES, Linking, LinkOutcome
from bot.app.resident_flow import ResidentFlow
from bot.app.residents import Resident, ResidentService
from bot.app.tickets import Incoming
from bot.core.flood import FloodCounter
from bot.core.i18n import Texts
from bot.core.normalize import strip_diacritics
from bot.core.screens import Button, Screen, rows
from bot.core.stop_words import is_maybe_stop, is_stop_word

log = logging.getLogger(__name__)
_BARE_NUMBER = re.compile(r"^\s*(?:số\s*|so\s*)?(\d{1,3})\s*\.?\s*$", re.IGNORECASE)
# "liên kết", "lien ket 123456", "Huỷ liên kết": linking Zalo with Telegram (bot.app.linking)
_LINK_WORDS = re.compile(r"^\s*(huy\s*)?lien\s*ket\b[\s:]*([\d\s.\-]*)$")
# "ý kiến 12", "y kien 12", "yk 12", "ykien #12", "y kiên số 12", "Ý kiến": a consultation (bot.app.consultations);
# read without diacritics, a slip in "kien" forgiven ("kein", "kiem", "kin")
_CONSULT_WORDS = re.compile(
    r"^\s*(?:xem\s+|tra\s*loi\s+)?y[\s\-_.]*k(?:ie[nm]|ein|in|ine)?(?![a-z])[\s:#.\-]*(?:so\s*)?#?\s*(\d+)?\s*[.!]?\s*$"
)


@dataclass
class Asking:
    """A question for staff being written: `draft` is None until she has typed it."""

    guide: str | None = None
    step: int | None = None
    draft: Draft | None = None


class NoStaffChannel:
    """The staff `Sender` when this process has no Telegram bot: tickets wait, queued, for the staff group."""

    async def send(
        self, chat_id: int, screen: Screen, *, thread_id: int | None = None, reply_to: int | None = None
    ) -> Delivered:
        return Delivered(Delivery.FAILED)

    async def copy(
        self,
        chat_id: int,
        from_chat_id: int,
        message_id: int,
        *,
        caption: str | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
        buttons: tuple[tuple[Button, ...], ...] = (),
    ) -> Delivered:
        return Delivered(Delivery.FAILED)

    async def create_topic(self, chat_id: int, name: str) -> Delivered:
        return Delivered(Delivery.FAILED)


class ZaloChannel:
    def __init__(
        self,
        out: ZaloOut,
        *,
        residents: ResidentService,
        flow: ResidentFlow,
        helpdesk: HelpDesk,
        texts: Texts,
        chat_keys: ChatKeys,
        staff: Sender,
        flood: FloodCounter | None = None,
        announcements: AnnouncementService | None = None,
        linking: Linking | None = None,
        consultations: ConsultationService | None = None,
    ) -> None:
        self.announcements, self.linking, self.consultations = announcements, linking, consultations
        self.out, self.residents, self.flow, self.helpdesk, self.t = out, residents, flow, helpdesk, texts
        self.chat_keys, self.staff, self.flood = chat_keys, staff, flood
        self.asking: dict[str, Asking] = {}
        self._relang: set[str] = set()
        self._locks: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()

    async def on_update(self, update: Update) -> None:
        """Given to `ZaloPoller` / `ZaloWebhook`. Groups are not for basic bots; other bots are ignored."""
        msg = update.message
        if msg is None or not msg.chat.is_private or (msg.sender is not None and msg.sender.is_bot):
            return
        chat = msg.chat.id
        lock = self._locks.get(chat)
        if lock is None:
            lock = self._locks[chat] = asyncio.Lock()
        async with lock:  # one resident's messages are answered in the order she sent them
            await self._handle(update, msg, chat)

    async def _handle(self, update: Update, msg: Message, chat: str) -> None:
        ext = external_id(chat)
        if self.flood is not None:
            n = await self.flood.hit(ext)
            if n > self.flood.limit:
                if n == self.flood.limit + 1:
                    await self.out.show(chat, [Screen(self.t("vi", "common.slow_down"))])
                return
        await self.chat_keys.remember(ext, chat)
        name = (msg.sender.display_name if msg.sender else None) or ""
        r = await self.residents.identify(CHANNEL, ext, name)
        await self.out.typing(chat)
        if update.event_name == EVENT_TEXT:
            screens = await self._text(r, chat, msg.text or "")
        elif update.event_name == EVENT_IMAGE:
            screens = await self._photo(r, chat, msg)
        elif update.event_name == EVENT_UNSUPPORTED:  # Zalo withheld the content (a protected user)
            screens = [Screen(self.t(r.language, "zalo.unsupported")), await self.flow.menu(r)]
        else:  # a sticker: nothing to read
            screens = await self._other(r, chat)
        if r.lang is None or chat in self._relang:  # she chose a language: the footer follows it
            self._relang.discard(chat)
            r = await self.residents.get(r.id) or r
        await self.out.show(chat, screens, r.language)

    # --- text -------------------------------------------------------------------------

    async def _text(self, r: Resident, chat: str, text: str) -> list[Screen]:
        if text.strip().startswith("/"):
            self.asking.pop(chat, None)
            return await self._command(r, text.strip())
        if self.linking is not None and (words := _LINK_WORDS.match(strip_diacritics(text.lower()))):
            self.asking.pop(chat, None)
            return await self._link(r, unlink=bool(words.group(1)), code=words.group(2).strip())
        if self.consultations is not None and (said := _CONSULT_WORDS.match(strip_diacritics(text.lower()))):
            self.asking.pop(chat, None)
            return [await self._consult(r, said.group(1))]
        if is_stop_word(text):  # DỪNG / STOP works at any point, as on Telegram
            self.asking.pop(chat, None)
            return await self._subscribe(r, False)
        if is_maybe_stop(text) and r.subscribed:  # a bare "dung" may be "đúng": ask first
            return [self._stop_confirm(r)]
        last = self.out.screens.get(chat)
        number = _BARE_NUMBER.match(text)
        if r.awaiting_neighbourhood and number is not None:  # "1" is her tổ dân phố, not choice 1
            return await self.flow.text(r, text)
        action = parse_reply(text, last) if last is not None else None
        if action is None and r.lang is None:  # her first words on Zalo: the welcome and the language
            return await self.flow.start(r)
        if action is not None:
            return await self._press(r, chat, action)
        asking = self.asking.get(chat)
        if asking is not None:
            return self._question(r, asking, Incoming("text", text))
        if number is not None:  # a number that is no choice: say so, and show the choices again
            again = [last] if last is not None else [await self.flow.menu(r)]
            return [Screen(self.t(r.language, "zalo.bad_number", n=number.group(1))), *again]
        if r.onboarded and not is_stop_word(text) and (ticket := await self.helpdesk.ticket_to_continue(r)):
            return await self.helpdesk.resident_message(r, ticket, Incoming("text", text), self.staff)
        return await self.flow.text(r, text)

    async def _command(self, r: Resident, text: str) -> list[Screen]:
        """Zalo has no command menu, but "/start" and friends typed by hand do what they do on Telegram."""
        cmd, _, arg = text[1:].partition(" ")
        cmd = cmd.split("@")[0].lower()
        if cmd == "start":
            return await self.flow.start(r, arg.strip() or None)
        if cmd == "menu":
            return [await self.flow.menu(r)]
        if cmd == "help":
            return self.flow.help(r)
        if cmd == "settings":
            return await self.flow.settings(r)
        if cmd == "lang":
            return self.flow.language(r)
        if cmd in ("xung_ho", "xungho"):
            return self.flow.voice(r)
        if cmd == "mytickets":
            return await self.helpdesk.my_tickets(r)
        if cmd in ("subscribe", "unsubscribe"):
            return await self._subscribe(r, cmd == "subscribe")
        if cmd in ("y_kien", "ykien", "vote") and self.consultations is not None:
            return [await self._consult(r, arg.strip().lstrip("#") or None)]
        if cmd in ("lienket", "huylienket") and self.linking is not None:
            return await self._link(r, unlink=cmd == "huylienket", code=arg.strip())
        return self.flow.unknown_command(r)

    async def _subscribe(self, r: Resident, on: bool) -> list[Screen]:
        """What the Telegram audience router does for /subscribe, /unsubscribe and DỪNG."""
        if on and r.ward_id is None:
            return [Screen(self.t(r.language, "announcements.subscribe_need_ward"))]
        await self.residents.update(r.id, subscribed=on)
        return [Screen(self.t(r.language, "announcements.subscribed" if on else "announcements.unsubscribed"))]

    async def _link(self, r: Resident, *, unlink: bool, code: str) -> list[Screen]:
        assert self.linking is not None
        if unlink:
            outcome = await self.linking.ask_unlink(r)
        else:
            outcome = await (self.linking.redeem(r, code) if code else self.linking.issue(r))
        return await self._linked(outcome)

    async def _linked(self, outcome: LinkOutcome) -> list[Screen]:
        """Her screens; the other chat (Telegram) is told through the staff sender, which is the Telegram bot."""
        assert self.linking is not None
        await self.linking.tell(outcome.other, self.staff)
        return outcome.screens

    async def _consult(self, r: Resident, number: str | None) -> Screen:
        """«ý kiến 12»: that consultation's question with numbered options; «ý kiến»: her ward's open ones."""
        assert self.consultations is not None
        if number is None:
            return await self.consultations.open_in_ward(r)
        return await self.consultations.open_vote(r, int(number) if len(number) <= 12 else 0)

    async def _consult_press(self, r: Resident, args: list[str]) -> Screen:
        """A number under a ballot (`cs:v:<id>:<option>`) or under the list of open ones (`cs:b:<id>`)."""
        assert self.consultations is not None
        what, nums = (args[0] if args else ""), args[1:]
        if nums and all(n.isdigit() and len(n) <= 9 for n in nums):
            if what == "v" and len(nums) == 2:
                return (await self.consultations.vote(r, int(nums[0]), int(nums[1]))).screen
            if what == "b" and len(nums) == 1:
                return await self.consultations.open_vote(r, int(nums[0]))
        return Screen(self.t(r.language, "common.button_gone"))

    def _stop_confirm(self, r: Resident) -> Screen:
        lang = r.language
        return Screen(
            self.t(lang, "announcements.stop_confirm"),
            rows(
                Button(self.t(lang, "announcements.stop_confirm_yes"), "sub:0"),
                Button(self.t(lang, "announcements.stop_confirm_no"), "menu"),
            ),
        )

    # --- what a number or word means --------------------------------------------------

    async def _press(self, r: Resident, chat: str, action: str) -> list[Screen]:
        verb, _, rest = action.partition(":")
        args = rest.split(":") if rest else []
        if verb == B.ASK:
            guide, step = (args[0], int(args[1])) if len(args) == 2 and args[1].isdigit() else (None, None)
            screens, wait = await self.helpdesk.ask(r, guide, step, self.staff)
            self.asking.pop(chat, None)
            if wait:
                self.asking[chat] = Asking(guide, step)
            return screens
        if verb == "hd" and (desk := await self._desk_button(r, chat, args)) is not None:
            return desk
        if verb == "an" and len(args) == 2 and args[0] == "ack" and args[1].isdigit() and self.announcements:
            # "Đã hiểu" under a notice: counted once, only from the chat it went to
            await self.announcements.ack(int(args[1]), external_id(chat))
            return [Screen(self.t(r.language, "announcements.ack_thanks"))]
        if verb == "cs" and self.consultations is not None:  # a consultation's ballot, as Telegram's VoteCb
            self.asking.pop(chat, None)
            return [await self._consult_press(r, args)]
        if verb == "lk" and self.linking is not None:  # the answer to "Huỷ liên kết?"
            yes = action == UNLINK_YES
            return await self._linked(await (self.linking.unlink(r) if yes else self.linking.kept(r)))
        self.asking.pop(chat, None)  # she went elsewhere: stop waiting for a question
        if verb == "lang":
            self._relang.add(chat)
        return (await self.flow.press(r, action)).screens

    async def _desk_button(self, r: Resident, chat: str, args: list[str]) -> list[Screen] | None:
        """The help desk's `hd:` choices (the Telegram router's DraftCb, TicketCb, AnswerCb); None = stale."""
        what, nums = (args[0] if args else ""), args[1:]
        if what == B.DraftAction.CANCEL:
            self.asking.pop(chat, None)
            return self.helpdesk.cancelled(r)
        asking = self.asking.get(chat)
        if what == B.DraftAction.REWRITE and asking is not None:
            asking.draft = None
            return self.helpdesk.rewrite(r)
        if what == B.DraftAction.SEND and asking is not None:
            del self.asking[chat]
            if asking.draft is None:  # nothing written yet: ask again
                self.asking[chat] = asking
                return self.helpdesk.rewrite(r)
            return await self.helpdesk.submit(r, asking.draft, self.staff)
        if not all(n.isdigit() for n in nums) or not nums:
            return None
        ticket = int(nums[0])
        if what == B.TicketAction.CLOSE:
            return await self.helpdesk.resident_close_confirm(r, ticket)
        if what == B.TicketAction.CLOSE_YES:
            return await self.helpdesk.resident_close(r, ticket, self.staff)
        if what == B.TicketAction.CLOSE_NO:
            return await self.helpdesk.resident_keep_open(r, ticket)
        if what == B.TicketAnswer.SOLVED and len(nums) == 2:
            return await self.helpdesk.resident_resolve(r, ticket, nums[1] == "1", self.staff)
        if what == B.TicketAnswer.RATE and len(nums) == 2 and 1 <= int(nums[1]) <= 5:
            return await self.helpdesk.resident_rate(r, ticket, int(nums[1]), self.staff)
        return None

    def _question(self, r: Resident, asking: Asking, m: Incoming) -> list[Screen]:
        if m.kind == "other" or not m.text.strip():
            return self.helpdesk.rewrite(r)
        draft = asking.draft.plus(m) if asking.draft is not None else Draft(m, asking.guide, asking.step)
        screens, asking.draft = self.helpdesk.confirm(r, draft)
        return screens

    # --- photos and stickers ----------------------------------------------------------

    async def _photo(self, r: Resident, chat: str, msg: Message) -> list[Screen]:
        """Staff read a Zalo photo by its link (Telegram cannot copy a Zalo message)."""
        caption = (msg.caption or msg.text or "").strip()
        if not msg.photo_url:
            return await self._other(r, chat, caption)
        text = self.t("vi", "zalo.photo_to_staff", url=msg.photo_url) + (f"\n{caption}" if caption else "")
        m = Incoming("text", text)
        if (asking := self.asking.get(chat)) is not None:
            return self._question(r, asking, m)
        if r.onboarded and (ticket := await self.helpdesk.ticket_to_continue(r)) is not None:
            return await self.helpdesk.resident_message(r, ticket, m, self.staff)
        return await self.flow.non_text(r, caption or None)

    async def _other(self, r: Resident, chat: str, caption: str = "") -> list[Screen]:
        if (asking := self.asking.get(chat)) is not None:
            return self._question(r, asking, Incoming("other", caption))
        if r.onboarded and (ticket := await self.helpdesk.ticket_to_continue(r)) is not None and ticket.is_open:
            return self.helpdesk.not_relayed(r, ticket)
        return await self.flow.non_text(r, caption or None)
