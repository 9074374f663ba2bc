"""The ward overview: questions per day, guides started and finished, where residents get stuck,
open tickets against the SLA, notices sent and acknowledged (issue 12, the web console's Overview).

For one ward or all of them, over a range of Hà Nội days (both ends included). Officials see their
own wards, admins every ward and the total; the rule is here, not in the templates. The database does
the counting (bot.adapters.db.stats); this module fills the gaps (days without a question, steps
nobody reached) so every chart has a bar per day and per step, and returns frozen dataclasses.

People are counted, not presses: a resident who goes back and forth over step 3 reached it once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from bot.app.ports import Transactions, UnitOfWork
from bot.app.ports.stats import NoticeCounts
from bot.app.residents import Resident, Role
from bot.app.tickets import DEFAULT_UNANSWERED_HOURS
from bot.app.usage import FUNNEL_LABELS
from bot.app.usage import UsageKind as K
from bot.core.clock import Clock
from bot.core.content import Content
from bot.core.working_hours import HANOI, WorkingHours

MAX_DAYS = 366
MAX_LOOKBACK = dt.timedelta(days=400)
TOP_GUIDES = 10
RECENT_NOTICES = 10
# One query counts people per guide, step and funnel label (bot.app.usage.FUNNEL): "reached" at step 0 is
# "started" (STEP rows have steps 1+), and "finished" rows carry the last step, so the guides' figures
# come from the same rows.
PerStep = dict[tuple[str, int], dict[str, int]]


class StatsError(ValueError):
    """A request the overview cannot answer; `code` names the message (stats.err_<code>)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class StatsNotAllowed(StatsError):
    def __init__(self) -> None:
        super().__init__("not_allowed")


@dataclass(frozen=True)
class DayCount:
    day: dt.date
    matched: int  # typed questions answered with a guide
    unanswered: int  # typed questions the bot declined or was unsure about
    started: int  # guides opened at step 1 (events, not people)
    finished: int

    @property
    def questions(self) -> int:
        return self.matched + self.unanswered


@dataclass(frozen=True)
class GuideUse:
    guide_id: str
    started: int  # different residents who opened it
    finished: int  # different residents who said it worked


@dataclass(frozen=True)
class StepCount:
    step: int  # 0-based; shown as "Bước step + 1"
    reached: int  # residents who saw this step
    stuck: int  # residents who said they were stuck here
    asked: int  # residents who sent staff a question from here


@dataclass(frozen=True)
class Funnel:
    guide_id: str
    steps: tuple[StepCount, ...]


@dataclass(frozen=True)
class TicketLoad:
    open: int  # not closed
    waiting: int  # open and waiting for staff
    overdue: int  # waiting longer than the ward's SLA (working hours)

    @property
    def within_sla(self) -> int:
        return self.waiting - self.overdue


@dataclass(frozen=True)
class NoticeReach:
    notice_id: int
    ward_id: str
    text: str  # its beginning
    sent: int
    acknowledged: int


@dataclass(frozen=True)
class NoticeTotals:
    sent: int  # messages delivered in the range
    acknowledged: int  # of those, "Đã hiểu" pressed
    recent: tuple[NoticeReach, ...]  # the notices sent last


@dataclass(frozen=True)
class Overview:
    ward_id: str | None  # None: all wards
    start: dt.date
    end: dt.date
    days: tuple[DayCount, ...]  # one per day of the range
    started: int  # residents × guides started
    finished: int
    top_guides: tuple[GuideUse, ...]
    funnels: tuple[Funnel, ...]  # for the top guides, same order
    tickets: TicketLoad
    notices: NoticeTotals

    @property
    def questions(self) -> int:
        return sum(d.questions for d in self.days)


class StatsService:
    def __init__(self, uow: Transactions, clock: Clock, content: Content):
        self.uow = uow
        self.clock = clock
        self.content = content

    async def overview(self, viewer: Resident, ward_id: str | None, start: dt.date, end: dt.date) -> Overview:
        wards = self._wards(viewer, ward_id)
        self._check_range(start, end)
        async with self.uow() as tx:
            days = await self._days(tx, ward_id, start, end)
            per = await self._people(tx, ward_id, start, end)
            uses = self._uses(per)
            top = tuple(uses[:TOP_GUIDES])
            funnels = self._funnels(per, [g.guide_id for g in top])
            tickets = await self._tickets(tx, wards)
            notices = await self._notices(tx, ward_id, start, end)
        return Overview(
            ward_id=ward_id,
            start=start,
            end=end,
            days=days,
            started=sum(g.started for g in uses),
            finished=sum(g.finished for g in uses),
            top_guides=top,
            funnels=funnels,
            tickets=tickets,
            notices=notices,
        )

    async def guide_usage(
        self, viewer: Resident, ward_id: str | None, start: dt.date, end: dt.date
    ) -> tuple[GuideUse, ...]:
        """Every guide used in the range, the most started first (the Guides page; a ward's poster takes 8)."""
        self._wards(viewer, ward_id)
        self._check_range(start, end)
        async with self.uow() as tx:
            return tuple(self._uses(await self._people(tx, ward_id, start, end)))

    async def funnel(
        self, viewer: Resident, ward_id: str | None, start: dt.date, end: dt.date, guide_id: str
    ) -> Funnel:
        self._wards(viewer, ward_id)
        self._check_range(start, end)
        if self.content.guide(guide_id) is None:
            raise StatsError("unknown_guide")
        async with self.uow() as tx:
            return self._funnels(await self._people(tx, ward_id, start, end, [guide_id]), [guide_id])[0]

    # --- rules --------------------------------------------------------------------------

    def _wards(self, viewer: Resident, ward_id: str | None) -> list[str]:
        """The wards the request covers, if the viewer may see them."""
        if ward_id is None:
            if not viewer.is_admin:
                raise StatsNotAllowed()
            return list(self.content.wards)
        if self.content.ward(ward_id) is None:
            raise StatsError("unknown_ward")
        if not viewer.has_role(Role.OFFICIAL, ward_id):
            raise StatsNotAllowed()
        return [ward_id]

    @staticmethod
    def _check_range(start: dt.date, end: dt.date) -> None:
        if end < start:
            raise StatsError("range_reversed")
        if (end - start).days + 1 > MAX_DAYS:
            raise StatsError("range_too_long")

    # --- figures ------------------------------------------------------------------------

    async def _days(self, tx: UnitOfWork, ward_id: str | None, start: dt.date, end: dt.date) -> tuple[DayCount, ...]:
        kinds = (K.MATCHED, K.UNANSWERED, K.STARTED, K.FINISHED)
        counts: dict[tuple[dt.date, str], int] = {
            (r.day, r.kind): r.events
            for r in await tx.stats.kinds_per_day(ward_id, start, end, [k.value for k in kinds])
        }
        out = []
        day = start
        while day <= end:
            m, u, s, f = (counts.get((day, k.value), 0) for k in kinds)
            out.append(DayCount(day, m, u, s + m, f))  # a matched question opened step 1 too
            day += dt.timedelta(days=1)
        return tuple(out)

    async def _people(
        self, tx: UnitOfWork, ward_id: str | None, start: dt.date, end: dt.date, guide_ids: Sequence[str] | None = None
    ) -> PerStep:
        per: PerStep = defaultdict(dict)
        for r in await tx.stats.people_per_step(ward_id, start, end, FUNNEL_LABELS, guide_ids):
            if self.content.guide(r.guide_id) is not None:  # a guide since removed has no title to show
                per[(r.guide_id, r.step)][r.kind] = r.people
        return per

    @staticmethod
    def _uses(per: PerStep) -> list[GuideUse]:
        people: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for (gid, step), c in per.items():
            if step == 0:
                people[gid][0] = c.get("reached", 0)
            people[gid][1] += c.get("finished", 0)  # at the last step (a step count changed since: still one)
        uses = [GuideUse(g, s, f) for g, (s, f) in people.items() if s or f]
        uses.sort(key=lambda u: (-u.started, -u.finished, u.guide_id))
        return uses

    def _funnels(self, per: PerStep, guide_ids: Sequence[str]) -> tuple[Funnel, ...]:
        funnels = []
        for gid in guide_ids:
            guide = self.content.guide(gid)
            if guide is None:
                continue
            steps = []
            for n in range(len(guide.steps)):
                c = per.get((gid, n), {})
                steps.append(StepCount(n, c.get("reached", 0), c.get("stuck", 0), c.get("asked", 0)))
            funnels.append(Funnel(gid, tuple(steps)))
        return tuple(funnels)

    async def _tickets(self, tx: UnitOfWork, wards: Sequence[str]) -> TicketLoad:
        now = self.clock.now()
        settings = {s.ward_id: s for s in await tx.stats.sla_settings(wards)}
        total = [0, 0, 0]
        for w in wards:
            s = settings.get(w)
            hours = WorkingHours.parse(s.hours_spec if s else None)
            limit = dt.timedelta(hours=(s.unanswered_hours if s else None) or DEFAULT_UNANSWERED_HOURS)
            c = await tx.stats.open_tickets(w, sla_cutoff(hours, now, limit))
            total = [total[0] + c.open, total[1] + c.waiting, total[2] + c.overdue]
        return TicketLoad(*total)

    async def _notices(self, tx: UnitOfWork, ward_id: str | None, start: dt.date, end: dt.date) -> NoticeTotals:
        since, until = day_bounds(start, end)
        sent, acked, rows = await tx.stats.notices_sent(ward_id, since, until, RECENT_NOTICES)
        return NoticeTotals(sent, acked, tuple(_reach(r) for r in rows))


def _reach(r: NoticeCounts) -> NoticeReach:
    return NoticeReach(r.notice_id, r.ward_id, r.text, r.sent, r.acknowledged)


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) in Hà Nội, as UTC."""
    since = dt.datetime.combine(start, dt.time(), HANOI).astimezone(dt.UTC)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), HANOI).astimezone(dt.UTC)
    return since, until


def sla_cutoff(hours: WorkingHours, now: dt.datetime, work: dt.timedelta) -> dt.datetime:
    """The latest moment from which `work` of working time has passed by `now` (to the second): a ticket
    waiting since then or earlier is overdue, as the SLA worker reckons it (`WorkingHours.between`)."""
    span = max(work, dt.timedelta(hours=1))
    while hours.between(now - span, now) < work:  # far enough back (a long weekend, a holiday spec)
        if span > MAX_LOOKBACK:  # a ward open almost never: nothing counts as late
            return now - MAX_LOOKBACK
        span *= 2
    lo, hi = now - span, now  # between(lo, now) >= work > between(hi, now)
    while hi - lo > dt.timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if hours.between(mid, now) >= work:
            lo = mid
        else:
            hi = mid
    return lo.replace(microsecond=0)
