"""Dispatch benchmark (issue 17): how much of a bare aiogram bot's speed the project keeps per update.

Two dispatchers in one process, fed the same way with `Dispatcher.feed_update` through a stub Bot API
session (a `BaseSession` that serialises each request like the real client and parses a canned JSON
answer, no network), interleaved, at least 3 repeats:

- bare:    an aiogram echo bot (one handler, `message.answer(message.text)`);
- project: `bootstrap.build_app` + `build_dispatcher`, exactly as `bot run` builds them (background
           services not started: they are not part of handling an update).

1,000 free-text questions (built from the guides' titles and keywords, with variations; none repeated)
from 100 onboarded residents. Per bot it prints: updates/s and CPU ms per update (one at a time),
p50/p99 one at a time, p99 when fed as concurrent batches of 100 (like one getUpdates batch), peak RSS,
and for the project database commits and transactions per update (SQLAlchemy engine events). The last
line is `project/bare throughput: X.X %`.

    .venv/bin/python benchmarks/dispatch_bench.py                  # SQLite in a temporary directory
    .venv/bin/python benchmarks/dispatch_bench.py --db postgresql  # a throw-away database on 127.0.0.1:5432
    .venv/bin/python benchmarks/dispatch_bench.py --repeats 5 --questions 1000 --residents 100
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import random
import resource
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.types import Message, Update
from sqlalchemy import event, insert

from bot.adapters.db.users import UserRow
from bot.bootstrap import build_app, build_dispatcher, make_fsm_storage
from bot.core.content import load_valid_content
from bot.core.i18n import Texts
from bot.settings import PROJECT_ROOT, Settings

PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"
TOKEN = "42:BENCH"
FIRST_RESIDENT = 70_000_000
WARD = "tay-ho"


# --- the stub Bot API -------------------------------------------------------------------------------


class StubSession(BaseSession):
    """Serialises every request as the aiohttp session does (each field through `prepare_value`, nested
    objects as JSON) and parses a canned JSON response through `check_response`, like the real client."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: Counter[int] = Counter()  # messages sent per chat
        self.texts: list[str] = []
        self.calls = 0
        self._message_id = 0

    async def close(self) -> None:
        pass

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:  # noqa: ASYNC109
        files: dict[str, Any] = {}
        form: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if prepared:
                form[key] = prepared
        self.calls += 1
        returning = method.__returning__
        if returning is Message:
            self._message_id += 1
            chat_id = int(form.get("chat_id", 0))
            self.sent[chat_id] += 1
            self.texts.append(str(form.get("text") or form.get("caption") or ""))
            result: Any = {
                "message_id": self._message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                "text": form.get("text", ""),
            }
        else:  # answerCallbackQuery, editMessageReplyMarkup (Message | bool), setMyCommands, ...
            result = True
        content = self.json_dumps({"ok": True, "result": result})
        return self.check_response(bot, method, 200, content).result

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""


# --- the workload -----------------------------------------------------------------------------------

PREFIXES = ["", "", "cho tôi hỏi ", "cháu ơi ", "làm sao để ", "hướng dẫn ", "bác muốn ", "mình cần ", "chỉ giúp "]
SUFFIXES = ["", "", " ạ", " như thế nào", " với", " được không", " thế nào vậy", " ở đâu", " nhé", "?"]
FILLERS = ["giá vàng hôm nay", "mấy giờ phường mở cửa", "trời có mưa không", "con mèo nhà tôi bị ốm"]


def _plain(text: str) -> str:
    from bot.core.normalize import strip_diacritics

    return strip_diacritics(text)


def questions(n: int, seed: int = 17) -> list[str]:
    """`n` different questions from guide titles and keywords, with prefixes, suffixes, no diacritics,
    keyword pairs and a few off-topic ones (declined or unsure: logged for editors)."""
    content = load_valid_content(PROJECT_ROOT / "content")
    rng = random.Random(seed)
    bases: list[str] = []
    for g in content.guides.values():
        bases.append(g.title.vi.lower())
        bases += [k for k in g.keywords]
    bases += FILLERS
    out: dict[str, None] = {}
    tries = 0
    while len(out) < n and tries < n * 100:
        tries += 1
        base = rng.choice(bases)
        if rng.random() < 0.15:
            base = f"{base} {rng.choice(bases)}"
        q = f"{rng.choice(PREFIXES)}{base}{rng.choice(SUFFIXES)}".strip()
        if rng.random() < 0.25:
            q = _plain(q)
        if rng.random() < 0.2:
            q = q.capitalize()
        out.setdefault(q, None)
    if len(out) < n:
        raise SystemExit(f"could only build {len(out)} different questions")
    return list(out)


class Updates:
    def __init__(self, residents: int) -> None:
        self.residents = residents
        self.next_id = 1

    def message(self, user_id: int, text: str) -> Update:
        self.next_id += 1
        user = {"id": user_id, "is_bot": False, "first_name": f"Cư dân {user_id % 1000}", "language_code": "vi"}
        return Update.model_validate(
            {
                "update_id": self.next_id,
                "message": {
                    "message_id": self.next_id,
                    "date": int(time.time()),
                    "chat": {"id": user_id, "type": "private", "first_name": user["first_name"]},
                    "from": user,
                    "text": text,
                },
            }
        )

    def batch(self, qs: list[str]) -> list[Update]:
        return [self.message(FIRST_RESIDENT + i % self.residents, q) for i, q in enumerate(qs)]


# --- the two bots -----------------------------------------------------------------------------------


def bare_dispatcher() -> Dispatcher:
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    dp = Dispatcher()
    dp.include_router(router)
    return dp


async def onboard(db: Any, residents: int) -> None:
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "channel": "telegram",
            "external_id": FIRST_RESIDENT + i,
            "display_name": f"Cư dân {(FIRST_RESIDENT + i) % 1000}",
            "lang": "vi",
            "ward_id": WARD,
            "neighbourhood": str(1 + i % 40),
            "onboarded": True,
            "subscribed": True,
            "blocked": False,
            "created_at": now - dt.timedelta(days=3),
            "last_seen_at": now,
        }
        for i in range(residents)
    ]
    async with db.session() as s:
        await s.execute(insert(UserRow), rows)


class Counters:
    def __init__(self) -> None:
        self.commits = self.begins = self.rollbacks = 0

    def attach(self, engine: Any) -> None:
        event.listen(engine, "commit", lambda conn: self._inc("commits"))
        event.listen(engine, "begin", lambda conn: self._inc("begins"))
        event.listen(engine, "rollback", lambda conn: self._inc("rollbacks"))

    def _inc(self, name: str) -> None:
        setattr(self, name, getattr(self, name) + 1)

    def snapshot(self) -> tuple[int, int, int]:
        return self.commits, self.begins, self.rollbacks


def reset_flood_control(dp: Dispatcher) -> None:
    """Phases follow each other faster than the flood window; a real resident pauses between questions."""
    for observer in dp.observers.values():
        for mw in observer.outer_middleware:
            counter = getattr(mw, "counter", None)
            if counter is not None:
                counter.clear()


# --- measuring --------------------------------------------------------------------------------------


class Result:
    def __init__(self) -> None:
        self.one: list[float] = []  # seconds per update, one at a time
        self.batched: list[float] = []  # seconds from batch arrival to done
        self.wall = 0.0
        self.cpu = 0.0
        self.n = 0
        self.commits = self.begins = 0
        self.rss_kb = 0

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu / self.n

    def line(self, name: str) -> str:
        ups = self.n / self.wall if self.wall else 0.0
        s = (
            f"{name:8} {ups:8.1f} updates/s  CPU {1000 * self.cpu / self.n:6.2f} ms/update  "
            f"p50 {1000 * pct(self.one, 50):6.2f} ms  p99 {1000 * pct(self.one, 99):6.2f} ms  "
            f"batch-of-100 p99 {1000 * pct(self.batched, 99):8.1f} ms  peak RSS {self.rss_kb / 1024:6.1f} MB"
        )
        if name == "project":
            s += f"  commits/update {self.commits / self.n:.2f}  transactions/update {self.begins / self.n:.2f}"
        return s


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


async def one_at_a_time(dp: Dispatcher, bot: Bot, updates: list[Update], res: Result) -> None:
    gc.collect()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for u in updates:
        t0 = time.perf_counter()
        await dp.feed_update(bot, u)
        res.one.append(time.perf_counter() - t0)
    res.wall += time.perf_counter() - wall0
    res.cpu += time.process_time() - cpu0
    res.n += len(updates)


async def in_batches(dp: Dispatcher, bot: Bot, updates: list[Update], res: Result, size: int = 100) -> None:
    gc.collect()

    async def timed(u: Update, t0: float) -> None:
        await dp.feed_update(bot, u)
        res.batched.append(time.perf_counter() - t0)

    for i in range(0, len(updates), size):
        t0 = time.perf_counter()
        await asyncio.gather(*(timed(u, t0) for u in updates[i : i + size]))


def peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def create_pg_database() -> tuple[str, str]:
    import asyncpg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name, f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"


async def drop_pg_database(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def main(args: argparse.Namespace) -> None:
    qs = questions(args.questions)
    apology = Texts()("vi", "common.error")
    slow_down = Texts()("vi", "common.slow_down")
    bare_bot, proj_bot = Bot(TOKEN, session=StubSession()), Bot(TOKEN, session=StubSession())
    bare_dp = bare_dispatcher()
    bare, project = Result(), Result()
    upd = Updates(args.residents)

    # the bare bot's first pass runs before the project is even built: its peak RSS is its own
    await one_at_a_time(bare_dp, bare_bot, upd.batch(qs), Result())  # warm-up
    bare.rss_kb = peak_rss_kb()

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
        proj_dp = build_dispatcher(app, make_fsm_storage(settings))
        await onboard(app.db, args.residents)
        counters = Counters()
        counters.attach(app.db.engine.sync_engine)
        await one_at_a_time(proj_dp, proj_bot, upd.batch(qs), Result())  # warm-up (imports, caches)
        reset_flood_control(proj_dp)
        proj_session: StubSession = proj_bot.session  # type: ignore[assignment]
        proj_session.texts.clear()
        print(
            f"{len(qs)} questions from {args.residents} residents, {args.repeats} repeats, "
            f"project on {app.db.engine.dialect.name}",
            flush=True,
        )
        for rep in range(args.repeats):
            for name, dp, bot, res in (
                ("bare", bare_dp, bare_bot, bare),
                ("project", proj_dp, proj_bot, project),
            ):
                c0, b0, _ = counters.snapshot()
                await one_at_a_time(dp, bot, upd.batch(qs), res)
                reset_flood_control(dp)
                await in_batches(dp, bot, upd.batch(qs), res)
                reset_flood_control(dp)
                if name == "project":
                    c1, b1, _ = counters.snapshot()
                    res.commits += c1 - c0
                    res.begins += b1 - b0
            print(f"  repeat {rep + 1}: bare {bare.n / bare.wall:.0f}/s, project {project.n / project.wall:.0f}/s")
        # commits counted over both phases; the per-update figure uses both phases' updates
        project.commits = round(project.commits / 2)
        project.begins = round(project.begins / 2)
        project.rss_kb = peak_rss_kb()
        apologies = sum(t == apology for t in proj_session.texts)
        slowed = sum(t == slow_down for t in proj_session.texts)
        unanswered = sum(1 for i in range(args.residents) if proj_session.sent[FIRST_RESIDENT + i] == 0)
        print(bare.line("bare"))
        print(project.line("project"))
        print(
            f"project replies: {len(proj_session.texts)} messages, {apologies} apologies, "
            f"{slowed} slow-down notes, {unanswered} residents without any answer"
        )
        # on a busy machine wall-clock rates mostly measure the neighbours; CPU time per update does not
        print(
            f"project/bare CPU-bound throughput (bare CPU ms / project CPU ms): {100 * bare.cpu_ms / project.cpu_ms:.1f} %"
        )
        print(f"project/bare throughput: {100 * (project.n / project.wall) / (bare.n / bare.wall):.1f} %")
    finally:
        await app.close()
        if pg_name:
            await drop_pg_database(pg_name)
        tmp.cleanup()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--questions", type=int, default=1000)
    p.add_argument("--residents", type=int, default=100)
    args = p.parse_args()
    if args.repeats < 1:
        raise SystemExit("--repeats must be at least 1")
    asyncio.run(main(args))
