"""Ward notices: who writes them, who receives them, when they fire, and what the author hears back.

A notice (its text, audience and urgency) is kept apart from its Schedule; each firing becomes an
occurrence with one outbox row per recipient (rapidpro's broadcast model). Status machine:

    pending_approval ──approve──▶ scheduled ──last firing materialised──▶ sending ──report──▶ done
           │                          │                                      │
           └──────── cancel ──────────┴──▶ cancelled          withdraw ◀─────┴──▶ withdrawn

All invariants of a new notice are checked in `create()`; handlers never build rows themselves.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.exc import IntegrityError

from bot.domain.clock import Clock
from bot.domain.content import Content
from bot.domain.delivery import Item, Outgoing
from bot.domain.residents import Resident, Role
from bot.domain.schedule import Repeat, Schedule, ScheduleError, format_local, quiet_hours_end
from bot.domain.screens import Button, Screen, rows
from bot.i18n import Texts
from bot.storage.announcements import AnnouncementRow, NoticeRepo
from bot.storage.db import Database
from bot.storage.users import UserRepo

log = logging.getLogger(__name__)

TEXT_LIMIT = 3800  # Telegram allows 4096; room for the header
CAPTION_LIMIT = 900  # Telegram allows 1024 for a photo or document caption
GRACE = dt.timedelta(minutes=30)
WITHDRAW_WINDOW = dt.timedelta(hours=48)  # bots may delete their messages for 48 hours
# An occurrence is "sending" until every message reached a final state; "held" once its author was told
# that the rest waits (quiet hours, or a retry later).
OPEN_OCCURRENCE = ("sending", "held")


class Audience(StrEnum):
    WARD = "ward"  # every bound group and subscriber of the ward
    NEIGHBOURHOODS = "tdp"  # groups and subscribers of chosen tổ dân phố
    GROUPS = "groups"
    SUBSCRIBERS = "subs"


class Status(StrEnum):
    PENDING_APPROVAL = "pending_approval"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"
    WITHDRAWN = "withdrawn"


class NoticeError(ValueError):
    """A notice that may not be created or changed; `code` names the text shown (announcements.err_<code>)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Draft:
    ward_id: str
    text: str
    audience: Audience
    neighbourhoods: tuple[str, ...] = ()
    repeat: Repeat = Repeat.ONCE
    start_at: dt.datetime | None = None  # None = now
    until: dt.date | None = None
    urgent: bool = False
    media_kind: str | None = None
    media_file_id: str | None = None


@dataclass(frozen=True)
class Notice:
    id: int
    ward_id: str
    author_id: int
    author_chat_id: int
    text: str
    audience: Audience
    neighbourhoods: tuple[str, ...]
    schedule: Schedule
    urgent: bool
    status: Status
    media_kind: str | None
    media_file_id: str | None
    next_fire_at: dt.datetime | None
    approved_by: int | None


@dataclass(frozen=True)
class OccurrenceReport:
    notice_id: int
    fire_at: dt.datetime
    counts: dict[str, int]
    acked: int
    reasons: dict[str, int]


def _notice(row: AnnouncementRow) -> Notice:
    return Notice(id=row.id, ward_id=row.ward_id, author_id=row.author_id, author_chat_id=row.author_chat_id,
                  text=row.text, audience=Audience(row.audience),
                  neighbourhoods=tuple(n for n in row.neighbourhoods.split(",") if n),
                  schedule=Schedule(row.start_at, Repeat(row.repeat), row.until), urgent=row.urgent,
                  status=Status(row.status), media_kind=row.media_kind, media_file_id=row.media_file_id,
                  next_fire_at=row.next_fire_at, approved_by=row.approved_by)


Notify = Callable[[int, Screen], Awaitable[None]]


class AnnouncementService:
    def __init__(self, db: Database, clock: Clock, texts: Texts, content: Content, *, grace: dt.timedelta = GRACE,
                 channel: str = "telegram"):
        self.db, self.clock, self.t, self.content = db, clock, texts, content
        self.grace = grace
        self.channel = channel
        self.notify: Notify | None = None  # set when a bot exists (startup); messages to officials
        self.on_queued: Callable[[], None] | None = None  # wakes the delivery worker
        self._render_cache: dict[tuple[int, str, str], Outgoing] = {}

    # --- audiences ---------------------------------------------------------------------

    async def bind_group(self, who: Resident, chat_id: int, ward_id: str, neighbourhood: str | None, title: str) -> None:
        if self.content.ward(ward_id) is None:
            raise NoticeError("unknown_ward")
        if not (who.is_admin or who.has_role(Role.OFFICIAL, ward_id)):
            raise NoticeError("not_allowed")
        async with self.db.session() as s:
            await NoticeRepo(s).bind_group(chat_id, ward_id, neighbourhood, title, who.id, self.clock.now())

    async def group_migrated(self, old_chat_id: int, new_chat_id: int) -> bool:
        """The group became a supergroup: its binding and its waiting messages follow the new id."""
        async with self.db.session() as s:
            repo = NoticeRepo(s)
            group = await repo.group_by_chat(old_chat_id)
            if group is None:
                return False
            await repo.migrate_group(group.id, new_chat_id)
            await repo.move_pending(group.id, new_chat_id)
            return True

    async def group_removed(self, chat_id: int, reason: str = "bot was removed from the group") -> bool:
        async with self.db.session() as s:
            repo = NoticeRepo(s)
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
        async with self.db.session() as s:
            await NoticeRepo(s).set_require_approval(ward_id, on, self.clock.now())

    async def known_neighbourhoods(self, ward_id: str) -> list[str]:
        async with self.db.session() as s:
            return await NoticeRepo(s).neighbourhoods_known(ward_id)

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
        async with self.db.session() as s:
            repo = NoticeRepo(s)
            needs_approval = await repo.require_approval(d.ward_id)
            row = await repo.add(
                ward_id=d.ward_id, author_id=author.id, author_chat_id=author.external_id, text=d.text.strip(),
                media_kind=d.media_kind, media_file_id=d.media_file_id, audience=d.audience.value,
                neighbourhoods=",".join(dict.fromkeys(d.neighbourhoods)), repeat=d.repeat.value,
                start_at=schedule.start, until=d.until, urgent=d.urgent,
                status=(Status.PENDING_APPROVAL if needs_approval else Status.SCHEDULED).value,
                next_fire_at=schedule.first(), created_at=now, updated_at=now)
            notice = _notice(row)
            approvers = await repo.officials(d.ward_id) if needs_approval else []
        if needs_approval:
            await self._ask_approval(notice, author, approvers)
        elif notice.schedule.first() <= now:
            await self.tick(now)  # "send now": queue it at once rather than at the next tick
        return notice

    async def _ask_approval(self, notice: Notice, author: Resident, approvers: list[tuple[int, int, str]]) -> None:
        for uid, chat_id, lang in approvers:
            if uid == author.id:
                continue
            await self._notify(chat_id, Screen(
                self.t(lang, "announcements.approval_request", id=notice.id, author=author.display_name,
                       summary=self.summary(notice, lang)),
                rows([Button(self.t(lang, "announcements.btn_approve"), f"an:appr:{notice.id}"),
                      Button(self.t(lang, "announcements.btn_reject"), f"an:rej:{notice.id}")])))
            await self._notify_preview(chat_id, notice, lang)

    async def _notify_preview(self, chat_id: int, notice: Notice, lang: str) -> None:
        if self.notify is not None:
            out = self.outgoing(notice, lang, private=True, outbox_id=0)
            await self.notify(chat_id, out.screen)

    def preview(self, d: Draft) -> tuple[Outgoing, str]:
        """The notice exactly as a resident will get it in private, and a one-line summary for the author."""
        now = self.clock.now()
        schedule = self.validate(d, now)
        n = Notice(id=0, ward_id=d.ward_id, author_id=0, author_chat_id=0, text=d.text.strip(), audience=d.audience,
                   neighbourhoods=d.neighbourhoods, schedule=schedule, urgent=d.urgent, status=Status.SCHEDULED,
                   media_kind=d.media_kind, media_file_id=d.media_file_id, next_fire_at=None, approved_by=None)
        return self.outgoing(n, "vi", private=True, outbox_id=0), self.summary(n, "vi")

    async def get(self, notice_id: int) -> Notice | None:
        async with self.db.session() as s:
            row = await NoticeRepo(s).get(notice_id)
            return _notice(row) if row else None

    async def approve(self, notice_id: int, who: Resident) -> Notice:
        now = self.clock.now()
        async with self.db.session() as s:
            repo = NoticeRepo(s)
            row = await repo.get(notice_id, lock=True)
            if row is None:
                raise NoticeError("not_found")
            if not who.has_role(Role.OFFICIAL, row.ward_id):
                raise NoticeError("not_allowed")
            if row.author_id == who.id:
                raise NoticeError("own_notice")
            if row.status != Status.PENDING_APPROVAL:
                raise NoticeError("not_pending")
            # approved too late for a firing? the tick marks it missed and tells the author
            row.status, row.approved_by, row.updated_at = Status.SCHEDULED.value, who.id, now
            notice = _notice(row)
        await self._notify(notice.author_chat_id, Screen(self.t(await self._lang(notice.author_id),
                                                                "announcements.approved_author", id=notice.id,
                                                                name=who.display_name)))
        if notice.next_fire_at is not None and notice.next_fire_at <= now:
            await self.tick(now)
        return notice

    async def reject(self, notice_id: int, who: Resident) -> Notice:
        notice = await self._set_status(notice_id, who, (Status.PENDING_APPROVAL,), Status.CANCELLED)
        await self._notify(notice.author_chat_id, Screen(self.t(await self._lang(notice.author_id),
                                                                "announcements.rejected_author", id=notice.id,
                                                                name=who.display_name)))
        return notice

    async def cancel(self, notice_id: int, who: Resident) -> Notice:
        """Only what has not been sent: the notice stops, pending messages are dropped."""
        return await self._set_status(notice_id, who, (Status.PENDING_APPROVAL, Status.SCHEDULED), Status.CANCELLED)

    async def _set_status(self, notice_id: int, who: Resident, allowed: Sequence[Status], to: Status) -> Notice:
        async with self.db.session() as s:
            repo = NoticeRepo(s)
            row = await repo.get(notice_id, lock=True)
            if row is None:
                raise NoticeError("not_found")
            if not who.has_role(Role.OFFICIAL, row.ward_id):
                raise NoticeError("not_allowed")
            if row.status not in allowed:
                raise NoticeError("wrong_state")
            row.status, row.next_fire_at, row.updated_at = to.value, None, self.clock.now()
            occ = [o.id for o in await repo.occurrences(row.id) if o.status in OPEN_OCCURRENCE]
            await repo.cancel_pending(occ)
            return _notice(row)

    async def edit_text(self, notice_id: int, who: Resident, text: str) -> Notice:
        """A notice not yet sent gets new text; where approval is required it must be approved again."""
        async with self.db.session() as s:
            repo = NoticeRepo(s)
            row = await repo.get(notice_id, lock=True)
            if row is None:
                raise NoticeError("not_found")
            if not who.has_role(Role.OFFICIAL, row.ward_id):
                raise NoticeError("not_allowed")
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
        async with self.db.session() as s:
            repo = NoticeRepo(s)
            row = await repo.get(notice_id, lock=True)
            if row is None:
                raise NoticeError("not_found")
            if not who.has_role(Role.OFFICIAL, row.ward_id):
                raise NoticeError("not_allowed")
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
        async with self.db.session() as s:
            repo = NoticeRepo(s)
            row = await repo.outbox_row(outbox_id)
            if row is None or row.chat_id != chat_id or row.recipient_kind != "user":
                return False
            if row.acked_at is None:
                row.acked_at = self.clock.now()
            return True

    async def list_for(self, who: Resident, limit: int = 15) -> list[tuple[Notice, int, int]]:
        """Notices of the official's wards, newest first, with (sent, acknowledged) counts."""
        wards = self.wards_of(who)
        out: list[tuple[Notice, int, int]] = []
        async with self.db.session() as s:
            repo = NoticeRepo(s)
            for row in await repo.list_for_wards(None if who.is_admin else wards, limit):
                sent = acked = 0
                for o in await repo.occurrences(row.id):
                    c = await repo.counts(o.id)
                    sent += c.get("sent", 0) + c.get("withdraw", 0) + c.get("deleted", 0)
                    acked += await repo.acks(o.id)
                out.append((_notice(row), sent, acked))
        return out

    # --- firing: the schedule held in the database ------------------------------------------

    async def tick(self, now: dt.datetime | None = None) -> tuple[int, int]:
        """Materialise every firing that is due: (occurrences queued, occurrences missed).

        Idempotent: an occurrence is unique per (notice, time), so two tickers, or a tick after a
        crash, never queue a firing twice. A firing later than the grace time is marked missed and
        the author is told instead of sending stale news.
        """
        now = now or self.clock.now()
        async with self.db.session() as s:
            due = await NoticeRepo(s).due(now)
        queued = missed = 0
        missed_notes: list[tuple[int, int, int, dt.datetime]] = []
        for notice_id in due:
            try:
                async with self.db.session() as s:
                    repo = NoticeRepo(s)
                    row = await repo.get(notice_id, lock=True)
                    if row is None or row.status != Status.SCHEDULED:
                        continue
                    schedule = Schedule(row.start_at, Repeat(row.repeat), row.until)
                    fired = 0
                    while row.next_fire_at is not None and row.next_fire_at <= now:
                        fire_at = row.next_fire_at
                        if not await repo.occurrence_exists(row.id, fire_at):
                            if now - fire_at > self.grace:
                                await repo.add_occurrence(row.id, fire_at, "missed", now)
                                missed += 1
                                missed_notes.append((row.id, row.author_chat_id, row.author_id, fire_at))
                            else:
                                occ = await repo.add_occurrence(row.id, fire_at, "sending", now)
                                await repo.add_outbox(await self._recipients(repo, row, occ.id, now))
                                queued += 1
                                fired += 1
                        row.next_fire_at = schedule.next_fire(fire_at)
                    if row.next_fire_at is None:
                        row.status = Status.SENDING.value if fired or await self._open(repo, row.id) else Status.DONE.value
                    row.updated_at = now
            except IntegrityError:
                log.info("notice %s: firing already materialised by another ticker", notice_id)
        for notice_id, chat_id, author_id, fire_at in missed_notes:
            await self._notify(chat_id, Screen(self.t(await self._lang(author_id), "announcements.missed", id=notice_id,
                                                      at=format_local(fire_at))))
        if queued and self.on_queued is not None:
            self.on_queued()
        return queued, missed

    @staticmethod
    async def _open(repo: NoticeRepo, notice_id: int) -> bool:
        return any(o.status in OPEN_OCCURRENCE for o in await repo.occurrences(notice_id))

    async def _recipients(self, repo: NoticeRepo, row: AnnouncementRow, occ_id: int,
                          now: dt.datetime) -> list[dict[str, object]]:
        audience = Audience(row.audience)
        tdps = [n for n in row.neighbourhoods.split(",") if n] if audience is Audience.NEIGHBOURHOODS else None
        out: list[dict[str, object]] = []
        base = {"occurrence_id": occ_id, "status": "pending", "attempts": 0}
        if audience in (Audience.WARD, Audience.NEIGHBOURHOODS, Audience.GROUPS):
            for g in await repo.groups(row.ward_id, tdps):
                out.append({**base, "recipient_kind": "group", "recipient_id": g.id, "chat_id": g.chat_id,
                            "lang": "vi", "not_before": now})
        if audience in (Audience.WARD, Audience.NEIGHBOURHOODS, Audience.SUBSCRIBERS):
            private_at = now if row.urgent else quiet_hours_end(now)
            for uid, chat_id, lang in await repo.subscribers(row.ward_id, tdps, self.channel):
                out.append({**base, "recipient_kind": "user", "recipient_id": uid, "chat_id": chat_id,
                            "lang": lang, "not_before": private_at})
        return out

    # --- reports ---------------------------------------------------------------------------

    async def finish_and_report(self) -> list[OccurrenceReport]:
        """Close every occurrence whose messages all reached a final state and tell its author."""
        now = self.clock.now()
        reports: list[tuple[int, int, OccurrenceReport]] = []
        async with self.db.session() as s:
            repo = NoticeRepo(s)
            for occ in await repo.finished_unreported():
                if not await repo.close_occurrence(occ.id, now):
                    continue  # another reporter (tick loop or worker) closed it first
                counts = await repo.counts(occ.id)
                reasons = Counter(r.error or r.status for r in await repo.failures(occ.id, limit=1000))
                report = OccurrenceReport(occ.announcement_id, occ.fire_at, counts, await repo.acks(occ.id), dict(reasons))
                row = await repo.get(occ.announcement_id)
                if row is not None:
                    if row.status == Status.SENDING and not await self._open(repo, row.id):
                        row.status = Status.DONE.value
                    reports.append((row.author_chat_id, row.author_id, report))
        for chat_id, author_id, report in reports:
            await self._notify(chat_id, Screen(self.report_text(report, await self._lang(author_id))))
        await self._report_held(now)
        return [r for _, _, r in reports]

    async def _report_held(self, now: dt.datetime) -> None:
        """Everything that could go now went, the rest waits (quiet hours): tell the author now, not tomorrow."""
        notes: list[tuple[int, str]] = []
        async with self.db.session() as s:
            repo = NoticeRepo(s)
            for occ, held, resume in await repo.held_occurrences(now):
                if not await repo.mark_held(occ.id):
                    continue
                row = await repo.get(occ.announcement_id)
                if row is None:
                    continue
                counts = await repo.counts(occ.id)
                lang = (await UserRepo(s).get(row.author_id)).lang or "vi"  # type: ignore[union-attr]
                notes.append((row.author_chat_id, self.t(lang, "announcements.report_held", id=row.id,
                                                         sent=counts.get("sent", 0), held=held,
                                                         at=format_local(resume))))
        for chat_id, text in notes:
            await self._notify(chat_id, Screen(text))

    def report_text(self, r: OccurrenceReport, lang: str) -> str:
        c = r.counts
        text = self.t(lang, "announcements.report", id=r.notice_id, at=format_local(r.fire_at),
                      sent=c.get("sent", 0), failed=c.get("failed", 0), blocked=c.get("blocked", 0),
                      uncertain=c.get("uncertain", 0), acked=r.acked)
        if r.reasons:
            text += "\n" + self.t(lang, "announcements.report_reasons") + "\n" + "\n".join(
                f"• {reason}: {n}" for reason, n in sorted(r.reasons.items(), key=lambda kv: -kv[1]))
        return text

    # --- how a notice looks ------------------------------------------------------------------

    def outgoing(self, notice: Notice, lang: str, private: bool, outbox_id: int) -> Outgoing:
        ward = self.content.ward(notice.ward_id)
        header = self.t(lang, "announcements.notice_urgent_header" if notice.urgent else "announcements.notice_header",
                        ward=ward.name.get(lang) if ward else notice.ward_id)
        text = f"{header}\n\n{notice.text}" if notice.text else header
        buttons = rows(Button(self.t(lang, "announcements.btn_ack"), f"an:ack:{outbox_id}")) if private else ()
        return Outgoing(Screen(text, buttons), notice.media_kind, notice.media_file_id)

    async def render(self, item: Item) -> Outgoing:
        """The outgoing message for one outbox row (notices cached per occurrence and language)."""
        key = (item.occurrence_id, item.lang, item.recipient_kind)
        base = self._render_cache.get(key)
        if base is None:
            async with self.db.session() as s:
                repo = NoticeRepo(s)
                occ = await repo.occurrence(item.occurrence_id)
                row = await repo.get(occ.announcement_id) if occ else None
                if row is None:
                    raise LookupError(item.occurrence_id)
                base = self.outgoing(_notice(row), item.lang, item.recipient_kind == "user", 0)
            if len(self._render_cache) > 256:
                self._render_cache.clear()
            self._render_cache[key] = base
        if item.recipient_kind != "user":
            return base
        return Outgoing(Screen(base.screen.text, rows(Button(base.screen.buttons[0][0].label, f"an:ack:{item.id}"))),
                        base.media_kind, base.media_file_id)

    def summary(self, n: Notice, lang: str) -> str:
        audience = self.t(lang, f"announcements.audience_{n.audience.value}")
        if n.audience is Audience.NEIGHBOURHOODS:
            audience += " " + ", ".join(n.neighbourhoods)
        when = self.when_text(n.schedule, lang)
        urgent = " ⚡" if n.urgent else ""
        return self.t(lang, "announcements.summary", audience=audience, when=when, urgent=urgent)

    def when_text(self, s: Schedule, lang: str) -> str:
        key = f"announcements.when_{s.repeat.value}"
        return self.t(lang, key, at=format_local(s.start), until=s.until.strftime("%d/%m/%Y") if s.until else "")

    async def _lang(self, user_id: int) -> str:
        async with self.db.session() as s:
            row = await UserRepo(s).get(user_id)
            return (row.lang if row else None) or "vi"

    async def _notify(self, chat_id: int, screen: Screen) -> None:
        if self.notify is None:
            return
        try:
            await self.notify(chat_id, screen)
        except Exception:
            log.exception("could not notify chat %s", chat_id)
