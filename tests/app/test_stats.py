"""The ward overview on a real database (SQLite and PostgreSQL): what is counted, for whom, over which days."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.adapters.db.announcements import AnnouncementRow, OccurrenceRow, OutboxRow
from bot.adapters.db.db import Database
from bot.adapters.db.tickets import TicketRow
from bot.adapters.db.uow import SqlTransactions
from bot.app.residents import Resident, ResidentService
from bot.app.stats import StatsError, StatsNotAllowed, StatsService, StepCount, sla_cutoff
from bot.app.tickets import Incoming, TicketService
from bot.app.usage import UsageKind as K
from bot.app.usage import UsageLog
from bot.core.clock import FixedClock
from bot.core.content import load_valid_content
from bot.core.working_hours import HANOI, WorkingHours
from bot.settings import PROJECT_ROOT

MON = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # Monday 09:00 in Hà Nội
D0 = MON.astimezone(HANOI).date()
SALT = "test-salt"


@pytest.fixture(scope="module")
def content():
    return load_valid_content(PROJECT_ROOT / "content")


def person(ext: int, ward: str | None = "tay-ho", tdp: str | None = "5", roles=()) -> Resident:
    return Resident(ext, "telegram", ext, f"P{ext}", "vi", ward, tdp, True, False, frozenset(roles))


ADMIN = person(9001, None, None, [("admin", "*")])
OFFICIAL = person(9002, roles=[("official", "tay-ho")])


async def _service(url: str, content, now: dt.datetime = MON) -> tuple[Database, SqlTransactions, StatsService]:
    db = Database(url)
    await db.migrate()
    tx = SqlTransactions(db)
    return db, tx, StatsService(tx, FixedClock(now), content)


async def _note(tx: SqlTransactions, r: Resident, kind: K, at: dt.datetime, guide: str | None = None, step=None):
    async with tx() as u:
        await UsageLog(SALT).add(u, kind, r, at, guide, step)


async def test_questions_per_day_guides_and_where_residents_get_stuck(db_url, content):
    db, tx, stats = await _service(db_url, content)
    try:
        lan, hoa, binh = person(1), person(2), person(3, "phu-thuong")
        day = dt.timedelta(days=1)
        await _note(tx, lan, K.MATCHED, MON, "ihanoi-install", 0)  # her question opened step 1
        await _note(tx, lan, K.STARTED, MON, "ihanoi-install", 0)  # and she opened it again from the menu
        for step in (1, 2, 1, 2):  # back and forth: she reached each step once
            await _note(tx, lan, K.STEP, MON, "ihanoi-install", step)
        await _note(tx, lan, K.STUCK, MON, "ihanoi-install", 2)
        await _note(tx, lan, K.ASKED, MON, "ihanoi-install", 2)
        await _note(tx, hoa, K.UNANSWERED, MON + 2 * day)
        await _note(tx, hoa, K.STARTED, MON + 2 * day, "ihanoi-install", 0)
        await _note(tx, hoa, K.STARTED, MON + 2 * day, "epay-qr", 0)
        await _note(tx, hoa, K.STARTED, MON + 2 * day, "epay-qr", 0)  # twice: one person
        await _note(tx, hoa, K.FINISHED, MON + 2 * day, "epay-qr", 3)
        await _note(tx, binh, K.STARTED, MON, "epay-qr", 0)  # another ward
        await _note(tx, lan, K.STARTED, MON + 5 * day, "epay-qr", 0)  # after the range
        # 17:30 UTC on Wednesday is Thursday 00:30 in Hà Nội
        await _note(tx, hoa, K.UNANSWERED, dt.datetime(2026, 11, 25, 17, 30, tzinfo=dt.UTC))

        o = await stats.overview(OFFICIAL, "tay-ho", D0, D0 + 3 * day)
        assert [(d.day.isoformat(), d.matched, d.unanswered) for d in o.days] == [
            ("2026-11-23", 1, 0),
            ("2026-11-24", 0, 0),
            ("2026-11-25", 0, 1),
            ("2026-11-26", 0, 1),
        ]
        assert o.questions == 3 and [d.started for d in o.days] == [2, 0, 3, 0]  # openings, not people
        assert (o.started, o.finished) == (3, 1)  # Lan (once) and Hoà in iHanoi, Hoà in epay-qr; Hoà finished it
        assert [(g.guide_id, g.started, g.finished) for g in o.top_guides] == [
            ("ihanoi-install", 2, 0),
            ("epay-qr", 1, 1),
        ]
        ihanoi = o.funnels[0]
        assert ihanoi.guide_id == "ihanoi-install"
        assert len(ihanoi.steps) == len(content.guide("ihanoi-install").steps)  # every step, reached or not
        assert ihanoi.steps[:4] == (
            StepCount(0, 2, 0, 0),
            StepCount(1, 1, 0, 0),
            StepCount(2, 1, 1, 1),
            StepCount(3, 0, 0, 0),
        )

        everywhere = await stats.overview(ADMIN, None, D0, D0 + 3 * day)
        assert everywhere.ward_id is None and everywhere.started == 4
        assert dict((g.guide_id, g.started) for g in everywhere.top_guides)["epay-qr"] == 2
        usage = await stats.guide_usage(ADMIN, "phu-thuong", D0, D0)
        assert [(g.guide_id, g.started) for g in usage] == [("epay-qr", 1)]
        funnel = await stats.funnel(OFFICIAL, "tay-ho", D0, D0, "ihanoi-install")
        assert funnel.steps[2] == StepCount(2, 1, 1, 1)
    finally:
        await db.close()


async def test_open_tickets_are_measured_against_the_wards_sla_in_working_hours(db_url, content):
    now = MON + dt.timedelta(hours=6)  # Monday 15:00 in Hà Nội
    db, tx, stats = await _service(db_url, content, now)
    try:
        clock = FixedClock(MON - dt.timedelta(days=3))  # Friday 09:00
        residents = ResidentService(tx, clock)
        tickets = TicketService(tx, clock)
        async with tx() as u:
            await u.staff_groups.bind(-100, "tay-ho", False, None, clock.now())  # default hours, 4 h to answer
        opened = []
        for ext, when in ((11, MON - dt.timedelta(days=3)), (12, MON), (13, MON + dt.timedelta(hours=5)), (14, MON)):
            clock.current = when
            r = await residents.identify("telegram", ext, f"P{ext}")
            r = await residents.update(r.id, ward_id="tay-ho", neighbourhood="5", onboarded=True)
            opened.append((await tickets.open(r, Incoming(text="cháu ơi giúp bác")))[0].id)
        async with db.session() as s:
            answered = await s.get(TicketRow, opened[3])
            answered.last_staff_at = MON + dt.timedelta(minutes=30)
        # Friday 09:00 → Monday 15:00 is far past 4 working hours; Monday 09:00 → 15:00 is 4.5 h (12:00–13:30
        # is lunch): late too; 14:00 → 15:00 is not; the fourth was answered.
        load = (await stats.overview(OFFICIAL, "tay-ho", D0, D0)).tickets
        assert (load.open, load.waiting, load.overdue, load.within_sla) == (4, 3, 2, 1)
        other = (await stats.overview(ADMIN, "phu-thuong", D0, D0)).tickets
        assert (other.open, other.overdue) == (0, 0)
    finally:
        await db.close()


async def test_notices_sent_and_acknowledged_in_the_range(db_url, content):
    db, tx, stats = await _service(db_url, content)
    try:
        official = await ResidentService(tx, FixedClock(MON)).identify("telegram", 9002, "Cán bộ")
        async with db.session() as s:
            for n, (ward, text) in enumerate((("tay-ho", "Lịch tiêm chủng <b>tổ 5</b>"), ("phu-thuong", "Họp tổ"))):
                a = AnnouncementRow(
                    ward_id=ward,
                    author_id=official.id,
                    author_chat_id=9002,
                    text=text,
                    audience="ward",
                    repeat="once",
                    start_at=MON,
                    urgent=False,
                    status="done",
                    created_at=MON,
                    updated_at=MON,
                )
                s.add(a)
                await s.flush()
                occ = OccurrenceRow(announcement_id=a.id, fire_at=MON, status="done", created_at=MON)
                s.add(occ)
                await s.flush()
                for i in range(5):
                    sent = MON + dt.timedelta(minutes=i) if i < 4 else None  # the fifth failed
                    s.add(
                        OutboxRow(
                            occurrence_id=occ.id,
                            recipient_kind="user",
                            recipient_id=100 * n + i,
                            chat_id=100 * n + i,
                            lang="vi",
                            status="sent" if sent else "failed",
                            attempts=1,
                            not_before=MON,
                            sent_at=sent,
                            acked_at=sent if i < 2 else None,
                        )
                    )
        o = await stats.overview(OFFICIAL, "tay-ho", D0, D0)
        assert (o.notices.sent, o.notices.acknowledged) == (4, 2)
        (notice,) = o.notices.recent
        assert (notice.ward_id, notice.text, notice.sent, notice.acknowledged) == (
            "tay-ho",
            "Lịch tiêm chủng <b>tổ 5</b>",  # as written: the page escapes it
            4,
            2,
        )
        assert (await stats.overview(ADMIN, None, D0, D0)).notices.sent == 8
        assert (
            await stats.overview(ADMIN, None, D0 + dt.timedelta(days=1), D0 + dt.timedelta(days=2))
        ).notices.sent == 0
    finally:
        await db.close()


async def test_only_officials_of_the_ward_and_admins_see_its_figures(sqlite_url, content):
    db, _, stats = await _service(sqlite_url, content)
    try:
        for viewer, ward in (
            (person(1), "tay-ho"),  # a resident
            (person(2, roles=[("staff", "tay-ho")]), "tay-ho"),  # staff see tickets, not the overview
            (OFFICIAL, "phu-thuong"),  # another ward's official
            (OFFICIAL, None),  # all wards: admins only
        ):
            with pytest.raises(StatsNotAllowed):
                await stats.overview(viewer, ward, D0, D0)
        with pytest.raises(StatsError) as e:
            await stats.overview(ADMIN, "hoan-kiem", D0, D0)
        assert e.value.code == "unknown_ward"
        with pytest.raises(StatsError) as e:
            await stats.overview(OFFICIAL, "tay-ho", D0, D0 - dt.timedelta(days=1))
        assert e.value.code == "range_reversed"
        with pytest.raises(StatsError) as e:
            await stats.guide_usage(OFFICIAL, "tay-ho", D0, D0 + dt.timedelta(days=400))
        assert e.value.code == "range_too_long"
        with pytest.raises(StatsError) as e:
            await stats.funnel(OFFICIAL, "tay-ho", D0, D0, "no-such-guide")
        assert e.value.code == "unknown_guide"
    finally:
        await db.close()


def test_sla_cutoff_counts_working_time_back_over_the_weekend():
    hours = WorkingHours.parse()  # Mon–Fri 08:00–12:00, 13:30–17:00
    cutoff = sla_cutoff(hours, MON, dt.timedelta(hours=4))
    # Monday 08:00–09:00 is one hour; the other three are Friday 14:00–17:00
    assert cutoff.astimezone(HANOI).replace(tzinfo=None) == dt.datetime(2026, 11, 20, 14, 0)
    assert hours.between(cutoff, MON) >= dt.timedelta(hours=4) > hours.between(cutoff + dt.timedelta(seconds=2), MON)
    never = WorkingHours.parse("sun 08:00-08:01")
    assert sla_cutoff(never, MON, dt.timedelta(hours=4)) < MON - dt.timedelta(days=300)
