"""Broadcast benchmark: one ward notice to N subscribers and M neighbourhood groups through the fake
Bot API enforcing Telegram's limits (30 msg/s overall, 1 msg/s per chat, 20 msg/min per group).

Prints the achieved messages per second (target ≥ 28/s with zero 429 answers), the number of 429s,
peak Python memory (tracemalloc) and the time from "confirm" (AnnouncementService.create) to the
first message the fake server received. Also checks every recipient got exactly one message.

    .venv/bin/python benchmarks/broadcast_bench.py                       # 10,000 + 300, about 6 minutes
    .venv/bin/python benchmarks/broadcast_bench.py --subscribers 500 --groups 20
    .venv/bin/python benchmarks/broadcast_bench.py --db postgresql+asyncpg://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import resource
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import insert

from bot.adapters.db.announcements import GroupRow
from bot.adapters.db.db import Database
from bot.adapters.db.uow import SqlTransactions
from bot.adapters.db.users import UserRow
from bot.adapters.localchat.fake_api import FakeBotAPI, Limits
from bot.adapters.telegram.sender import TelegramSender
from bot.app.announcements import AnnouncementService, Audience, Draft
from bot.app.delivery import DeliveryWorker, RateLimiter
from bot.app.residents import ResidentService, Role
from bot.core.clock import SystemClock
from bot.core.content import load_valid_content
from bot.core.i18n import Texts
from bot.settings import PROJECT_ROOT

WARD = "tay-ho"


async def populate(db: Database, subscribers: int, groups: int) -> None:
    now = dt.datetime.now(dt.UTC)
    users = [
        {
            "channel": "telegram",
            "external_id": 10_000_000 + i,
            "display_name": f"U{i}",
            "lang": "vi",
            "ward_id": WARD,
            "neighbourhood": str(1 + i % 40),
            "onboarded": True,
            "subscribed": True,
            "blocked": False,
            "created_at": now,
            "last_seen_at": now,
        }
        for i in range(subscribers)
    ]
    grps = [
        {
            "chat_id": -1004000000000 - i,
            "ward_id": WARD,
            "neighbourhood": str(1 + i % 40),
            "title": f"G{i}",
            "active": True,
            "bound_at": now,
        }
        for i in range(groups)
    ]
    async with db.session() as s:
        for i in range(0, len(users), 2000):
            await s.execute(insert(UserRow), users[i : i + 2000])
        if grps:
            await s.execute(insert(GroupRow), grps)


async def main(args: argparse.Namespace) -> int:
    tmp = tempfile.TemporaryDirectory()
    url = args.db or f"sqlite+aiosqlite:///{Path(tmp.name) / 'bench.db'}"
    fake = FakeBotAPI(limits=Limits())
    await fake.start()
    db = Database(url)
    await db.migrate()
    clock = SystemClock()
    await populate(db, args.subscribers, args.groups)
    residents = ResidentService(SqlTransactions(db), clock)
    official = await residents.identify("telegram", 3001, "Chủ tịch phường")
    await residents.grant(official.id, Role.OFFICIAL, WARD, None)
    official = await residents.identify("telegram", 3001, "Chủ tịch phường")
    service = AnnouncementService(db, clock, Texts(), load_valid_content(PROJECT_ROOT / "content"))
    bot = Bot("42:BENCH", session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url)))
    reports: list[str] = []

    async def notify(chat_id: int, screen: object) -> None:
        reports.append(getattr(screen, "text", ""))

    service.notify = notify
    worker = DeliveryWorker(
        db,
        TelegramSender(bot),
        service.render,
        clock,
        limiter=RateLimiter(),
        on_drained=service.finish_and_report,
        poll=1.0,
    )
    service.on_queued = worker.kick.set
    total = args.subscribers + args.groups
    if args.trace_memory:
        tracemalloc.start()
    worker.start()
    t_confirm = time.monotonic()
    # urgent, so that quiet hours do not hold private messages back when the benchmark runs at night
    await service.create(
        Draft(ward_id=WARD, text="Thông báo thử tải: lịch tiêm chủng tháng 12.", audience=Audience.WARD, urgent=True),
        official,
    )
    last_print = time.monotonic()
    while len(fake.sent) < total:
        await asyncio.sleep(0.2)
        if time.monotonic() - last_print > 30:
            last_print = time.monotonic()
            print(f"  … {len(fake.sent)}/{total} sent, 429s so far: {fake.too_many}", flush=True)
    first, last = fake.sent[0].at, fake.sent[-1].at
    while not reports:
        await asyncio.sleep(0.2)
    _, peak = tracemalloc.get_traced_memory() if args.trace_memory else (0, 0)
    tracemalloc.stop()
    await worker.stop()
    counts = Counter(m.chat_id for m in fake.sent)
    exactly_once = len(counts) == total and set(counts.values()) == {1}
    rate = (total - 1) / (last - first) if last > first else float("inf")
    print(f"recipients:              {args.subscribers} subscribers + {args.groups} groups = {total}")
    print(f"database:                {db.url.get_backend_name()}")
    print(f"messages per second:     {rate:.2f}  (first to last message, {last - first:.1f} s)")
    print(f"429 answers:             {fake.too_many}")
    print(f"every recipient once:    {exactly_once}")
    print(f"confirm → first message: {(first - t_confirm) * 1000:.0f} ms")
    traced = f"{peak / 1e6:.1f} MB" if args.trace_memory else "not traced"
    print(
        f"peak memory (traced):    {traced};  process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    print(f"author's report:         {reports[0].splitlines()[1:3]}")
    await bot.session.close()
    await db.close()
    await fake.stop()
    tmp.cleanup()
    return 0 if exactly_once and fake.too_many == 0 and rate >= 28 else 1


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--subscribers", type=int, default=10_000)
    p.add_argument("--groups", type=int, default=300)
    p.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    p.add_argument(
        "--no-trace-memory",
        dest="trace_memory",
        action="store_false",
        help="skip tracemalloc (it slows allocation, so confirm → first message reads higher with it)",
    )
    sys.exit(asyncio.run(main(p.parse_args())))
