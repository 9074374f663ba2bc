"""The web console's notices: the list with each notice's delivery report, compose, approve and recall.

Every rule stays in `AnnouncementService` (who may write for which ward, text limits, audiences,
schedules, approval, quiet hours at delivery): the console builds the same `Draft` the Telegram
wizard builds and calls the same methods. Each action is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.app.announcements import AnnouncementService, Draft, Notice, NoticeError, Status
from bot.app.notice_model import notice_of
from bot.app.ports import Transactions
from bot.app.residents import Role
from bot.app.tickets import TicketService
from bot.app.web_signin import ConsoleUser

LIST_LIMIT = 50
SENT = ("sent", "withdraw", "deleted")  # outbox states of a message that reached its chat


@dataclass(frozen=True)
class NoticeReport:
    notice: Notice
    summary: str
    status_text: str
    delivered: int
    failed: int
    blocked: int
    pending: int
    acked: int

    @property
    def can_recall(self) -> bool:
        return self.notice.status in (Status.PENDING_APPROVAL, Status.SCHEDULED, Status.SENDING, Status.DONE) and (
            self.notice.status in (Status.PENDING_APPROVAL, Status.SCHEDULED) or self.delivered > 0
        )

    @property
    def recall_cancels(self) -> bool:
        """Nothing sent yet: recalling cancels it; otherwise the sent messages are withdrawn."""
        return self.notice.status in (Status.PENDING_APPROVAL, Status.SCHEDULED) and self.delivered == 0


class ConsoleNotices:
    def __init__(self, uow: Transactions, announcements: AnnouncementService, tickets: TicketService):
        self.uow, self.announcements, self.tickets = uow, announcements, tickets

    def wards(self, user: ConsoleUser) -> list[str]:
        """The wards the user may write notices for (an admin: every ward)."""
        return [w for w in self.announcements.wards_of(user.person) if user.person.has_role(Role.OFFICIAL, w)]

    async def reports(self, user: ConsoleUser, lang: str) -> list[NoticeReport]:
        wards = None if user.is_admin else self.wards(user)
        if wards is not None and not wards:
            return []
        out: list[NoticeReport] = []
        async with self.uow() as tx:
            repo = tx.notices
            for row in await repo.list_for_wards(wards, LIST_LIMIT):
                counts: dict[str, int] = {}
                acked = 0
                for o in await repo.occurrences(row.id):
                    for state, n in (await repo.counts(o.id)).items():
                        counts[state] = counts.get(state, 0) + n
                    acked += await repo.acks(o.id)
                notice = notice_of(row)
                out.append(
                    NoticeReport(
                        notice=notice,
                        summary=self.announcements.summary(notice, lang),
                        status_text=self.announcements.t(lang, f"announcements.status_{notice.status.value}"),
                        delivered=sum(counts.get(s, 0) for s in SENT),
                        failed=counts.get("failed", 0) + counts.get("uncertain", 0),
                        blocked=counts.get("blocked", 0),
                        pending=counts.get("pending", 0),
                        acked=acked,
                    )
                )
        return out

    async def report(self, user: ConsoleUser, notice_id: int, lang: str) -> NoticeReport:
        for r in await self.reports(user, lang):
            if r.notice.id == notice_id:
                return r
        raise NoticeError("not_found")

    def preview(self, d: Draft) -> tuple[str, str]:
        """(the text a resident gets, a one-line summary); NoticeError for what the wizard refuses too."""
        out, summary = self.announcements.preview(d)
        return out.screen.text, summary

    async def create(self, user: ConsoleUser, d: Draft) -> Notice:
        notice = await self.announcements.create(d, user.person)
        await self.tickets.log(d.ward_id, user.person, "notice_create", f"#{notice.id} {notice.status.value}")
        return notice

    async def approve(self, user: ConsoleUser, notice_id: int) -> Notice:
        notice = await self.announcements.approve(notice_id, user.person)
        await self.tickets.log(notice.ward_id, user.person, "notice_approve", f"#{notice.id}")
        return notice

    async def recall(self, user: ConsoleUser, notice_id: int, lang: str) -> str:
        """Cancels a notice not yet sent, or withdraws one sent; returns which ("cancelled" / "withdrawn")."""
        r = await self.report(user, notice_id, lang)
        if not r.can_recall:
            raise NoticeError("wrong_state")
        if r.recall_cancels:
            await self.announcements.cancel(notice_id, user.person)
            done = "cancelled"
        else:
            await self.announcements.withdraw(notice_id, user.person)
            done = "withdrawn"
        await self.tickets.log(r.notice.ward_id, user.person, f"notice_{done}", f"#{notice_id}")
        return done
