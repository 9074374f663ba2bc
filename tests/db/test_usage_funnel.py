"""Usage events recorded before migration 0007_funnel get their funnel label on upgrade, so the overview's
drop-off chart (which counts by that label) keeps its history."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import select

from bot.adapters.db.db import Database, alembic_config
from bot.adapters.db.usage import UsageEventRow
from bot.app.usage import FUNNEL

AT = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)


def _upgrade_to(connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


async def test_events_from_before_the_funnel_column_are_labelled_on_upgrade(tmp_path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(_upgrade_to, "0005_webparts")  # usage_events as it was, without `funnel`
        old = [
            ("started", "vneid-activate", 0),
            ("matched", "vneid-activate", 0),
            ("step", "vneid-activate", 2),
            ("stuck", "vneid-activate", 2),
            ("asked", "vneid-activate", 2),
            ("asked", None, None),  # a question to staff from no guide: in no funnel
            ("finished", "vneid-activate", 4),
            ("unanswered", None, None),
        ]
        async with db.engine.begin() as conn:
            for kind, guide, step in old:
                await conn.exec_driver_sql(
                    "INSERT INTO usage_events (kind, user_key, guide_id, step, at, day) VALUES (?, 7, ?, ?, ?, ?)",
                    (kind, guide, step, AT.isoformat(), AT.date().isoformat()),
                )
        await db.migrate()  # every head, 0007_funnel among them
        async with db.session() as s:
            rows = (await s.execute(select(UsageEventRow.kind, UsageEventRow.guide_id, UsageEventRow.funnel))).all()
        assert [(k, f) for k, _, f in rows] == [
            ("started", "reached"),
            ("matched", "reached"),
            ("step", "reached"),
            ("stuck", "stuck"),
            ("asked", "asked"),
            ("asked", None),
            ("finished", "finished"),
            ("unanswered", None),
        ]
        # the migration's frozen mapping is the code's
        assert {k: f for k, g, f in rows if f} == FUNNEL
    finally:
        await db.close()
