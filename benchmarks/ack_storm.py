"""The "Đã hiểu" storm (issue 17): a notice reaches 10,000 subscribers, then all of them tap "Đã hiểu"
at once while 100 residents ask questions.

The project's dispatcher is built exactly as `bot run` builds it (`bootstrap.build_app` +
`build_dispatcher`), on a fresh SQLite file (or `--db postgresql`), and fed with `feed_update` through
the same stub Bot API session as `dispatch_bench.py` (it serialises and parses like the real client, no
network). The notice is delivered through the real outbox worker (send limits lifted: delivery speed is
`broadcast_bench.py`'s subject, not this one). Then the taps arrive as getUpdates-sized batches of 100
updates handled concurrently (as polling does), with one resident's question in every batch.

It prints: taps fed, callbacks answered (must equal the taps), acknowledgements counted in the notice's
report (must be exactly 10,000: every tap counted once, a second tap of the same button not again),
taps per second, and the residents' answer latency (p50 / p99 from its batch's arrival; target p99 < 1 s).

    .venv/bin/python benchmarks/ack_storm.py
    .venv/bin/python benchmarks/ack_storm.py --db postgresql --subscribers 10000
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from aiogram.types import Update
from dispatch_bench import (
    FIRST_RESIDENT,
    TOKEN,
    WARD,
    StubSession,
    create_pg_database,
    drop_pg_database,
    pct,
    questions,
)
from sqlalchemy import func, insert, select

from bot.adapters.db.announcements import OutboxRow
from bot.adapters.db.users import UserRow
from bot.adapters.telegram.sender import TelegramSender
from bot.app.announcements import Audience, Draft
from bot.app.delivery import DeliveryWorker, RateLimiter
from bot.app.residents import Role
from bot.bootstrap import build_app, build_dispatcher, make_fsm_storage
from bot.settings import PROJECT_ROOT, Settings

FIRST_SUBSCRIBER = 20_000_000
OFFICIAL = 3001


class CountingSession(StubSession):
    """The stub Bot API, also counting which callback queries were answered."""

    def __init__(self) -> None:
        super().__init__()
        self.answered: set[str] = set()

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:  # noqa: ASYNC109
        if isinstance(method, AnswerCallbackQuery):
            self.answered.add(method.callback_query_id)
        return await super().make_request(bot, method, timeout)


async def populate(db: Any, subscribers: int, residents: int) -> None:
    now = dt.datetime.now(dt.UTC)

    def row(external_id: int, subscribed: bool) -> dict[str, Any]:
        return {
            "channel": "telegram",
            "external_id": external_id,
            "display_name": "Cư dân",  # as in their taps: nothing to update
            "lang": "vi",
            "ward_id": WARD,
            "neighbourhood": str(1 + external_id % 40),
            "onboarded": True,
            "subscribed": subscribed,
            "blocked": False,
            "created_at": now - dt.timedelta(days=3),
            "last_seen_at": now,
        }

    rows = [row(FIRST_SUBSCRIBER + i, True) for i in range(subscribers)]
    rows += [row(FIRST_RESIDENT + i, False) for i in range(residents)]
    async with db.session() as s:
        for i in range(0, len(rows), 2000):
            await s.execute(insert(UserRow), rows[i : i + 2000])


def tap(update_id: int, outbox_id: int, chat_id: int) -> Update:
    user = {"id": chat_id, "is_bot": False, "first_name": "Cư dân", "language_code": "vi"}
    return Update.model_validate(
        {
            "update_id": update_id,
            "callback_query": {
                "id": f"cb{update_id}",
                "from": user,
                "chat_instance": str(chat_id),
                "data": f"an:ack:{outbox_id}",
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private", "first_name": "Cư dân"},
                    "text": "Thông báo",
                },
            },
        }
    )


def question(update_id: int, user_id: int, text: str) -> Update:
    user = {"id": user_id, "is_bot": False, "first_name": "Cư dân", "language_code": "vi"}
    return Update.model_validate(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": int(time.time()),
                "chat": {"id": user_id, "type": "private", "first_name": "Cư dân"},
                "from": user,
                "text": text,
            },
        }
    )


async def main(args: argparse.Namespace) -> int:
    tmp = tempfile.TemporaryDirectory()
    pg_name = None
    if args.db == "postgresql":
        pg_name, url = await create_pg_database()
    else:
        url = f"sqlite+aiosqlite:///{Path(tmp.name) / 'bot.db'}"
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        bot_token=None,
        content_dir=PROJECT_ROOT / "content",
        admin_ids=[9001],
        hash_salt="bench-salt",
        redis_url=None,
    )
    app = await build_app(settings)
    try:
        session = CountingSession()
        bot = Bot(TOKEN, session=session)
        dp = build_dispatcher(app, make_fsm_storage(settings))
        await populate(app.db, args.subscribers, args.residents)
        official = await app.residents.identify("telegram", OFFICIAL, "Chủ tịch phường")
        await app.residents.grant(official.id, Role.OFFICIAL, WARD, None)
        official = await app.residents.identify("telegram", OFFICIAL, "Chủ tịch phường")

        async def notify(chat_id: int, screen: object) -> None:
            pass

        app.announcements.notify = notify
        # the notice, delivered by the real outbox worker (limits lifted: delivery speed is not measured here)
        worker = DeliveryWorker(
            app.announcements.uow,
            TelegramSender(bot),
            app.announcements.render,
            app.clock,
            limiter=RateLimiter(per_second=10**7, pace=10.0**7, per_chat_interval=0.0, per_group=10**7),
        )
        t0 = time.perf_counter()
        notice = await app.announcements.create(
            Draft(
                ward_id=WARD, text="Thông báo: lịch tiêm chủng tháng 12.", audience=Audience.SUBSCRIBERS, urgent=True
            ),
            official,
        )
        while await worker.drain():
            pass
        delivered = session.calls
        print(f"notice delivered:      {delivered} messages in {time.perf_counter() - t0:.1f} s", flush=True)

        async with app.db.session() as s:
            targets = [
                (int(i), int(c))
                for i, c in (
                    await s.execute(select(OutboxRow.id, OutboxRow.chat_id).where(OutboxRow.recipient_kind == "user"))
                ).all()
            ]
        # every subscriber taps once; `--double` of them tap twice (a second tap must not count again)
        taps = [tap(10 + n, oid, chat) for n, (oid, chat) in enumerate(targets)]
        taps += [tap(10 + len(taps) + n, oid, chat) for n, (oid, chat) in enumerate(targets[: args.double])]
        qs = questions(args.residents * 3)
        next_id = 10 + len(taps)
        latencies: list[float] = []
        tap_latencies: list[float] = []

        async def timed(u: Update, t_batch: float, sink: list[float]) -> None:
            await dp.feed_update(bot, u)
            sink.append(time.perf_counter() - t_batch)

        t_storm, cpu_storm, q = time.perf_counter(), time.process_time(), 0
        for i in range(0, len(taps), args.batch - 1):
            t_batch = time.perf_counter()
            jobs = [timed(u, t_batch, tap_latencies) for u in taps[i : i + args.batch - 1]]
            resident = FIRST_RESIDENT + q % args.residents
            jobs.insert(len(jobs) // 2, timed(question(next_id, resident, qs[q % len(qs)]), t_batch, latencies))
            next_id, q = next_id + 1, q + 1
            await asyncio.gather(*jobs)
        storm, cpu = time.perf_counter() - t_storm, time.process_time() - cpu_storm

        async with app.db.session() as s:
            acked = (await s.execute(select(func.count()).where(OutboxRow.acked_at.is_not(None)))).scalar_one()
        report = [(n, sent, ack) for n, sent, ack in await app.announcements.list_for(official) if n.id == notice.id]
        tap_ids = {u.callback_query.id for u in taps if u.callback_query is not None}
        answered = len(tap_ids & session.answered)
        print(f"database:              {app.db.engine.dialect.name}")
        print(f"taps fed:              {len(taps)} ({len(targets)} subscribers, {args.double} tapped twice)")
        print(f"callbacks answered:    {answered} of {len(tap_ids)}")
        print(f"acks in the report:    {report[0][2] if report else 'none'} (rows acknowledged: {acked})")
        print(
            f"storm:                 {storm:.1f} s, {len(taps) / storm:.0f} taps/s (with {q} questions), "
            f"CPU {1000 * cpu / (len(taps) + q):.2f} ms per update"
        )
        print(
            f"tap answered after:    p50 {1000 * pct(tap_latencies, 50):.0f} ms  p99 {1000 * pct(tap_latencies, 99):.0f} ms"
        )
        print(
            f"residents' answers:    p50 {1000 * pct(latencies, 50):.0f} ms  p99 {1000 * pct(latencies, 99):.0f} ms"
            f"  (target p99 < 1000 ms)"
        )
        ok = (
            answered == len(tap_ids)
            and report
            and report[0][2] == len(targets)
            and acked == len(targets)
            and pct(latencies, 99) < 1.0
        )
        print("OK" if ok else "FAILED")
        return 0 if ok else 1
    finally:
        await app.close()
        if pg_name:
            await drop_pg_database(pg_name)
        tmp.cleanup()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    p.add_argument("--subscribers", type=int, default=10_000)
    p.add_argument("--residents", type=int, default=100)
    p.add_argument("--double", type=int, default=200, help="subscribers who tap a second time")
    p.add_argument("--batch", type=int, default=100, help="updates per getUpdates batch")
    raise SystemExit(asyncio.run(main(p.parse_args())))
