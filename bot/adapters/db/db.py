"""Engine, sessions and migrations: SQLite by default, PostgreSQL at scale, same code."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
WROTE = "bot_wrote"  # Connection.info key: this transaction wrote something
PG_POOL_SIZE = 10
PG_MAX_OVERFLOW = 20
SQLITE_POOL_SIZE = 2
# A burst (one getUpdates batch, a storm of button taps) waits for a connection rather than failing:
# a late answer beats an apology.
POOL_TIMEOUT = 120


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


@functools.cache
def _heads() -> frozenset[str]:
    """The migrations' heads, read once per process (it imports every migration file)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def _upgrade(connection: Connection) -> None:
    # a database already at every head (each start after the first) is not handed to alembic's
    # command, which would set up its environment for nothing
    if frozenset(MigrationContext.configure(connection).get_current_heads()) == _heads():
        return
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "heads")


class Database:
    """Owns the engine; hands out one session per unit of work."""

    def __init__(self, url: str):
        self.url = make_url(url)
        kwargs: dict[str, object] = {}
        if self.url.get_backend_name() == "sqlite":
            if self.url.database and self.url.database != ":memory:":
                Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30}
            if self.url.database and self.url.database != ":memory:":  # a file: a queue pool
                # SQLite has one writer. With several connections, concurrent updates (a getUpdates
                # batch, a storm of "Đã hiểu" taps) collide on the write lock and SQLite's busy handler
                # sleeps up to 100 ms at a time; queueing them for a few connections in asyncio does not.
                kwargs.update(pool_size=SQLITE_POOL_SIZE, max_overflow=0, pool_timeout=POOL_TIMEOUT)
        else:
            # A sized pool, no per-checkout ping (a round trip on every update); connections are
            # recycled instead, and asyncpg keeps its prepared statements per connection.
            kwargs.update(
                pool_size=PG_POOL_SIZE, max_overflow=PG_MAX_OVERFLOW, pool_recycle=1800, pool_timeout=POOL_TIMEOUT
            )
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(self.engine.sync_engine, "begin", _forget_writes)
        event.listen(self.engine.sync_engine, "before_cursor_execute", _note_write)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    async def migrate(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(_upgrade)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A transaction: committed on success if it wrote anything, rolled back on any error.

        A transaction that only read ends without a COMMIT (its connection goes back to the pool,
        which rolls it back): most updates only read, and a commit is the costly part of a write.
        Records read in it stay usable afterwards (they are detached, not expired).
        """
        async with self.sessions() as s:
            yield s
            if s.in_transaction():
                await s.flush()
                conn = await s.connection()
                if conn.sync_connection is not None and conn.sync_connection.info.pop(WROTE, False):
                    await s.commit()

    async def close(self) -> None:
        await self.engine.dispose()


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    """`INSERT` with `on_conflict_do_nothing` / `on_conflict_do_update` for the session's backend."""
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        return pg_insert(table)
    return sqlite_insert(table)


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(
        "PRAGMA synchronous=NORMAL"
    )  # with WAL: durable across crashes of the process, one fsync per checkpoint
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _forget_writes(conn: Connection) -> None:
    conn.info.pop(WROTE, None)


def _note_write(
    conn: Connection, _cursor: object, statement: str, _params: object, _context: object, _many: bool
) -> None:
    """Marks the connection's transaction as one that must be committed (anything but a SELECT)."""
    if WROTE not in conn.info and statement.lstrip()[:6].upper() != "SELECT":
        conn.info[WROTE] = True
