"""Linking one person's Telegram and Zalo users with a one-time code, and undoing it.

She asks for a code on one channel (`/lienket` on Telegram, "liên kết" on Zalo) and types it on the
other ("/lienket 123456", "liên kết 123456"). A code has six digits, lives `CODE_TTL`, works once,
and only its HMAC (keyed with HASH_SALT) is stored: a copy of the database cannot be tried against
the million codes. `MAX_WRONG` wrong codes within `GUESS_WINDOW` lock the person out for `LOCK_FOR`.

What follows her when the two are linked (the rule, also in docs/zalo.md):
- ward, tổ dân phố and language: those of the user who asked for the code (she asks where she is
  already set up); a value that side lacks is taken from the other;
- guide progress: guide by guide, the place saved more recently wins, and both users get it;
- ward notices: if either user received them, they now go to the chat where the code was typed
  (the channel she is moving to), once; the other chat stops receiving them (she may turn them on
  there again with /subscribe);
- later changes of ward, tổ or language on one side are made on the other too (`ResidentService`).
Unlinking (/huylienket, after a Không/Có confirmation) leaves both users as they are, unlinked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from bot.app.helpdesk_base import Sender
from bot.app.ports import Transactions, UnitOfWork
from bot.app.ports.linking import LinkGuardRecord
from bot.app.ports.users import UserRecord
from bot.app.residents import Resident, ResidentService
from bot.core.clock import Clock
from bot.core.content import Content
from bot.core.i18n import Texts
from bot.core.screens import Button, Screen, rows

CODE_TTL = dt.timedelta(minutes=10)
MAX_WRONG = 5  # wrong codes ...
GUESS_WINDOW = dt.timedelta(minutes=10)  # ... within this window (counted from the first) ...
LOCK_FOR = dt.timedelta(minutes=10)  # ... lock the person out this long
CODE_DIGITS = 6
TTL_MINUTES = int(CODE_TTL.total_seconds() // 60)
UNLINK_YES, UNLINK_NO = "lk:yes", "lk:no"  # the confirmation's choices (Telegram buttons, Zalo numbers)
_CODE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class Elsewhere:
    """A message for the person's other chat."""

    channel: str
    external_id: int
    screen: Screen


@dataclass(frozen=True)
class LinkOutcome:
    screens: list[Screen]  # for the chat she wrote in
    other: Elsewhere | None = None


def parse_code(text: str) -> str | None:
    """ "123456", "123 456", "123-456" → "123456"; anything else → None."""
    digits = re.sub(r"[\s.\-]", "", text)
    return digits if _CODE.match(digits) else None


class Linking:
    def __init__(
        self, uow: Transactions, clock: Clock, residents: ResidentService, texts: Texts, content: Content, salt: str
    ):
        self.uow, self.clock, self.residents, self.t, self.content = uow, clock, residents, texts, content
        self._key = salt.encode()
        self.channels: dict[str, Sender] = {}  # how to reach a chat on a channel other than the caller's

    def _hash(self, code: str) -> str:
        return hmac.new(self._key, code.encode(), hashlib.sha256).hexdigest()

    def _channel_name(self, lang: str, channel: str) -> str:
        return self.t(lang, f"channels.name_{channel}")

    def _how(self, lang: str, channel: str, code: str) -> str:
        """What to type on `channel` to use a code."""
        return self.t(lang, f"linking.how_{channel}", code=code)

    @staticmethod
    def _other_channel(channel: str) -> str:
        return "zalo" if channel == "telegram" else "telegram"

    # --- asking for a code ----------------------------------------------------------------

    async def issue(self, r: Resident) -> LinkOutcome:
        lang = r.language
        now = self.clock.now()
        async with self.uow() as tx:
            partner = await tx.links.partner(r.id)
            if partner is not None:
                return LinkOutcome([await self._already(tx, r, partner)])
            while True:  # a clash with another person's live code is one in ~10^5 at most: draw again
                code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
                if not await tx.links.code_taken(self._hash(code), now):
                    break
            await tx.links.add_code(self._hash(code), r.id, now, now + CODE_TTL)
        other = self._other_channel(r.channel)
        text = self.t(
            lang,
            "linking.code",
            code=code,
            minutes=TTL_MINUTES,
            channel=self._channel_name(lang, other),
            how=self._how(lang, other, code),
        )
        return LinkOutcome([Screen(text)])

    async def _already(self, tx: UnitOfWork, r: Resident, partner_id: int) -> Screen:
        p = await tx.users.get(partner_id)
        channel = self._channel_name(r.language, p.channel if p is not None else self._other_channel(r.channel))
        return Screen(self.t(r.language, "linking.already", channel=channel))

    # --- typing it on the other channel ---------------------------------------------------

    async def redeem(self, r: Resident, text: str) -> LinkOutcome:
        lang = r.language
        code = parse_code(text)
        now = self.clock.now()
        if code is None:
            return LinkOutcome([Screen(self.t(lang, "linking.bad_format", how=self._how(lang, r.channel, "123456")))])
        h = self._hash(code)
        self.residents.forget(r.id)
        async with self.uow() as tx:
            guard = await tx.links.guard(r.id)
            if guard.locked_until is not None and now < guard.locked_until:
                return LinkOutcome([self._locked(lang, guard.locked_until - now)])
            row = await tx.links.code(h)
            if row is None:
                return LinkOutcome([self._wrong(lang, guard, now)])
            if row.used_at is not None:
                return LinkOutcome([Screen(self.t(lang, "linking.used"))])
            if row.expires_at <= now:
                return LinkOutcome([Screen(self.t(lang, "linking.expired", minutes=TTL_MINUTES))])
            owner = await tx.users.get(row.user_id)
            me = await tx.users.get(r.id)
            if owner is None or me is None:
                return LinkOutcome([self._wrong(lang, guard, now)])
            if owner.channel == me.channel:  # her own code, or one from another account on this channel
                where = self._channel_name(lang, owner.channel)
                other = self._channel_name(lang, self._other_channel(owner.channel))
                return LinkOutcome([Screen(self.t(lang, "linking.same_channel", channel=where, other=other))])
            for uid in (me.id, owner.id):
                if (partner := await tx.links.partner(uid)) is not None:
                    return LinkOutcome([await self._already(tx, r, partner if uid == me.id else uid)])
            if not await tx.links.use_code(h, now):
                return LinkOutcome([Screen(self.t(lang, "linking.used"))])
            guard.failures, guard.window_start = 0, None
            guides = await self._merge(tx, issuer=owner, typer=me)
            await tx.links.link(owner.id, me.id, now)
            await tx.tickets.audit(None, None, me.id, "linked", f"{owner.channel}:{owner.id}", now)
            here = self._linked_text(me, owner, guides, notices_here=me.subscribed)
            there = self._linked_text(owner, me, guides, notices_here=owner.subscribed, first=False)
            elsewhere = Elsewhere(owner.channel, owner.external_id, Screen(there))
            owner_id = owner.id
        self.residents.forget(r.id)
        self.residents.forget(owner_id)
        return LinkOutcome([Screen(here)], elsewhere)

    def _wrong(self, lang: str, g: LinkGuardRecord, now: dt.datetime) -> Screen:
        """Counts a wrong code (saved with the transaction); the fifth in the window locks her out."""
        if g.window_start is None or now - g.window_start >= GUESS_WINDOW:
            g.window_start, g.failures = now, 0
        g.failures += 1
        if g.failures >= MAX_WRONG:
            g.locked_until, g.failures, g.window_start = now + LOCK_FOR, 0, None
            return self._locked(lang, LOCK_FOR)
        return Screen(self.t(lang, "linking.wrong", left=MAX_WRONG - g.failures))

    def _locked(self, lang: str, left: dt.timedelta) -> Screen:
        minutes = max(1, -(-int(left.total_seconds()) // 60))
        return Screen(self.t(lang, "linking.locked", minutes=minutes))

    async def _merge(self, tx: UnitOfWork, *, issuer: UserRecord, typer: UserRecord) -> int:
        """Applies the rule of the module docstring; how many guides are in progress or done after it."""
        ward, tdp = (issuer.ward_id, issuer.neighbourhood) if issuer.ward_id else (typer.ward_id, typer.neighbourhood)
        lang = issuer.lang or typer.lang
        subscribed = (issuer.subscribed or typer.subscribed) and ward is not None
        onboarded = issuer.onboarded or typer.onboarded
        for u in (issuer, typer):
            u.ward_id, u.neighbourhood, u.lang, u.onboarded = ward, tdp, lang, onboarded
        typer.subscribed, issuer.subscribed = subscribed, False
        mine = {p.guide_id: p for p in await tx.links.progress(issuer.id)}
        theirs = {p.guide_id: p for p in await tx.links.progress(typer.id)}
        for guide in mine.keys() | theirs.keys():
            a, b = mine.get(guide), theirs.get(guide)
            if a is not None and (b is None or a.updated_at > b.updated_at):
                await tx.links.put_progress(typer.id, a)
            elif b is not None and (a is None or b.updated_at > a.updated_at):
                await tx.links.put_progress(issuer.id, b)
        return len(mine.keys() | theirs.keys())

    def _linked_text(
        self, u: UserRecord, partner: UserRecord, guides: int, *, notices_here: bool, first: bool = True
    ) -> str:
        lang = u.lang or "vi"
        ward = self.content.ward(u.ward_id) if u.ward_id else None
        where = (
            self.t(lang, "linking.where", ward=ward.name.get(lang), tdp=u.neighbourhood or "?")
            if ward is not None
            else self.t(lang, "linking.no_ward")
        )
        notices = "notices_here" if notices_here else ("notices_there" if u.ward_id else "notices_none")
        return self.t(
            lang,
            "linking.linked" if first else "linking.linked_other",
            channel=self._channel_name(lang, u.channel),
            other=self._channel_name(lang, partner.channel),
            where=where,
            language=self.t(lang, f"linking.lang_{lang}"),
            guides=guides,
            notices=self.t(lang, f"linking.{notices}", channel=self._channel_name(lang, u.channel)),
        )

    # --- undoing it -----------------------------------------------------------------------

    async def ask_unlink(self, r: Resident) -> LinkOutcome:
        lang = r.language
        async with self.uow() as tx:
            partner_id = await tx.links.partner(r.id)
            p = await tx.users.get(partner_id) if partner_id is not None else None
        if p is None:
            return LinkOutcome([Screen(self.t(lang, "linking.not_linked"))])
        return LinkOutcome(
            [
                Screen(
                    self.t(
                        lang,
                        "linking.unlink_confirm",
                        channel=self._channel_name(lang, r.channel),
                        other=self._channel_name(lang, p.channel),
                    ),
                    rows(  # "Không" first: the safe choice is the easy one
                        Button(self.t(lang, "linking.btn_keep"), UNLINK_NO),
                        Button(self.t(lang, "linking.btn_unlink"), UNLINK_YES),
                    ),
                )
            ]
        )

    async def kept(self, r: Resident) -> LinkOutcome:
        return LinkOutcome([Screen(self.t(r.language, "linking.kept"))])

    async def unlink(self, r: Resident) -> LinkOutcome:
        lang = r.language
        now = self.clock.now()
        async with self.uow() as tx:
            partner_id = await tx.links.unlink(r.id)
            p = await tx.users.get(partner_id) if partner_id is not None else None
            if p is None:
                return LinkOutcome([Screen(self.t(lang, "linking.not_linked"))])
            await tx.tickets.audit(None, None, r.id, "unlinked", f"{p.channel}:{p.id}", now)
        self.residents.forget(r.id)
        self.residents.forget(p.id)
        here = self.t(lang, "linking.unlinked", other=self._channel_name(lang, p.channel))
        plang = p.lang or "vi"
        there = self.t(plang, "linking.unlinked_other", other=self._channel_name(plang, r.channel))
        return LinkOutcome([Screen(here)], Elsewhere(p.channel, p.external_id, Screen(there)))

    # --- the other chat -------------------------------------------------------------------

    async def tell(self, other: Elsewhere | None, default: Sender) -> None:
        """Sends the other chat its message (`default` when no sender is registered for its channel)."""
        if other is None:
            return
        await self.channels.get(other.channel, default).send(other.external_id, other.screen)
