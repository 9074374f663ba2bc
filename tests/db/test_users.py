"""Users, roles and guide progress on SQLite and on PostgreSQL, with the same code."""

from __future__ import annotations

import datetime as dt

from bot.adapters.db.db import Database
from bot.adapters.db.uow import SqlTransactions
from bot.adapters.db.users import ProgressRepo
from bot.app.residents import ANY_WARD, ResidentService, Role
from bot.core.clock import FixedClock

T0 = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)


async def test_profile_roles_and_progress_round_trip(db_url):
    db = Database(db_url)
    await db.migrate()
    await db.migrate()  # idempotent at every start
    clock = FixedClock(T0)
    residents = ResidentService(SqlTransactions(db), clock, admin_ids=[77])
    r = await residents.identify("telegram", 1001, "Bác Lan")
    again = await residents.identify("telegram", 1001, "Bác Lan")
    assert r.id == again.id and r.lang is None
    r = await residents.update(r.id, lang="vi", ward_id="tay-ho", neighbourhood="5")
    assert (r.lang, r.ward_id, r.neighbourhood) == ("vi", "tay-ho", "5")
    assert await residents.grant(r.id, Role.STAFF, "tay-ho", by=None)
    assert not await residents.grant(r.id, Role.STAFF, "tay-ho", by=None)
    r = await residents.get(r.id)
    assert r.has_role(Role.STAFF, "tay-ho") and not r.has_role(Role.STAFF, "phu-thuong")
    admin = await residents.identify("telegram", 77, "Admin")
    assert admin.is_admin and admin.has_role(Role.STAFF, "phu-thuong") and (Role.ADMIN, ANY_WARD) in admin.roles
    async with db.session() as s:
        repo = ProgressRepo(s)
        await repo.save(r.id, "ihanoi-install", 2, T0)
        await repo.save(r.id, "epay-qr", 1, T0 + dt.timedelta(minutes=5))
    async with db.session() as s:
        latest = await ProgressRepo(s).latest_unfinished(r.id)
        assert (latest.guide_id, latest.step) == ("epay-qr", 1)
        assert latest.updated_at == T0 + dt.timedelta(minutes=5)
        await ProgressRepo(s).finish(r.id, "epay-qr", True, T0 + dt.timedelta(minutes=9))
    async with db.session() as s:
        latest = await ProgressRepo(s).latest_unfinished(r.id)
        assert latest.guide_id == "ihanoi-install"
    await db.close()


async def test_a_single_instance_remembers_who_wrote_and_forgets_at_every_change(db_url):
    """`identify` runs for every update; one instance answers a person seen seconds ago from memory,
    but never hides a change it made itself, and sees another process's change once the memory ends."""
    db = Database(db_url)
    await db.migrate()
    clock = FixedClock(T0)
    residents = ResidentService(SqlTransactions(db), clock, cache_for=dt.timedelta(seconds=10))
    other_process = ResidentService(SqlTransactions(db), clock)  # e.g. the `bot` CLI granting a role
    statements: list[str] = []

    def count(_conn, _cur, statement, *_args):
        statements.append(statement)

    from sqlalchemy import event

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    lan = await residents.identify("telegram", 1001, "Bác Lan")
    statements.clear()
    assert await residents.identify("telegram", 1001, "Bác Lan") == lan
    assert statements == []  # answered from memory: no transaction at all

    lan = await residents.update(lan.id, ward_id="tay-ho", onboarded=True)
    seen = await residents.identify("telegram", 1001, "Bác Lan")
    assert seen.ward_id == "tay-ho" and seen.onboarded  # its own change is seen at once
    await residents.grant(lan.id, Role.STAFF, "tay-ho", by=None)
    assert (await residents.identify("telegram", 1001, "Bác Lan")).has_role(Role.STAFF, "tay-ho")
    await residents.revoke(lan.id, Role.STAFF, "tay-ho")
    assert not (await residents.identify("telegram", 1001, "Bác Lan")).has_role(Role.STAFF, "tay-ho")
    assert (await residents.identify("telegram", 1001, "Lan Nguyễn")).display_name == "Lan Nguyễn"  # a new name

    await other_process.grant(lan.id, Role.OFFICIAL, "tay-ho", by=None)
    assert not (await residents.identify("telegram", 1001, "Lan Nguyễn")).has_role(Role.OFFICIAL, "tay-ho")
    clock.advance(seconds=10)
    assert (await residents.identify("telegram", 1001, "Lan Nguyễn")).has_role(Role.OFFICIAL, "tay-ho")
    await db.close()
