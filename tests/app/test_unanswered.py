"""The unanswered log on a real database: what is stored, what is not, and how editors see it grouped."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select

from bot.adapters.db.db import Database
from bot.adapters.db.unanswered import UnansweredRow
from bot.adapters.db.uow import SqlTransactions
from bot.app.unanswered import UnansweredLog, scrub, user_hash
from bot.cli_unanswered import run_unanswered
from bot.core.content import load_valid_content
from bot.core.matching import Matcher, MatchResult, Outcome
from bot.settings import PROJECT_ROOT
from tests.conftest import make_settings

T0 = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)
SALT = "test-salt"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.build(load_valid_content(PROJECT_ROOT / "content").guides.values())


async def _log(url: str) -> tuple[Database, UnansweredLog]:
    db = Database(url)
    await db.migrate()
    return db, UnansweredLog(SqlTransactions(db), SALT)


async def _rows(db: Database) -> list[UnansweredRow]:
    async with db.session() as s:
        return list((await s.execute(select(UnansweredRow).order_by(UnansweredRow.id))).scalars())


async def test_declined_and_unsure_questions_are_stored_without_the_resident(db_url, matcher):
    db, log = await _log(db_url)
    try:
        declined = matcher.match("Giá vàng hôm nay thế nào ạ?")
        unsure = matcher.match("gửi tiền")
        assert (declined.outcome, unsure.outcome) == (Outcome.NONE, Outcome.UNSURE)
        assert await log.record("tay-ho", "telegram:1001", declined, T0)
        assert await log.record(None, "telegram:1002", unsure, T0 + dt.timedelta(minutes=5))
        first, second = await _rows(db)
        assert (first.ward_id, first.text, first.outcome, first.topic, first.created_at) == (
            "tay-ho",
            "giá vàng hôm nay thế nào",
            "none",
            None,
            T0,
        )
        assert (second.ward_id, second.outcome, second.topic) == (None, "unsure", unsure.topic)
        assert second.created_at == T0 + dt.timedelta(minutes=5)
        # the resident is a salted hash: stable per person, not the id, different with another salt
        assert first.user_hash == user_hash(SALT, "telegram:1001") != user_hash("other", "telegram:1001")
        assert "1001" not in first.user_hash
    finally:
        await db.close()


async def test_confident_answers_and_empty_questions_are_not_stored(db_url, matcher):
    db, log = await _log(db_url)
    try:
        assert not await log.record("tay-ho", "u1", matcher.match("cai ihanoi ntn"), T0)
        assert not await log.record("tay-ho", "u1", matcher.match("😀😀 !!!"), T0)
        assert await _rows(db) == []
    finally:
        await db.close()


async def test_long_numbers_are_not_stored(db_url):
    db, log = await _log(db_url)
    try:
        result = MatchResult("...", "số căn cước 001234567890 tổ 5 sđt 0912345678", Outcome.NONE, None, 12.0, [])
        await log.record("phu-thuong", "u1", result, T0)
        (row,) = await _rows(db)
        assert row.text == "số căn cước tổ 5 sđt"
    finally:
        await db.close()


def test_scrub_keeps_short_numbers():
    assert scrub("mức 2 tổ 15 mã 123456") == "mức 2 tổ 15 mã"


async def test_report_groups_similar_questions_biggest_first(db_url, matcher):
    db, log = await _log(db_url)
    try:
        asked = [
            ("u1", "giá vàng hôm nay"),
            ("u2", "giá vàng hôm nay"),
            ("u3", "Gia vang hom nay bao nhieu"),
            ("u1", "giá vàng sjc hôm nay"),
            ("u4", "giá xăng hôm nay"),
            ("u5", "giá xăng hôm nay"),
            ("u6", "thời tiết ngày mai"),
            ("u6", "xin chào"),
        ]
        for i, (user, question) in enumerate(asked):
            await log.record(
                "tay-ho" if i % 2 else "phu-thuong", user, matcher.match(question), T0 + dt.timedelta(hours=i)
            )
        groups = await log.report(limit=10)
        gold, petrol = groups[0], groups[1]
        assert gold.text == "giá vàng hôm nay"
        assert gold.count == 4 and gold.people == 3 and gold.declined == 4
        assert set(gold.examples) == {"gia vang hom nay bao nhieu", "giá vàng sjc hôm nay"}
        assert gold.wards == ("phu-thuong", "tay-ho")
        # one letter apart, another question: petrol is not gold
        assert (petrol.text, petrol.count, petrol.people) == ("giá xăng hôm nay", 2, 2)
        assert {g.text for g in groups[2:]} == {"thời tiết ngày mai", "xin chào"}
        assert gold.last_seen == T0 + dt.timedelta(hours=3)
        assert len(await log.report(limit=1)) == 1
        # only what was asked since a moment; equally asked: the most recent first
        recent = await log.report(limit=10, since=T0 + dt.timedelta(hours=5))
        assert [(g.text, g.count) for g in recent] == [
            ("xin chào", 1),
            ("thời tiết ngày mai", 1),
            ("giá xăng hôm nay", 1),
        ]
    finally:
        await db.close()


async def test_one_shared_word_does_not_make_questions_alike(db_url, matcher):
    db, log = await _log(db_url)
    try:
        for user, question in [("u1", "vàng"), ("u2", "giá vàng hôm nay"), ("u3", "vàng bạc đá quý")]:
            await log.record(None, user, MatchResult(question, question, Outcome.NONE, None, 0.0, []), T0)
        assert sorted(g.count for g in await log.report()) == [1, 1, 1]
    finally:
        await db.close()


async def test_unsure_groups_name_the_guide_the_matcher_leaned_to(db_url, matcher):
    db, log = await _log(db_url)
    try:
        r = MatchResult("q", "gửi tiền cho con", Outcome.UNSURE, "epay-bank-app", 48.0, [])
        await log.record("tay-ho", "u1", r, T0)
        await log.record("tay-ho", "u2", r, T0)
        (g,) = await log.report()
        assert (g.guess, g.declined, g.count, g.people) == ("epay-bank-app", 0, 2, 2)
    finally:
        await db.close()


def test_a_salt_is_required():
    with pytest.raises(ValueError):
        UnansweredLog(SqlTransactions(Database("sqlite+aiosqlite://")), "")


async def test_cli_lists_the_groups(sqlite_url, matcher):
    settings = make_settings(sqlite_url)
    out = io.StringIO()
    assert await run_unanswered(settings, out, 5) == 0
    assert "No unanswered questions" in out.getvalue()

    db, log = await _log(sqlite_url)
    try:
        for user in ("u1", "u2", "u3"):
            await log.record("tay-ho", user, matcher.match("kết quả xổ số miền bắc"), T0)
        await log.record("tay-ho", "u1", matcher.match("gửi tiền"), T0)
    finally:
        await db.close()
    out = io.StringIO()
    assert await run_unanswered(settings, out, 5) == 0
    text = out.getvalue()
    assert "3×   3 people  kết quả xổ số miền bắc" in text
    assert text.index("xổ số") < text.index("gửi tiền")
    assert "closest guide" in text


async def test_a_report_for_some_wards_leaves_out_the_phrasings_decided_there(db_url):
    db, log = await _log(db_url)
    try:
        async with SqlTransactions(db)() as tx:
            for ward, text in (("tay-ho", "giá vàng hôm nay"), ("phu-thuong", "giá vàng hôm nay"), (None, "xem bói")):
                await tx.unanswered.add(
                    ward_id=ward, user_hash="h", text=text, outcome="none", topic=None, score=0.0, created_at=T0
                )
            await tx.unanswered.decide("tay-ho", ["giá vàng hôm nay"], "out_of_scope", None, 7, T0)
        everything = await log.report()
        assert [(g.text, g.count) for g in everything] == [("giá vàng hôm nay", 2), ("xem bói", 1)]
        tay_ho = await log.report(wards={"tay-ho"}, skip_decided=True)
        assert tay_ho == []
        both = await log.report(wards={"tay-ho", "phu-thuong"}, skip_decided=True)
        assert [(g.text, g.count, g.wards) for g in both] == [("giá vàng hôm nay", 1, ("phu-thuong",))]
        async with SqlTransactions(db)() as tx:
            await tx.unanswered.decide(None, ["xem bói"], "out_of_scope", None, 7, T0)  # an admin, every ward
            assert await tx.unanswered.decided({"phu-thuong"}) == {(None, "xem bói")}
        assert [g.text for g in await log.report(skip_decided=True)] == ["giá vàng hôm nay"]
    finally:
        await db.close()
