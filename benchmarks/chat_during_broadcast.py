"""Residents chatting while a ward notice goes out (issue 14): does anyone lose an answer, and does the
broadcast keep its pace?

The whole bot as in production (`build_app`, the real dispatcher, the reply guard, the notice runner and
its delivery worker on one shared send limiter), against the fake Bot API enforcing Telegram's limits
(30 msg/s overall, 1 msg/s per chat, 20 msg/min per group, 429 with retry_after past them), on SQLite.
`--subscribers` residents get the notice; meanwhile `--chatters` residents each ask `--questions`
questions, a few seconds apart.

Prints: answers received / expected (must be equal), replies stored for later (should be 0), answer
latency p50 / p95 / max, the broadcast's sustained rate (first to last notice; target ≥ 25 msg/s), its
duration, duplicates (must be 0) and the 429s the fake answered.

    .venv/bin/python benchmarks/chat_during_broadcast.py                       # 10,000 subscribers, 200 chatting
    .venv/bin/python benchmarks/chat_during_broadcast.py --subscribers 1000 --chatters 50
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
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select

from bot.adapters.db.replies import StoredReplyRow
from bot.adapters.db.users import UserRow
from bot.adapters.localchat.actors import Actor
from bot.adapters.localchat.fake_api import FakeBotAPI, Limits
from bot.app.notice_model import Audience, Draft
from bot.app.residents import Role
from bot.bootstrap import build_app, build_dispatcher, make_bot
from bot.run import start_services, stop_services
from bot.settings import Settings

WARD = "tay-ho"
QUESTIONS = ("cài iHanoi thế nào", "quên mật khẩu VNeID", "nộp hồ sơ trực tuyến ở đâu", "chuyển tiền bằng mã QR")
NOTICE = "Thông báo thử tải: lịch tiêm chủng tháng 12."


def user(external_id: int, now: dt.datetime, subscribed: bool) -> dict[str, object]:
    return {
        "channel": "telegram",
        "external_id": external_id,
        "display_name": f"U{external_id}",
        "lang": "vi",
        "ward_id": WARD,
        "neighbourhood": str(1 + external_id % 40),
        "onboarded": True,
        "subscribed": subscribed,
        "blocked": False,
        "created_at": now,
        "last_seen_at": now,
    }


async def main(args: argparse.Namespace) -> int:
    tmp = tempfile.TemporaryDirectory()
    fake = FakeBotAPI(limits=Limits())
    base = await fake.start()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{Path(tmp.name) / 'bench.db'}",
        telegram_api_url=base,
        hash_salt="benchmark-salt-benchmark-salt-0123456789",
        bot_token="42:BENCH",
    )
    app = await build_app(settings)
    bot = make_bot(settings, "42:BENCH", app)
    dp = build_dispatcher(app)
    now = dt.datetime.now(dt.UTC)
    chatter_ids = [5_000_000 + i for i in range(args.chatters)]
    async with app.db.session() as s:
        rows = [user(10_000_000 + i, now, True) for i in range(args.subscribers)]
        for i in range(0, len(rows), 2000):
            await s.execute(insert(UserRow), rows[i : i + 2000])
        await s.execute(insert(UserRow), [user(c, now, False) for c in chatter_ids])
    official = await app.residents.identify("telegram", 3001, "Chủ tịch phường")
    await app.residents.grant(official.id, Role.OFFICIAL, WARD, None)
    official = await app.residents.identify("telegram", 3001, "Chủ tịch phường")
    app.matcher.warm()
    await start_services(app, bot)

    await app.announcements.create(Draft(ward_id=WARD, text=NOTICE, audience=Audience.WARD, urgent=True), official)
    t0 = time.monotonic()
    while not any(NOTICE in m.text for m in fake.sent):  # the tick fired and delivery began
        await asyncio.sleep(0.05)
    print(f"broadcast started {time.monotonic() - t0:.1f} s after it was confirmed", flush=True)

    rng = random.Random(7)
    latencies: list[float] = []
    missing: list[tuple[int, str]] = []

    async def chat(uid: int) -> None:
        a = Actor(fake, dp, bot, uid, f"U{uid}")
        await asyncio.sleep(rng.uniform(0, args.spread))
        for q in rng.sample(QUESTIONS, args.questions):
            t = time.monotonic()
            answers = await a.send(q)
            if not [m for m in answers if m.text.strip()]:
                missing.append((uid, q))
            latencies.append(time.monotonic() - t)
            await asyncio.sleep(rng.uniform(3, 8))

    await asyncio.gather(*(chat(uid) for uid in chatter_ids))
    print(f"chatting done at {time.monotonic() - t0:.1f} s; waiting for the broadcast", flush=True)
    total = args.subscribers
    while sum(NOTICE in m.text for m in fake.sent) < total:
        await asyncio.sleep(1)
        if time.monotonic() - t0 > args.timeout:
            print("broadcast did not finish in time")
            break
    notices = [m for m in fake.sent if NOTICE in m.text]
    async with app.db.session() as s:
        stored = (await s.execute(select(func.count()).select_from(StoredReplyRow))).scalar_one()
    await stop_services(app)
    await bot.session.close()
    await app.close()
    await fake.stop()

    expected = args.chatters * args.questions
    counts = Counter(m.chat_id for m in notices)
    first, last = notices[0].at, notices[-1].at
    rate = (len(notices) - 1) / (last - first) if last > first else float("inf")
    lat = sorted(latencies)
    print(f"answers received:        {expected - len(missing)} of {expected} ({args.chatters} residents)")
    print(f"replies stored for later: {stored}")
    print(
        f"answer latency:          p50 {statistics.median(lat):.2f} s, "
        f"p95 {lat[int(0.95 * (len(lat) - 1))]:.2f} s, max {lat[-1]:.2f} s"
    )
    print(f"broadcast delivered:     {len(counts)} of {total}, duplicates {sum(n - 1 for n in counts.values())}")
    print(f"broadcast rate:          {rate:.1f} msg/s over {last - first:.0f} s (target ≥ 25)")
    print(f"429 answers from fake:   {fake.too_many}")
    ok = not missing and len(counts) == total and rate >= 25
    return 0 if ok else 1


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--subscribers", type=int, default=10_000)
    p.add_argument("--chatters", type=int, default=200)
    p.add_argument("--questions", type=int, default=3)
    p.add_argument("--spread", type=float, default=60.0, help="seconds over which the chatters start")
    p.add_argument("--timeout", type=float, default=1200.0)
    sys.exit(asyncio.run(main(p.parse_args())))
