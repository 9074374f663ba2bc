"""Web console benchmark (issue 12): the overview and the ticket inbox with 100,000 usage events, 10,000
tickets and their 100,000 messages seeded.

Seeds a fresh database (SQLite in a temporary directory, or a throw-away PostgreSQL database on
127.0.0.1:5432) with 100,000 usage events over 90 days in both wards (3,000 residents, every guide,
kinds and steps in realistic proportions), 10,000 tickets (a tenth still open) with 100,000 messages
(10 each) and 200 notices with 50 recipients each, then times the console's calls, each `--runs` times
after a warm-up:

- overview of one ward over 30 days, one ward over 90 days, all wards over 90 days (admin);
- every guide's usage (the Guides page) and one guide's drop-off;
- then the pages themselves through the console's ASGI app (an official, a staff member and an admin
  signed in with a real one-time link; 5,000 unanswered questions seeded): the Overview (30 / 90 days,
  all wards), the Guides list, a guide's page, the Unanswered page (grouping the newest 5,000
  questions), and the ticket inbox (to answer; every ticket older than 7 days; closed in one tổ; a
  full-text search over the 100,000 messages; one ticket's page; every ward for the admin).

It prints p50 / p95 / max per call and `OK` when p95 < 150 ms (the issue's target), else `SLOW`;
the exit status is 1 when any call is slow.

    .venv/bin/python benchmarks/web_bench.py                  # SQLite and PostgreSQL
    .venv/bin/python benchmarks/web_bench.py --db sqlite --runs 50
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from sqlalchemy import insert

from bot.adapters.db.announcements import AnnouncementRow, OccurrenceRow, OutboxRow
from bot.adapters.db.db import Database
from bot.adapters.db.tickets import StaffGroupRow, TicketMessageRow, TicketRow
from bot.adapters.db.unanswered import UnansweredRow
from bot.adapters.db.uow import SqlTransactions
from bot.adapters.db.usage import UsageEventRow
from bot.adapters.db.users import UserRow
from bot.adapters.web import create_app
from bot.app.helpdesk import Delivered, Delivery
from bot.app.residents import Resident, Role
from bot.app.stats import StatsService
from bot.app.usage import FUNNEL, hanoi_day, pseudonym
from bot.app.usage import UsageKind as K
from bot.bootstrap import build_app
from bot.core.clock import FixedClock
from bot.core.content import load_valid_content
from bot.settings import PROJECT_ROOT, Settings

PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"
NOW = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)  # Monday 10:00 in Hà Nội
TARGET_MS = 150
WARDS = ("tay-ho", "phu-thuong")
ADMIN = Resident(1, "telegram", 1, "Admin", "vi", None, None, True, False, frozenset({("admin", "*")}))
OFFICIAL = Resident(2, "telegram", 2, "Cán bộ", "vi", "tay-ho", None, True, False, frozenset({("official", "tay-ho")}))


async def chunks(db: Database, table: Any, rows: list[dict[str, Any]], size: int = 5000) -> None:
    async with db.session() as s:
        for i in range(0, len(rows), size):
            await s.execute(insert(table), rows[i : i + size])


async def seed(db: Database, events: int, tickets: int, notices: int, messages_per_ticket: int = 10) -> None:
    rnd = random.Random(12)
    content = load_valid_content(PROJECT_ROOT / "content")
    guides = list(content.guides.values())
    weights = [1 / (i + 1) for i in range(len(guides))]  # a few guides are used far more than the rest
    people = [(f"telegram:{80_000_000 + i}", WARDS[i % 2], str(1 + i % 20)) for i in range(3000)]
    keys = [(pseudonym("bench-salt", p), w, tdp) for p, w, tdp in people]
    kinds = [K.STEP, K.STARTED, K.MATCHED, K.UNANSWERED, K.STUCK, K.ASKED, K.FINISHED]
    kind_weights = [45, 12, 8, 8, 8, 3, 6]
    rows = []
    for _ in range(events):
        key, ward, tdp = rnd.choice(keys)
        at = NOW - dt.timedelta(seconds=rnd.randrange(90 * 86400))
        kind = rnd.choices(kinds, kind_weights)[0]
        guide = rnd.choices(guides, weights)[0]
        step: int | None = rnd.randrange(len(guide.steps))
        if kind in (K.STARTED, K.MATCHED):
            step = 0
        elif kind is K.UNANSWERED:
            guide, step = None, None  # type: ignore[assignment]
        rows.append(
            {
                "kind": kind.value,
                "funnel": FUNNEL.get(kind.value) if guide else None,
                "user_key": key,
                "ward_id": ward,
                "neighbourhood": tdp,
                "guide_id": guide.id if guide else None,
                "step": step,
                "at": at,
                "day": hanoi_day(at),
            }
        )
    await chunks(db, UsageEventRow.__table__, rows)

    users = [
        {
            "channel": "telegram",
            "external_id": 80_000_000 + i,
            "display_name": f"R{i}",
            "lang": "vi",
            "ward_id": WARDS[i % 2],
            "neighbourhood": "5",
            "onboarded": True,
            "subscribed": True,
            "blocked": False,
            "created_at": NOW,
            "last_seen_at": NOW,
        }
        for i in range(2000)
    ]
    await chunks(db, UserRow.__table__, users)
    await chunks(
        db,
        StaffGroupRow.__table__,
        [
            {
                "chat_id": -1000 - i,
                "ward_id": w,
                "is_forum": True,
                "active": True,
                "bound_at": NOW,
                "unanswered_hours": 4,
            }
            for i, w in enumerate(WARDS)
        ],
    )
    trows = []
    for i in range(tickets):
        created = NOW - dt.timedelta(seconds=rnd.randrange(90 * 86400))
        closed = rnd.random() > 0.1
        staff = created + dt.timedelta(hours=rnd.randrange(1, 48)) if rnd.random() > 0.3 else None
        trows.append(
            {
                "resident_id": 1 + i % 2000,
                "ward_id": WARDS[i % 2],
                "neighbourhood": "5",
                "guide_id": rnd.choice(guides).id,
                "step": 0,
                "status": "closed" if closed else rnd.choice(["open", "assigned"]),
                "created_at": created,
                "last_resident_at": created,
                "last_staff_at": staff,
                "closed_at": staff if closed else None,
                "resident_blocked": False,
            }
        )
    await chunks(db, TicketRow.__table__, trows)
    # the conversations: 10 messages a ticket (100,000), the resident's and staff's turns, in plain words
    words = ("cài", "VNeID", "mật khẩu", "định danh", "ứng dụng", "iHanoi", "lương hưu", "ngân hàng", "mã QR", "hồ sơ")
    mrows = []
    for t in range(tickets):
        created = trows[t]["created_at"]
        for m in range(messages_per_ticket):
            w1, w2 = rnd.choice(words), rnd.choice(words)
            mrows.append(
                {
                    "ticket_id": t + 1,
                    "author": "resident" if m % 2 == 0 else "staff",
                    "user_id": trows[t]["resident_id"] if m % 2 == 0 else None,
                    "kind": "text",
                    "text": f"Tin {m + 1} của phiếu {t + 1}: hỏi về {w1} và {w2}, mong cán bộ giúp ạ.",
                    "created_at": created + dt.timedelta(minutes=m),
                }
            )
    await chunks(db, TicketMessageRow.__table__, mrows)
    ann, occ, out = [], [], []
    for n in range(notices):
        at = NOW - dt.timedelta(days=rnd.randrange(90), hours=rnd.randrange(24))
        ann.append(
            {
                "id": n + 1,
                "ward_id": WARDS[n % 2],
                "author_id": 1,
                "author_chat_id": 1,
                "text": f"Thông báo số {n + 1} của phường",
                "audience": "ward",
                "neighbourhoods": "",
                "repeat": "once",
                "start_at": at,
                "urgent": False,
                "status": "done",
                "created_at": at,
                "updated_at": at,
            }
        )
        occ.append({"id": n + 1, "announcement_id": n + 1, "fire_at": at, "status": "done", "created_at": at})
        for r in range(50):
            sent = at + dt.timedelta(seconds=r) if rnd.random() > 0.05 else None
            out.append(
                {
                    "occurrence_id": n + 1,
                    "recipient_kind": "user",
                    "recipient_id": 1 + r,
                    "chat_id": 80_000_000 + r,
                    "lang": "vi",
                    "status": "sent" if sent else "failed",
                    "attempts": 1,
                    "not_before": at,
                    "sent_at": sent,
                    "acked_at": sent if sent and rnd.random() > 0.6 else None,
                }
            )
    await chunks(db, AnnouncementRow.__table__, ann)
    await chunks(db, OccurrenceRow.__table__, occ)
    await chunks(db, OutboxRow.__table__, out)
    if not db.is_sqlite:
        # what autovacuum does after a bulk insert (PostgreSQL 13+: inserts trigger it too): statistics for the
        # planner, and the visibility map that lets it answer from an index alone; outside a transaction
        async with db.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            for table in ("usage_events", "tickets", "ticket_messages", "announcement_outbox"):
                await conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
    else:
        async with db.engine.begin() as conn:
            await conn.exec_driver_sql("ANALYZE")


UNANSWERED_WORDS = (
    "cách đổi ảnh zalo",
    "giá vàng hôm nay",
    "đăng ký xe máy",
    "lịch tiêm phòng",
    "mất thẻ bảo hiểm",
    "nộp thuế đất",
    "cấp lại sổ đỏ",
    "điện bị cắt",
    "nước yếu quá",
    "xin giấy tạm trú",
    "học bổng cho cháu",
    "đổi bằng lái",
    "mạng chậm",
    "vé xe buýt",
    "khám bệnh online",
)
OFFICIAL_EXT, ADMIN_EXT, STAFF_EXT = 70_000_001, 70_000_002, 70_000_003


class NoSender:
    """The pages timed only read: nothing is sent."""

    async def send(self, *a: object, **k: object) -> Delivered:
        return Delivered(Delivery.OK, 1)

    async def copy(self, *a: object, **k: object) -> Delivered:
        return Delivered(Delivery.OK, 1)


async def seed_unanswered(db: Database, n: int = 5000) -> None:
    rnd = random.Random(7)
    rows = []
    for i in range(n):
        at = NOW - dt.timedelta(seconds=rnd.randrange(90 * 86400))
        words = rnd.choice(UNANSWERED_WORDS).split()
        if rnd.random() < 0.5:
            words.insert(rnd.randrange(len(words) + 1), rnd.choice(("ạ", "ơi", "với", "thế nào", "ở đâu", "bao giờ")))
        text = " ".join(words) + (f" số {rnd.randrange(300)}" if rnd.random() < 0.3 else "")
        rows.append(
            {
                "ward_id": WARDS[i % 2],
                "user_hash": f"{rnd.randrange(3000):064x}",
                "text": text,
                "outcome": rnd.choice(("none", "unsure")),
                "topic": None,
                "score": 0.0,
                "created_at": at,
            }
        )
    await chunks(db, UnansweredRow.__table__, rows)


async def page_timings(url: str, args: argparse.Namespace) -> bool:
    """The console's pages through its ASGI app, signed in as an official of Tây Hồ and as an admin."""
    settings = Settings(
        _env_file=None, database_url=url, bot_token=None, content_dir=PROJECT_ROOT / "content", admin_ids=[ADMIN_EXT]
    )
    app = await build_app(settings, FixedClock(NOW))
    ok = True
    try:
        official = await app.residents.identify("telegram", OFFICIAL_EXT, "Cán bộ")
        await app.residents.grant(official.id, Role.OFFICIAL, "tay-ho", None)
        official = await app.residents.get(official.id) or official
        admin = await app.residents.identify("telegram", ADMIN_EXT, "Quản trị")
        staff = await app.residents.identify("telegram", STAFF_EXT, "Cán bộ Hà")
        await app.residents.grant(staff.id, Role.STAFF, "tay-ho", None)
        staff = await app.residents.get(staff.id) or staff
        today = hanoi_day(NOW)
        d90 = (today - dt.timedelta(days=89)).isoformat()
        api = create_app(app, NoSender())
        for who, person, pages in (
            (
                "official",
                official,
                {
                    "page /overview (30 days)": "/overview",
                    "page /overview (90 days)": f"/overview?from={d90}",
                    "page /guides": "/guides",
                    "page /guides/vneid-activate": "/guides/vneid-activate",
                    "page /unanswered": "/unanswered",
                },
            ),
            (
                "staff",
                staff,
                {
                    "page /tickets (to answer)": "/tickets",
                    "page /tickets (all, older than 7 d)": "/tickets?box=all&age=7",
                    "page /tickets (closed, tổ 5)": "/tickets?box=closed&tdp=5",
                    "page /tickets?q=lương hưu (search)": "/tickets?box=all&q=l%C6%B0%C6%A1ng%20h%C6%B0u",
                    "page /tickets/1 (a ticket)": "/tickets/1",
                },
            ),
            (
                "admin",
                admin,
                {
                    "page /overview all wards, 90 days": f"/overview?from={d90}",
                    "page /tickets all wards": "/tickets?box=all",
                },
            ),
        ):
            token = await app.signin.issue(person)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://bench") as web:
                r = await web.post("/login", data={"t": token})
                assert r.status_code == 303, (who, r.status_code)
                for label, path in pages.items():

                    async def get(path: str = path) -> None:
                        r = await web.get(path)
                        assert r.status_code == 200, (path, r.status_code)

                    xs = await timings(args.runs, get)
                    slow = p95(xs) >= TARGET_MS
                    ok &= not slow
                    print(
                        f"  {label:34s} p50 {statistics.median(xs):6.1f} ms  p95 {p95(xs):6.1f} ms  "
                        f"max {max(xs):6.1f} ms  {'SLOW' if slow else 'OK'}"
                    )
    finally:
        await app.close()
    return ok


async def timings(runs: int, call: Any) -> list[float]:
    await call()  # warm-up: statement compilation, caches
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        await call()
        out.append((time.perf_counter() - t) * 1000)
    return out


def p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20, method="inclusive")[-1]


async def bench(name: str, url: str, args: argparse.Namespace) -> bool:
    db = Database(url)
    await db.migrate()
    t = time.perf_counter()
    await seed(db, args.events, args.tickets, args.notices)
    await seed_unanswered(db)
    print(
        f"{name}: seeded {args.events:,} usage events, {args.tickets:,} tickets ({args.tickets * 10:,} messages), "
        f"{args.notices} notices ({args.notices * 50:,} deliveries) in {time.perf_counter() - t:.1f} s"
    )
    stats = StatsService(SqlTransactions(db), FixedClock(NOW), load_valid_content(PROJECT_ROOT / "content"))
    today = hanoi_day(NOW)
    d30, d90 = today - dt.timedelta(days=29), today - dt.timedelta(days=89)
    calls = {
        "overview tay-ho, 30 days": lambda: stats.overview(OFFICIAL, "tay-ho", d30, today),
        "overview tay-ho, 90 days": lambda: stats.overview(OFFICIAL, "tay-ho", d90, today),
        "overview all wards, 90 days": lambda: stats.overview(ADMIN, None, d90, today),
        "guide usage all wards, 90 days": lambda: stats.guide_usage(ADMIN, None, d90, today),
        "funnel vneid-activate, 90 days": lambda: stats.funnel(ADMIN, None, d90, today, "vneid-activate"),
    }
    ok = True
    for label, call in calls.items():
        xs = await timings(args.runs, call)
        slow = p95(xs) >= TARGET_MS
        ok &= not slow
        print(
            f"  {label:34s} p50 {statistics.median(xs):6.1f} ms  p95 {p95(xs):6.1f} ms  max {max(xs):6.1f} ms  "
            f"{'SLOW' if slow else 'OK'}"
        )
    o = await stats.overview(ADMIN, None, d90, today)
    print(
        f"  (all wards, 90 days: {o.questions:,} questions, {o.started:,} guides started, {o.finished:,} finished, "
        f"{o.tickets.open} open tickets, {o.tickets.overdue} overdue, {o.notices.sent:,} notices sent, "
        f"{o.notices.acknowledged:,} acknowledged)"
    )
    await db.close()
    return await page_timings(url, args) and ok


async def main(args: argparse.Namespace) -> int:
    ok = True
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            ok &= await bench("sqlite", f"sqlite+aiosqlite:///{Path(tmp) / 'bot.db'}", args)
    if args.db in ("postgresql", "both"):
        import asyncpg

        name = f"bench_{uuid.uuid4().hex[:10]}"
        conn = await asyncpg.connect(PG_ADMIN_DSN)
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
        try:
            ok &= await bench("postgresql", f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}", args)
        finally:
            conn = await asyncpg.connect(PG_ADMIN_DSN)
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.close()
    return 0 if ok else 1


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    p.add_argument("--runs", type=int, default=40)
    p.add_argument("--events", type=int, default=100_000)
    p.add_argument("--tickets", type=int, default=10_000)
    p.add_argument("--notices", type=int, default=200)
    sys.exit(asyncio.run(main(p.parse_args())))
