"""Ward notices: who writes them, who receives them, when they fire, and what the author hears back.

A notice (its text, audience and urgency) is kept apart from its Schedule; each firing becomes an
occurrence with one outbox row per recipient (rapidpro's broadcast model). Status machine:

    pending_approval ──approve──▶ scheduled ──last firing materialised──▶ sending ──report──▶ done
           │                          │                                      │
           └──────── cancel ──────────┴──▶ cancelled          withdraw ◀─────┴──▶ withdrawn

All invariants of a new notice are checked in `create()`; handlers never build rows themselves.
The values live in notice_model, firing and reports in notice_firing, the looks in notice_view.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence

from bot.app.delivery import Outgoing
from bot.app.notice_firing import FiringMixin
from bot.app.notice_model import (
    CAPTION_LIMIT,
    GRACE,
    OPEN_OCCURRENCE,
    TEXT_LIMIT,
    WITHDRAW_WINDOW,
    Audience,
    Draft,
    Notice,
    NoticeError,
    Notify,
    OccurrenceReport,
    Status,
)
from bot.app.notice_model import notice_of as _notice
from bot.app.notice_view import NoticeViewMixin, ZaloText
from bot.app.ports import Transactions
from bot.app.ports.notices import AnnouncementRecord, NewAnnouncement, NoticeRepository, Recipient
from bot.app.residents import Resident, Role
from bot.core.clock import Clock
from bot.core.content import Content
from bot.core.i18n import Texts
from bot.core.schedule import Schedule, ScheduleError
from bot.core.screens import Button, Screen, rows

__all__ = [
    "GRACE",
    "WITHDRAW_WINDOW",
    "AnnouncementService",
    "Audience",
    "Draft",
    "Notice",
    "NoticeError",
    "Notify",
    "OccurrenceReport",
    "Status",
]

log = logging.getLogger(__name__)


class AnnouncementService(FiringMixin, NoticeViewMixin):
    def __init__(
        self,
        uow: Transactions,
        clock: Clock,
        texts: Texts,
        content: Content,
        *,
        grace: dt.timedelta = GRACE,
        channel: str = "telegram",
    ):
        self.uow, self.clock, self.t, self.content = uow, clock, texts, content
        self.grace = grace
        self.channel = channel
        self.private_channels = [channel]  # bootstrap adds "zalo" when the Zalo channel is configured
        self.zalo_link: str | None = None  # ZALO_BOT_LINK, for the text officials paste into tổ Zalo groups
        self.zalo_text: ZaloText | None = None  # consultations: a notice's Telegram vote link → what to type on Zalo
        self.notify: Notify | None = None  # set when a bot exists (startup); messages to officials
        self.on_queued: Callable[[], None] | None = None  # wakes the delivery worker
        self._render_cache: dict[tuple[int, str, str], Outgoing] = {}

    # --- audiences ---------------------------------------------------------------------

    async def bind_group(
        self, who: Resident, chat_id: int, ward_id: str, neighbourhood: str | None, title: str
    ) -> None:
        if self.content.ward(ward_id) is None:
            raise NoticeError("unknown_ward")
        if not (who.is_admin or who.has_role(Role.OFFICIAL, ward_id)):
            raise NoticeError("not_allowed")
        async with self.uow() as tx:
            await tx.notices.bind_group(chat_id, ward_id, neighbourhood, title, who.id, self.clock.now())

    async def group_migrated(self, old_chat_id: int, new_chat_id: int) -> bool:
        """The group became a supergroup: its binding and its waiting messages follow the new id."""
        async with self.uow() as tx:
            repo = tx.notices
            group = await repo.group_by_chat(old_chat_id)
            if group is None:
                return False
            await repo.migrate_group(group.id, new_chat_id)
            await repo.move_pending(group.id, new_chat_id)
            return True

    async def group_removed(self, chat_id: int, reason: str = "bot was removed from the group") -> bool:
        async with self.uow() as tx:
            repo = tx.notices
            group = await repo.group_by_chat(chat_id)
            if group is None:
                return False
            await repo.deactivate_group(group.id, reason)
            return True

    async def set_require_approval(self, who: Resident, ward_id: str, on: bool) -> None:
        if self.content.ward(ward_id) is None:
            raise NoticeError("unknown_ward")
        if not who.is_admin:
            raise NoticeError("not_allowed")
        async with self.uow() as tx:
            await tx.notices.set_require_approval(ward_id, on, self.clock.now())

    async def known_neighbourhoods(self, ward_id: str) -> list[str]:
        async with self.uow() as tx:
            return list(await tx.notices.neighbourhoods_known(ward_id))

    def wards_of(self, who: Resident) -> list[str]:
        if who.is_admin:
            return list(self.content.wards)
        return sorted(w for w in who.wards_for(Role.OFFICIAL) if w in self.content.wards)

    # --- creating and changing a notice ------------------------------------------------

    def validate(self, d: Draft, now: dt.datetime) -> Schedule:
        if self.content.ward(d.ward_id) is None:
            raise NoticeError("unknown_ward")
        text = d.text.strip()
        if not text and not d.media_file_id:
            raise NoticeError("empty")
        if len(text) > (CAPTION_LIMIT if d.media_file_id else TEXT_LIMIT):
            raise NoticeError("too_long_caption" if d.media_file_id else "too_long")
        if d.media_kind not in (None, "photo", "document") or (d.media_kind is None) != (d.media_file_id is None):
            raise NoticeError("bad_media")
        if d.audience is Audience.NEIGHBOURHOODS and not d.neighbourhoods:
            raise NoticeError("no_neighbourhoods")
        if len(",".join(d.neighbourhoods)) > 400 or any(not n or "," in n for n in d.neighbourhoods):
            raise NoticeError("bad_neighbourhoods")
        start = d.start_at or now
        if start < now - dt.timedelta(minutes=1):
            raise NoticeError("in_past")
        if start > now + dt.timedelta(days=366):
            raise NoticeError("too_far")
        try:
            schedule = Schedule(start, d.repeat, d.until)
        except ScheduleError:
            raise NoticeError("bad_until") from None
        if d.until is not None and d.until > (now + dt.timedelta(days=731)).date():
            raise NoticeError("too_far")
        return schedule

    async def create(self, d: Draft, author: Resident) -> Notice:
        """Every rule for a new notice, in one place: role, content, audience, schedule, approval."""
        if not author.has_role(Role.OFFICIAL, d.ward_id):
            raise NoticeError("not_allowed")
        now = self.clock.now()
        schedule = self.validate(d, now)
        async with self.uow() as tx:
            repo = tx.notices
            needs_approval = await repo.require_approval(d.ward_id)
            row = await repo.add(
                NewAnnouncement(
                    ward_id=d.ward_id,
                    author_id=author.id,
                    author_chat_id=author.external_id,
                    text=d.text.strip(),
                    media_kind=d.media_kind,
                    media_file_id=d.media_file_id,
                    audience=d.audience.value,
                    neighbourhoods=",".join(dict.fromkeys(d.neighbourhoods)),
                    repeat=d.repeat.value,
                    start_at=schedule.start,
                    until=d.until,
                    urgent=d.urgent,
                    status=(Status.PENDING_APPROVAL if needs_approval else Status.SCHEDULED).value,
                    next_fire_at=schedule.first(),
                    created_at=now,
                )
            )
            notice = _notice(row)
            approvers = await repo.officials(d.ward_id) if needs_approval else []
        if needs_approval:
            await self._ask_approval(notice, author, approvers)
        elif notice.schedule.first() <= now:
            await self.tick(now)  # "send now": queue it at once rather than at the next tick
        return notice

    async def _ask_approval(self, notice: Notice, author: Resident, approvers: Sequence[Recipient]) -> None:
        for uid, chat_id, lang in approvers:
            if uid == author.id:
                continue
            await self._notify(
                chat_id,
                Screen(
                    self.t(
                        lang,
                        "announcements.approval_request",
                        id=notice.id,
                        author=author.display_name,
                        summary=self.summary(notice, lang),
                    ),
                    rows(
                        [
                            Button(self.t(lang, "announcements.btn_approve"), f"an:appr:{notice.id}"),
                            Button(self.t(lang, "announcements.btn_reject"), f"an:rej:{notice.id}"),
                        ]
                    ),
                ),
            )
            await self._notify_preview(chat_id, notice, lang)

    async def _notify_preview(self, chat_id: int, notice: Notice, lang: str) -> None:
        if self.notify is not None:
            out = self.outgoing(notice, lang, private=True, outbox_id=0)
            await self.notify(chat_id, out.screen)

    def preview(self, d: Draft) -> tuple[Outgoing, str]:
        """The notice exactly as a resident will get it in private, and a one-line summary for the author."""
        now = self.clock.now()
        schedule = self.validate(d, now)
        n = Notice(
            id=0,
            ward_id=d.ward_id,
            author_id=0,
            author_chat_id=0,
            text=d.text.strip(),
            audience=d.audience,
            neighbourhoods=d.neighbourhoods,
            schedule=schedule,
            urgent=d.urgent,
            status=Status.SCHEDULED,
            media_kind=d.media_kind,
            media_file_id=d.media_file_id,
            next_fire_at=None,
            approved_by=None,
        )
        return self.outgoing(n, "vi", private=True, outbox_id=0), self.summary(n, "vi")

    @staticmethod
    async def _official_row(repo: NoticeRepository, notice_id: int, who: Resident) -> AnnouncementRecord:
        """The notice, locked for change, if `who` is an official of its ward."""
        row = await repo.get(notice_id, lock=True)
        if row is None:
            raise NoticeError("not_found")
        if not who.has_role(Role.OFFICIAL, row.ward_id):
            raise NoticeError("not_allowed")
        return row

    async def get(self, notice_id: int) -> Notice | None:
        async with self.uow() as tx:
            row = await tx.notices.get(notice_id)
            return _notice(row) if row else None

    async def approve(self, notice_id: int, who: Resident) -> Notice:
        now = self.clock.now()
        async with self.uow() as tx:
            repo = tx.notices
            row = await self._official_row(repo, notice_id, who)
            if row.author_id == who.id:
                raise NoticeError("own_notice")
            if row.status != Status.PENDING_APPROVAL:
                raise NoticeError("not_pending")
            # approved too late for a firing? the tick marks it missed and tells the author
            row.status, row.approved_by, row.updated_at = Status.SCHEDULED.value, who.id, now
            notice = _notice(row)
        await self._notify(
            notice.author_chat_id,
            Screen(
                self.t(
                    await self._lang(notice.author_id),
                    "announcements.approved_author",
                    id=notice.id,
                    name=who.display_name,
                )
            ),
        )
        if notice.next_fire_at is not None and notice.next_fire_at <= now:
            await self.tick(now)
        return notice

    async def reject(self, notice_id: int, who: Resident) -> Notice:
        notice = await self._set_status(notice_id, who, (Status.PENDING_APPROVAL,), Status.CANCELLED)
        await self._notify(
            notice.author_chat_id,
            Screen(
                self.t(
                    await self._lang(notice.author_id),
                    "announcements.rejected_author",
                    id=notice.id,
                    name=who.display_name,
                )
            ),
        )
        return notice

    # --- confirmations before what cannot be undone ---------------------------------------

    async def ask_cancel(self, notice_id: int, who: Resident, lang: str) -> Screen:
        """ "Huỷ thông báo #3 «…»?" with "Không" first and "Có, huỷ" alone below; raises if it cannot be cancelled."""
        async with self.uow() as tx:
            row = await self._official_row(tx.notices, notice_id, who)
            if row.status not in (Status.PENDING_APPROVAL, Status.SCHEDULED):
                raise NoticeError("wrong_state")
            notice = _notice(row)
        return self._confirm_screen(lang, "cancel", notice, "cy", n=0)

    async def ask_withdraw(self, notice_id: int, who: Resident, lang: str) -> Screen:
        """ "Thu hồi thông báo #3 «…» đã gửi tới 340 người và nhóm?"; raises if there is nothing to withdraw."""
        async with self.uow() as tx:
            repo = tx.notices
            row = await self._official_row(repo, notice_id, who)
            occ = await repo.occurrences(row.id)
            if row.status in (Status.CANCELLED, Status.WITHDRAWN, Status.PENDING_APPROVAL) or not occ:
                raise NoticeError("wrong_state")
            sent = 0
            for o in occ:
                c = await repo.counts(o.id)
                sent += c.get("sent", 0)
            notice = _notice(row)
        return self._confirm_screen(lang, "withdraw", notice, "wdy", n=sent)

    async def still_possible(self, verb: str, notice_id: int, who: Resident) -> bool:
        """Whether a confirmed "cy" (cancel) / "wdy" (withdraw) can still be done; False for a stale button."""
        async with self.uow() as tx:
            row = await self._official_row(tx.notices, notice_id, who)
            if verb == "cy":
                return row.status in (Status.PENDING_APPROVAL, Status.SCHEDULED)
            if row.status in (Status.CANCELLED, Status.WITHDRAWN, Status.PENDING_APPROVAL):
                return False
            return bool(await tx.notices.occurrences(row.id))

    def _confirm_screen(self, lang: str, what: str, notice: Notice, yes_verb: str, n: int) -> Screen:
        text = notice.text if len(notice.text) <= 60 else notice.text[:59] + "…"
        return Screen(
            self.t(lang, f"confirm.{what}_notice", id=notice.id, text=text or "📎", n=n),
            rows(
                Button(self.t(lang, f"confirm.btn_{what}_no"), f"an:keep:{notice.id}"),
                Button(self.t(lang, f"confirm.btn_{what}_yes"), f"an:{yes_verb}:{notice.id}"),
            ),
        )

    async def cancel(self, notice_id: int, who: Resident) -> Notice:
        """Only what has not been sent: the notice stops, pending messages are dropped."""
        return await self._set_status(notice_id, who, (Status.PENDING_APPROVAL, Status.SCHEDULED), Status.CANCELLED)

    async def _set_status(self, notice_id: int, who: Resident, allowed: Sequence[Status], to: Status) -> Notice:
        async with self.uow() as tx:
            repo = tx.notices
            row = await self._official_row(repo, notice_id, who)
            if row.status not in allowed:
                raise NoticeError("wrong_state")
            row.status, row.next_fire_at, row.updated_at = to.value, None, self.clock.now()
            occ = [o.id for o in await repo.occurrences(row.id) if o.status in OPEN_OCCURRENCE]
            await repo.cancel_pending(occ)
            return _notice(row)

    async def edit_text(self, notice_id: int, who: Resident, text: str) -> Notice:
        """A notice not yet sent gets new text; where approval is required it must be approved again."""
        async with self.uow() as tx:
            repo = tx.notices
            row = await self._official_row(repo, notice_id, who)
            if row.status not in (Status.PENDING_APPROVAL, Status.SCHEDULED) or await repo.occurrences(row.id):
                raise NoticeError("wrong_state")
            text = text.strip()
            if not text or len(text) > (CAPTION_LIMIT if row.media_file_id else TEXT_LIMIT):
                raise NoticeError("too_long" if text else "empty")
            row.text, row.updated_at = text, self.clock.now()
            needs_approval = await repo.require_approval(row.ward_id)
            if needs_approval:
                row.status, row.approved_by = Status.PENDING_APPROVAL.value, None
            notice = _notice(row)
            approvers = await repo.officials(row.ward_id) if needs_approval else []
        if needs_approval:
            await self._ask_approval(notice, who, approvers)
        return notice

    async def withdraw(self, notice_id: int, who: Resident) -> int:
        """Delete the messages already sent (those Telegram still lets us delete) and stop the rest."""
        now = self.clock.now()
        async with self.uow() as tx:
            repo = tx.notices
            row = await self._official_row(repo, notice_id, who)
            occ = await repo.occurrences(row.id)
            if row.status in (Status.CANCELLED, Status.WITHDRAWN, Status.PENDING_APPROVAL) or not occ:
                raise NoticeError("wrong_state")
            ids = [o.id for o in occ]
            await repo.cancel_pending(ids)
            n = await repo.mark_withdraw(ids, now - WITHDRAW_WINDOW)
            row.status, row.next_fire_at, row.updated_at = Status.WITHDRAWN.value, None, now
            for o in occ:
                if o.status in (*OPEN_OCCURRENCE, "done"):
                    o.status = "withdrawn"
                    o.reported_at = o.reported_at or now
        if self.on_queued is not None:
            self.on_queued()
        return n

    async def ack(self, outbox_id: int, chat_id: int) -> bool:
        """'Đã hiểu' pressed: counted once, and only from the chat the notice went to."""
        async with self.uow() as tx:
            return await tx.notices.ack(outbox_id, chat_id, self.clock.now())

    async def list_for(self, who: Resident, limit: int = 15) -> list[tuple[Notice, int, int]]:
        """Notices of the official's wards, newest first, with (sent, acknowledged) counts."""
        wards = self.wards_of(who)
        out: list[tuple[Notice, int, int]] = []
        async with self.uow() as tx:
            repo = tx.notices
            for row in await repo.list_for_wards(None if who.is_admin else wards, limit):
                sent = acked = 0
                for o in await repo.occurrences(row.id):
                    c = await repo.counts(o.id)
                    sent += c.get("sent", 0) + c.get("withdraw", 0) + c.get("deleted", 0)
                    acked += await repo.acks(o.id)
                out.append((_notice(row), sent, acked))
        return out

    async def _lang(self, user_id: int) -> str:
        async with self.uow() as tx:
            return await tx.notices.user_lang(user_id) or "vi"

    async def _notify(self, chat_id: int, screen: Screen) -> None:
        if self.notify is None:
            return
        try:
            await self.notify(chat_id, screen)
        except Exception:
            log.exception("could not notify chat %s", chat_id)
