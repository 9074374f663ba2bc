"""Shared fixtures: settings on a fresh SQLite file or a fresh PostgreSQL database, the fake Bot API, the harness."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from bot.adapters.localchat.fake_api import FakeBotAPI
from bot.core.clock import FixedClock
from bot.settings import PROJECT_ROOT, Settings
from tests.harness import START, Harness

PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"


def make_settings(database_url: str, **kw: object) -> Settings:
    values: dict[str, object] = {
        "bot_token": None,
        "content_dir": PROJECT_ROOT / "content",
        "admin_ids": [9001],
        "hash_salt": "test-salt",
        **kw,
    }
    return Settings(_env_file=None, database_url=database_url, **values)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A throw-away database on the machine's PostgreSQL, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(PG_DSN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    conn = await asyncpg.connect(PG_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", "postgres"])
async def db_url(request, tmp_path) -> AsyncIterator[str]:
    """Runs a storage test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    else:
        name = f"t_{uuid.uuid4().hex[:12]}"
        conn = await asyncpg.connect(PG_DSN)
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
        conn = await asyncpg.connect(PG_DSN)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    api = FakeBotAPI()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def harness(sqlite_url, fake, clock) -> AsyncIterator[Harness]:
    h = await Harness(make_settings(sqlite_url), fake, clock).start()
    yield h
    await h.stop()
