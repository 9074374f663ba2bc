"""Home visits' use cases on a real database (SQLite and PostgreSQL): who may act on a request,
and progress per tổ counted from the visit logs, one household once (issue 13)."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import statistics
from dataclasses import dataclass, field

import pytest

from bot.adapters.db.db import Database
from bot.adapters.db.uow import SqlTransactions
from bot.adapters.db.visits import SqlVisitTransactions
from bot.app.helpdesk_base import Delivered, Delivery
from bot.app.residents import Resident, ResidentService, Role
from bot.app.visits import VisitDraft, VisitService
from bot.core import visits as core
from bot.core.clock import FixedClock
from bot.core.content import load_valid_content
from bot.core.i18n import Texts
from bot.core.screens import Screen
from bot.core.visits import DayKind, DayPart, LogChoices
from bot.settings import PROJECT_ROOT

START = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)  # Wednesday 09:00 in Hà Nội
ADMIN = Resident(0, "telegram", 9001, "Quản trị", "vi", None, None, True, False, frozenset({("admin", "*")}))
TEAM_A, TEAM_B = -100301, -100302


@dataclass
class Outbox:
    """A sender that keeps what it was given (a fake channel, not a mock)."""

    sent: list[tuple[int, Screen]] = field(default_factory=list)
    edits: list[tuple[int, int, Screen]] = field(default_factory=list)
    ids: itertools.count = field(default_factory=lambda: itertools.count(100))

    async def send(self, chat_id: int, screen: Screen, *, thread_id=None, reply_to=None) -> Delivered:
        self.sent.append((chat_id, screen))
        return Delivered(Delivery.OK, next(self.ids))

    async def edit(self, chat_id: int, message_id: int, screen: Screen) -> Delivered:
        self.edits.append((chat_id, message_id, screen))
        return Delivered(Delivery.OK, message_id)


@pytest.fixture(scope="module")
def content():
    return load_valid_content(PROJECT_ROOT / "content")


class Ward:
    def __init__(self, db: Database, content, clock: FixedClock):
        self.db, self.clock = db, clock
        self.residents = ResidentService(SqlTransactions(db), clock)
        self.visits = VisitService(SqlVisitTransactions(db), clock, Texts(), content)
        self.out = Outbox()

    async def person(self, ext: int, to: str = "5", name: str | None = None) -> Resident:
        r = await self.residents.identify("telegram", ext, name or f"Người {ext}")
        return await self.residents.update(r.id, ward_id="tay-ho", neighbourhood=to, onboarded=True)

    async def says_it_worked(self, r: Resident, guide: str) -> None:
        """She finished a guide and answered yes to its last question."""
        async with SqlTransactions(self.db)() as tx:
            await tx.progress.save(r.id, guide, 0, self.clock.now())
            await tx.progress.finish(r.id, guide, True, self.clock.now())

    async def request(self, r: Resident, to: str | None = None) -> int:
        d = VisitDraft(to or r.neighbourhood, "cài VNeID", DayPart.MORNING, DayKind.WEEKDAY, "0912345678")
        screen = await self.visits.submit(r, d, self.out)
        return int(screen.text.split("#")[1].split()[0])

    async def visit(self, number: int, member: Resident, chat: int, choices: LogChoices, after_hours: float) -> None:
        assert "0912345678" in (await self.visits.take(member, chat, number, self.out)).text
        self.clock.advance(hours=after_hours)
        answer = await self.visits.save_log(member, chat, number, choices.bits, "", self.out)
        assert "Đã lưu" in answer.text, answer


async def seeded(url: str, content) -> tuple[Database, Ward, dict]:
    """Tây Hồ with targets for tổ 5 and 7, two teams, visits and requests in every state.
    Returns what the stats must say, worked out here from the story (not from the code under test)."""
    db = Database(url)
    await db.migrate()
    w = Ward(db, content, FixedClock(START))
    v = w.visits
    assert "tổ 5" in await v.bind_team(ADMIN, TEAM_A, "tay-ho 5")
    assert "mọi tổ" in await v.bind_team(ADMIN, TEAM_B, "tay-ho")  # the rest of the ward
    await v.import_targets("tay-ho", [core.ToTarget("5", 10, 22), core.ToTarget("7", 4, 9)])
    mai, hung = await w.person(3001, name="Chị Mai"), await w.person(3002, name="Anh Hùng")
    sp, ep = LogChoices().toggled("smartphone"), LogChoices().toggled("epay")
    both = sp.toggled("epay")

    lan, hoa, binh, tu = [await w.person(1000 + i) for i in range(4)]
    nam = await w.person(1010, to="7")
    # Lan: visited twice; the second log (e-payment, no smartphone yet) replaces the first's flags
    await w.visit(await w.request(lan), mai, TEAM_A, sp, 10)
    await w.visit(await w.request(lan), mai, TEAM_A, ep, 30)
    await w.visit(await w.request(hoa), mai, TEAM_A, both, 20)  # both
    await w.says_it_worked(binh, "epay-qr")  # before her visit, whose log says neither: the later log wins
    w.clock.advance(minutes=1)
    await w.visit(await w.request(binh), mai, TEAM_A, LogChoices().toggled("ihanoi"), 4)  # neither flag
    open_tu = await w.request(tu)  # open
    taken = await w.request(tu)
    await v.take(mai, TEAM_A, taken, w.out)  # taken, not done yet
    cancelled = await w.request(binh)
    await v.cancel(binh, cancelled, w.out)
    await w.visit(await w.request(nam), hung, TEAM_B, sp, 6)  # tổ 7 through the ward-wide team
    assert open_tu and taken
    w.clock.advance(hours=1)
    await w.says_it_worked(lan, "ihanoi-install")  # after her last log: a smartphone user now, once
    await w.says_it_worked(lan, "dvc-login")
    await w.says_it_worked(tu, "epay-bank-app")  # never visited: counted from her own answer
    outsider = await w.residents.identify("telegram", 1099, "Người phường khác")
    outsider = await w.residents.update(outsider.id, ward_id="phu-thuong", neighbourhood="5")
    await w.says_it_worked(outsider, "epay-qr")  # another ward
    khoa = await w.person(1011, to="7")
    await w.says_it_worked(khoa, "scam-safety")  # read about scams: shows no skill on the phone

    expected = {
        # smartphone: Lan (her own answer after her last log), Hoà (log), Tư (her own answer; never visited)
        # e-payment: Lan and Hoà (logs), Tư (an epay guide worked); not Bình (her later log says no)
        "5": {
            "households": 10,
            "visited": 3,
            "smartphone": 3,
            "epay": 3,
            "open": 2,
            "median": statistics.median([10, 30, 20, 4]),
        },
        "7": {"households": 4, "visited": 1, "smartphone": 1, "epay": 0, "open": 0, "median": 6.0},
    }
    return db, w, expected


async def test_progress_counts_each_household_once_with_its_latest_log(db_url, content):
    db, w, expected = await seeded(db_url, content)
    try:
        p = await w.visits.progress("tay-ho")
        assert (p.smartphone_target, p.epay_target) == (80, 50)  # the defaults
        got = {
            r.to: {
                "households": r.households,
                "visited": r.visited,
                "smartphone": r.smartphone,
                "epay": r.epay,
                "open": r.open_requests,
                "median": r.median_hours,
            }
            for r in p.rows
        }
        assert got == expected
        assert (p.total.visited, p.total.smartphone, p.total.epay, p.total.households) == (4, 4, 3, 14)
        cells = {row[0]: row for row in core.stats_rows(p)}
        assert cells["5"][4] == "30%/80%" and cells["5"][6] == "30%/50%" and cells["7"][4] == "25%/80%"
        await w.visits.set_ward_targets("tay-ho", 70, 60)
        assert ((await w.visits.progress("tay-ho")).smartphone_target, 60) == (70, 60)
    finally:
        await db.close()


async def test_phone_numbers_are_masked_in_the_logs(sqlite_url, content, caplog):
    db = Database(sqlite_url)
    await db.migrate()
    w = Ward(db, content, FixedClock(START))
    try:
        await w.visits.bind_team(ADMIN, TEAM_A, "tay-ho")
        caplog.set_level("INFO", logger="bot.app")
        n = await w.request(await w.person(1001))
        await w.visits.take(await w.person(3001), TEAM_A, n, w.out)
        text = "\n".join(r.getMessage() for r in caplog.records)
        assert f"visit #{n}" in text and "09••••••78" in text and "0912345678" not in text
    finally:
        await db.close()


async def test_only_the_cards_group_and_then_only_the_taker_or_staff_may_act(db_url, content):
    db = Database(db_url)
    await db.migrate()
    w = Ward(db, content, FixedClock(START))
    v = w.visits
    try:
        await v.bind_team(ADMIN, TEAM_A, "tay-ho 5")
        await v.bind_team(ADMIN, TEAM_B, "tay-ho 7")
        lan = await w.person(1001)
        mai, tuan, hung = await w.person(3001), await w.person(3003), await w.person(3002)
        n = await w.request(lan)
        assert [c for c, _ in w.out.sent] == [TEAM_A]  # the card went to the team covering tổ 5
        gone = "Nút này không còn dùng được"
        assert (await v.take(hung, TEAM_B, n, w.out)).text == gone  # team B pressing team A's request
        assert (await v.take(hung, TEAM_A, n + 100, w.out)).text == gone  # a number that does not exist
        assert "Nhận" in (await v.done_form(mai, TEAM_A, n)).text  # take it first
        assert "0912345678" in (await v.take(mai, TEAM_A, n, w.out)).text
        assert "đã nhận" in (await v.take(tuan, TEAM_A, n, w.out)).text
        assert "người khác" in (await v.propose_choices(tuan, TEAM_A, n)).text
        await w.residents.grant(tuan.id, Role.STAFF, "tay-ho", None)  # ward staff may step in
        staff = await w.residents.get(tuan.id)
        assert (await v.propose_choices(staff, TEAM_A, n)).screen is not None
        far = START + dt.timedelta(days=60)
        assert (await v.propose(mai, TEAM_A, n, far, w.out)).text == gone  # a forged far-off time
        past = START - dt.timedelta(hours=1)
        assert (await v.propose(mai, TEAM_A, n, past, w.out)).text == gone
    finally:
        await db.close()


def test_targets_csv_problems_are_reported_with_file_and_line():
    bad = "to,households,adults\n5,10,20\n5,3,6\n6,-1,4\n7,x,3\n8,1\n"
    with pytest.raises(core.TargetsError) as e:
        core.parse_targets(bad, "t.csv")
    assert e.value.problems == [
        "t.csv:3: tổ 5 is already on line 2",
        "t.csv:4: households must not be negative (-1)",
        "t.csv:5: households 'x' is not a whole number",
        "t.csv:6: expected 3 values, found 2",
    ]
    with pytest.raises(core.TargetsError) as e:
        core.parse_targets("tdp,ho,nguoi\n1,2,3\n", "t.csv")
    assert e.value.problems[0].startswith("t.csv:1: columns must be to,households,adults")
    assert core.parse_targets("\ufeffto,households,adults\nTổ 05,12,30\n\n", "t.csv") == [core.ToTarget("5", 12, 30)]


def test_phone_numbers_are_normalized_and_masked():
    assert core.normalize_phone("0912 345 678") == "0912345678"
    assert core.normalize_phone("+84 912.345.678") == "0912345678"
    assert core.normalize_phone("12345") is None
    assert core.mask_phone("0912345678") == "09••••••78"


async def test_the_weekly_message_is_claimed_once_per_ward_and_week(db_url):
    db = Database(db_url)
    await db.migrate()
    tx = SqlVisitTransactions(db)
    try:
        claims = []
        for ward, week in (
            ("tay-ho", "2026-W49"),
            ("tay-ho", "2026-W49"),
            ("phu-thuong", "2026-W49"),
            ("tay-ho", "2026-W50"),
        ):
            async with tx() as u:
                claims.append(await u.visits.claim_digest(ward, week))
        assert claims == [True, False, True, True]
    finally:
        await db.close()


async def test_two_members_pressing_nhan_at_once_one_takes_it(db_url, content):
    db = Database(db_url)
    await db.migrate()
    w = Ward(db, content, FixedClock(START))
    try:
        await w.visits.bind_team(ADMIN, TEAM_A, "tay-ho")
        lan = await w.person(1001)
        members = [await w.person(3000 + i, name=f"Thành viên {i}") for i in range(5)]
        n = await w.request(lan)
        answers = await asyncio.gather(*(w.visits.take(m, TEAM_A, n, w.out) for m in members))
        winners = [a for a in answers if "0912345678" in a.text]
        assert len(winners) == 1
        assert all("đã nhận rồi" in a.text for a in answers if a not in winners)
        told = [s for c, s in w.out.sent if c == lan.external_id]
        assert len(told) == 1  # the resident hears it once
    finally:
        await db.close()
