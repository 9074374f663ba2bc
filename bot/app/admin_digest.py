"""The admins' daily digest (issue 14 #8): wards whose residents' questions wait with no staff group to
answer them, how many and since when. One message a day, only when there is something to report.

Safe in every instance: the day's digest is claimed first with a row keyed (kind, day) in the database
(`DailyClaims`), so of several processes on one database exactly one sends it. Nothing is claimed on a
day with nothing to report, so questions that start waiting later that day are still told.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bot.app.helpdesk_base import STAFF_LANG, Sender
from bot.app.ports import Transactions
from bot.app.residents import ANY_WARD, Role
from bot.app.tickets import Status
from bot.core.clock import Clock
from bot.core.content import Content
from bot.core.i18n import Texts
from bot.core.screens import Screen
from bot.core.working_hours import HANOI

KIND = "admin_digest"
SEND_FROM = dt.time(8, 0)  # Hà Nội time: admins read it with the morning's work


@dataclass(frozen=True)
class WaitingWard:
    ward_id: str
    waiting: int
    oldest_since: dt.datetime  # when the longest-waiting resident last wrote


def waiting_age(texts: Texts, lang: str, age: dt.timedelta) -> str:
    """ "2 ngày 3 giờ", "5 giờ", "40 phút": the two largest units, never "0 phút"."""
    minutes = max(1, int(age.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [(days, "days"), (hours, "hours"), (mins, "minutes")]
    shown = [texts(lang, f"admin.age_{unit}", n=n) for n, unit in parts if n][:2]
    return " ".join(shown)


class AdminDigest:
    def __init__(
        self, uow: Transactions, clock: Clock, content: Content, texts: Texts, admin_ids: Sequence[int]
    ) -> None:
        self.uow, self.clock, self.content, self.t = uow, clock, content, texts
        self.admin_ids = list(admin_ids)

    async def waiting_wards(self) -> list[WaitingWard]:
        """Wards with open, unanswered questions and no active staff group, longest wait first."""
        found: dict[str, list[dt.datetime]] = {}
        async with self.uow() as tx:
            unbound: dict[str, bool] = {}
            for row in await tx.tickets.not_closed(Status.CLOSED):
                if row.last_staff_at is not None and row.last_staff_at >= row.last_resident_at:
                    continue  # answered; the resident has not written since
                if row.ward_id not in unbound:
                    unbound[row.ward_id] = await tx.staff_groups.for_ward(row.ward_id) is None
                if unbound[row.ward_id]:
                    found.setdefault(row.ward_id, []).append(row.last_resident_at)
        wards = [WaitingWard(w, len(since), min(since)) for w, since in found.items()]
        return sorted(wards, key=lambda w: (w.oldest_since, w.ward_id))

    def render(self, wards: Sequence[WaitingWard], now: dt.datetime) -> Screen:
        lang = STAFF_LANG
        lines = [self.t(lang, "admin.digest_title", date=now.astimezone(HANOI).strftime("%d/%m"))]
        for w in wards:
            ward = self.content.ward(w.ward_id)
            lines.append(
                self.t(
                    lang,
                    "admin.digest_item",
                    ward=ward.name.get(lang) if ward else w.ward_id,
                    n=w.waiting,
                    age=waiting_age(self.t, lang, now - w.oldest_since),
                    ward_id=w.ward_id,
                )
            )
        lines.append(self.t(lang, "admin.digest_hint"))
        return Screen("\n".join(lines))

    async def recipients(self) -> list[int]:
        """ADMIN_IDS, and whoever holds the admin role (granted from the CLI), each once."""
        async with self.uow() as tx:
            holders = await tx.tickets.users_with_role(Role.ADMIN, ANY_WARD)
        return list(dict.fromkeys([*self.admin_ids, *holders]))

    async def tick(self, sender: Sender, now: dt.datetime | None = None) -> int:
        """Sends today's digest if it is due, there is something to say and no instance sent it yet.
        Returns how many messages went out."""
        now = now or self.clock.now()
        local = now.astimezone(HANOI)
        if local.time() < SEND_FROM:
            return 0
        wards = await self.waiting_wards()
        if not wards:
            return 0
        async with self.uow() as tx:
            won = await tx.claims.claim(KIND, local.date(), now)
        if not won:
            return 0
        screen = self.render(wards, now)
        sent = 0
        for chat_id in await self.recipients():
            if (await sender.send(chat_id, screen)).ok:
                sent += 1
        return sent
