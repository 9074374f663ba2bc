"""Shared fixtures: settings on a fresh SQLite file or a fresh PostgreSQL database, the fake Bot API, the harness.

Tests that need PostgreSQL or Redis skip with "PostgreSQL not reachable at host:port" when the service is
absent on a developer's machine; when the `CI` environment variable is set they fail instead, so CI never
passes without having run them. PG_DSN / TEST_REDIS_URL point them at other servers.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import asyncpg
import pytest

from bot.core.clock import FixedClock
from bot.settings import PROJECT_ROOT, Settings

if TYPE_CHECKING:  # imported by the fixtures that need them: a run that needs no bot does not load aiogram
    from bot.adapters.localchat.fake_api import FakeBotAPI
    from tests.harness import Harness

PG_DSN = os.environ.get("PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@functools.cache
def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def require_service(name: str, url: str, default_port: int) -> None:
    """Skip (fail in CI) unless something listens at the service's host:port."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or default_port
    if not _reachable(host, port):
        reason = f"{name} not reachable at {host}:{port}"
        if in_ci():
            pytest.fail(f"{reason} (CI is set: this test must run, start the service)", pytrace=False)
        pytest.skip(reason)


def _pg_database_url(name: str) -> str:
    """The SQLAlchemy URL of database `name` on the PG_DSN server."""
    return f"postgresql+asyncpg://{urlsplit(PG_DSN).netloc}/{name}"


async def _create_pg_database() -> str:
    require_service("PostgreSQL", PG_DSN, 5432)
    name = f"t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(PG_DSN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name


async def _drop_pg_database(name: str) -> None:
    conn = await asyncpg.connect(PG_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def run_slow() -> bool:
    return in_ci() or os.environ.get("RUN_SLOW", "").strip().lower() not in ("", "0", "false", "no")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by the services they use, so `-m "not postgres"` works without marking each by hand;
    skip the `slow` soak tests on a developer's machine (CI runs them: `./scripts/test` stays under 4 min)."""
    skip_slow = pytest.mark.skip(reason="soak test in real time: runs in CI, or with RUN_SLOW=1")
    for item in items:
        if "slow" in item.keywords and not run_slow():
            item.add_marker(skip_slow)
        names = getattr(item, "fixturenames", ())
        callspec = getattr(item, "callspec", None)
        if "pg_url" in names or (callspec and callspec.params.get("db_url") == "postgres"):
            item.add_marker("postgres")
        if "redis_url" in names:
            item.add_marker("redis")


def make_settings(database_url: str, **kw: object) -> Settings:
    values: dict[str, object] = {
        "bot_token": None,
        "content_dir": PROJECT_ROOT / "content",
        "admin_ids": [9001],
        "hash_salt": "test-salt",
        # the fake Bot API has no limits unless a test turns them on (tests/telegram/test_reply_path.py sets
        # Telegram's): the bot need not space its messages to one chat, and the suite does not wait for it
        "telegram_chat_interval": 0.0,
        **kw,
    }
    return Settings(_env_file=None, database_url=database_url, **values)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database at every migration's head, made once per test process: each test copies it
    (a file copy, where migrating a new file costs a tenth of a second; the bot skips migrating a
    database already at head). Migrations themselves run here, once per process, on every run."""
    from bot.adapters.db.db import Database

    path = tmp_path_factory.mktemp("template") / "bot.db"

    async def migrate() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        await db.migrate()
        await db.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # its own event loop, beside the tests' loop
        pool.submit(asyncio.run, migrate()).result()
    return path


def _fresh_sqlite(template: Path, tmp_path: Path) -> str:
    shutil.copyfile(template, tmp_path / "bot.db")
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"


@pytest.fixture
def sqlite_url(tmp_path: Path, _sqlite_template: Path) -> str:
    return _fresh_sqlite(_sqlite_template, tmp_path)


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A throw-away database on the machine's PostgreSQL, dropped afterwards."""
    name = await _create_pg_database()
    yield _pg_database_url(name)
    await _drop_pg_database(name)


@pytest.fixture(params=["sqlite", "postgres"])
async def db_url(request, tmp_path, _sqlite_template) -> AsyncIterator[str]:
    """Runs a storage test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield _fresh_sqlite(_sqlite_template, tmp_path)
    else:
        name = await _create_pg_database()
        yield _pg_database_url(name)
        await _drop_pg_database(name)


@pytest.fixture
def redis_url() -> str:
    """The machine's Redis (tests use random keys and clean up after themselves)."""
    require_service("Redis", REDIS_URL, 6379)
    return REDIS_URL


@pytest.fixture
def clock() -> FixedClock:
    from tests.harness import START

    return FixedClock(START)


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    from bot.adapters.localchat.fake_api import FakeBotAPI

    api = FakeBotAPI()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def harness(sqlite_url, fake, clock) -> AsyncIterator[Harness]:
    from tests.harness import Harness

    h = await Harness(make_settings(sqlite_url), fake, clock).start()
    yield h
    await h.stop()


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config) -> None:
    """`-q` twice (addopts has one) makes pytest drop its "N passed in Xs" line; CI and people read it, so keep it."""
    if config.get_verbosity() < -1:
        parts, _color = terminalreporter.build_summary_stats_line()
        terminalreporter.write_line(", ".join(text for text, _markup in parts))
