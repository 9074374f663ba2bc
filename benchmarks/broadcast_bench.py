"""Broadcast benchmark: one ward notice to N subscribers and M neighbourhood groups through the fake
Bot API enforcing Telegram's limits (30 msg/s overall, 1 msg/s per chat, 20 msg/min per group),
delivered by `--workers` worker processes sharing one database (and, for more than one, the send
limits in Redis).

Prints recipients delivered, duplicates (must be 0), 429 answers (must be 0), the sustained rate
(first to last message; target ≥ 29 msg/s overall), and the time from "confirm"
(AnnouncementService.create) to the first message the fake server received.

    .venv/bin/python benchmarks/broadcast_bench.py                          # 10,000 + 300, 1 worker, SQLite
    .venv/bin/python benchmarks/broadcast_bench.py --workers 3 --db postgresql
    .venv/bin/python benchmarks/broadcast_bench.py --subscribers 500 --groups 20
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import func, insert, select

from bot.adapters.db.announcements import GroupRow, OutboxRow
from bot.adapters.db.db import Database
from bot.adapters.db.uow import SqlTransactions
from bot.adapters.db.users import UserRow
from bot.adapters.localchat.fake_api import FakeBotAPI, Limits
from bot.adapters.redis.send_limits import RedisSendLimiter
from bot.adapters.telegram.sender import TelegramSender
from bot.app.announcements import AnnouncementService, Audience, Draft
from bot.app.delivery import DeliveryWorker, RateLimiter
from bot.app.ports.notices import SendLimiter
from bot.app.residents import ResidentService, Role
from bot.core.clock import SystemClock
from bot.core.content import load_valid_content
from bot.core.i18n import Texts
from bot.settings import PROJECT_ROOT

WARD = "tay-ho"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"


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


def service_on(db: Database) -> AnnouncementService:
    return AnnouncementService(
        SqlTransactions(db), SystemClock(), Texts(), load_valid_content(PROJECT_ROOT / "content")
    )


async def open_rows(db: Database) -> tuple[int, int]:
    async with db.session() as s:
        total = (await s.execute(select(func.count()).select_from(OutboxRow))).scalar_one()
        busy = (
            await s.execute(
                select(func.count()).where(OutboxRow.status.in_(("pending", "sending", "withdraw", "deleting")))
            )
        ).scalar_one()
    return int(total), int(busy)


async def child(args: argparse.Namespace) -> int:
    """One worker process: drains the shared outbox until every row reached a final state."""
    db = Database(args.url)
    service = service_on(db)
    bot = Bot("42:BENCH", session=AiohttpSession(api=TelegramAPIServer.from_base(args.fake)))
    limiter: SendLimiter = RedisSendLimiter.from_url(REDIS_URL, args.prefix) if args.prefix else RateLimiter()
    worker = DeliveryWorker(SqlTransactions(db), TelegramSender(bot), service.render, SystemClock(), limiter=limiter)
    print("ready", flush=True)
    while True:
        if await worker.drain() == 0:
            total, busy = await open_rows(db)
            if total and not busy:
                break
            await asyncio.sleep(0.05)
    print(f"sent {worker.sent}", flush=True)
    await bot.session.close()
    await db.close()
    return 0


async def fresh_database(kind: str, tmp: Path) -> tuple[str, str | None]:
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{tmp / 'bench.db'}", None
    name = f"bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(PG_ADMIN)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}", name


async def drop_database(name: str | None) -> None:
    if name:
        conn = await asyncpg.connect(PG_ADMIN)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def main(args: argparse.Namespace) -> int:
    tmp = tempfile.TemporaryDirectory()
    url, pg_name = await fresh_database(args.db, Path(tmp.name))
    fake = FakeBotAPI(limits=Limits())
    await fake.start()
    db = Database(url)
    await db.migrate()
    await populate(db, args.subscribers, args.groups)
    clock = SystemClock()
    residents = ResidentService(SqlTransactions(db), clock)
    official = await residents.identify("telegram", 3001, "Chủ tịch phường")
    await residents.grant(official.id, Role.OFFICIAL, WARD, None)
    official = await residents.identify("telegram", 3001, "Chủ tịch phường")
    service = service_on(db)
    reports: list[str] = []

    async def notify(chat_id: int, screen: object) -> None:
        reports.append(getattr(screen, "text", ""))

    service.notify = notify
    prefix = f"bench:{uuid.uuid4().hex}" if args.workers > 1 else ""
    cmd = [sys.executable, __file__, "--child", "--url", url, "--fake", fake.base_url, "--prefix", prefix]
    procs = [await asyncio.create_subprocess_exec(*cmd, stdout=subprocess.PIPE) for _ in range(args.workers)]
    for p in procs:
        assert p.stdout is not None
        assert (await p.stdout.readline()).strip() == b"ready"
    total = args.subscribers + args.groups
    t_confirm = time.monotonic()
    # urgent, so that quiet hours do not hold private messages back when the benchmark runs at night
    await service.create(
        Draft(ward_id=WARD, text="Thông báo thử tải: lịch tiêm chủng tháng 12.", audience=Audience.WARD, urgent=True),
        official,
    )
    last_print = time.monotonic()
    while any(p.returncode is None for p in procs):
        try:
            await asyncio.wait_for(asyncio.gather(*(p.wait() for p in procs)), timeout=30)
        except TimeoutError:
            pass
        if time.monotonic() - last_print > 30:
            last_print = time.monotonic()
            print(f"  … {len(fake.sent)}/{total} sent, 429s so far: {fake.too_many}", flush=True)
    per_worker = [(await p.stdout.read()).decode().strip() for p in procs if p.stdout is not None]
    await service.finish_and_report()
    notices = [m for m in fake.sent if m.chat_id != 3001]
    first, last = notices[0].at, notices[-1].at
    counts = Counter(m.chat_id for m in notices)
    duplicates = sum(n - 1 for n in counts.values())
    rate = (len(notices) - 1) / (last - first) if last > first else float("inf")
    print(f"workers:                 {args.workers} process(es), send limits {'in Redis' if prefix else 'in memory'}")
    print(f"database:                {db.url.get_backend_name()}")
    print(f"recipients delivered:    {len(counts)} of {args.subscribers} subscribers + {args.groups} groups = {total}")
    print(f"duplicates:              {duplicates}")
    print(f"429 answers:             {fake.too_many}")
    print(f"sustained msg/s:         {rate:.2f}  (first to last message, {last - first:.1f} s)")
    print(f"confirm → first message: {(first - t_confirm) * 1000:.0f} ms")
    print(f"per worker:              {', '.join(per_worker)}")
    print(f"author's report:         {reports[0].splitlines()[1:3] if reports else 'none'}")
    await db.close()
    await fake.stop()
    await drop_database(pg_name)
    tmp.cleanup()
    ok = len(counts) == total and duplicates == 0 and fake.too_many == 0 and rate >= args.target
    return 0 if ok else 1


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--subscribers", type=int, default=10_000)
    p.add_argument("--groups", type=int, default=300)
    p.add_argument("--workers", type=int, default=1, help="worker processes (more than one share limits in Redis)")
    p.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--target", type=float, default=29.0, help="sustained msg/s below which the run fails")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--url", help=argparse.SUPPRESS)
    p.add_argument("--fake", help=argparse.SUPPRESS)
    p.add_argument("--prefix", default="", help=argparse.SUPPRESS)
    a = p.parse_args()
    code = asyncio.run(child(a) if a.child else main(a))
    sys.stdout.flush()
    os._exit(code)  # do not wait for driver threads at interpreter exit
