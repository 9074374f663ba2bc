"""One send path that never silently drops a reply (issue 14 item 1, issue 9's "one send path").

The real dispatcher against a fake Bot API that enforces Telegram's limits (30 msg/s overall, 1 msg/s per
chat, 20 msg/min per group) and answers 429 with `retry_after` past them: every reply arrives, waits for
a 429 instead of being lost, follows a group's migration, is stored when Telegram keeps refusing and is
sent later by the reply worker, and residents chatting during a broadcast get every answer while the
broadcast still completes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import insert, select

from bot.adapters.db.replies import StoredReplyRow
from bot.adapters.db.users import UserRow
from bot.adapters.localchat.fake_api import FakeBotAPI, Limits, Sent
from bot.adapters.telegram import official
from bot.adapters.telegram.replies import ReplyGuard, resender
from bot.adapters.telegram.sender import TelegramSender
from bot.app.notice_model import Audience, Draft
from bot.app.residents import Role
from tests.conftest import make_settings
from tests.harness import Harness

APOLOGY = "cháu vừa gặp lỗi"
LANGUAGE_PROMPT = "Tiếng Việt"  # the first screen's button: /start was answered


@pytest.fixture
async def limited(sqlite_url, clock) -> AsyncIterator[Harness]:
    fake = FakeBotAPI(limits=Limits())
    await fake.start()
    h = await Harness(make_settings(sqlite_url, telegram_chat_interval=1.05), fake, clock).start()
    yield h
    await h.stop()
    await fake.stop()


def started(m: Sent) -> bool:
    return any(LANGUAGE_PROMPT in label for label in m.button_labels)


def guard(h: Harness) -> ReplyGuard:
    g = h.app.extra["reply_guard"]
    assert isinstance(g, ReplyGuard)
    return g


async def stored(h: Harness) -> list[StoredReplyRow]:
    async with h.app.db.session() as s:
        return list((await s.execute(select(StoredReplyRow).order_by(StoredReplyRow.id))).scalars())


async def test_forty_new_neighbours_pressing_start_at_once_all_get_their_answer(limited):
    """A poster goes up: forty people press /start within the same second."""
    h = limited
    actors = [h.actor(7000 + i, f"Bác {i}") for i in range(40)]
    await asyncio.gather(*(a.send("/start") for a in actors))
    for a in actors:
        mine = h.fake.messages_to(a.chat_id)
        assert any(started(m) for m in mine), a.chat_id
        assert not [m for m in mine if APOLOGY in m.text]
    assert await stored(h) == []  # nobody's reply had to wait for the worker


async def test_a_429_on_a_reply_is_waited_out_and_the_reply_arrives(harness):
    h = harness
    h.fake.fail_next["sendmessage"].append((429, "Too Many Requests: retry after 1", {"retry_after": 1}))
    a = h.actor(7101)
    t0 = time.monotonic()
    await a.send("/start")
    assert time.monotonic() - t0 >= 0.9  # it waited as Telegram asked
    assert any(started(m) for m in h.fake.messages_to(a.chat_id))
    assert guard(h).retried == 1


async def test_a_server_error_is_retried(harness):
    h = harness
    h.fake.fail_next["sendmessage"].extend([(502, "Bad Gateway"), (500, "Internal Server Error")])
    a = h.actor(7102)
    await a.send("/start")
    assert any(started(m) for m in h.fake.messages_to(a.chat_id))
    assert guard(h).retried == 2


async def test_a_reply_telegram_keeps_refusing_is_stored_and_sent_later(harness):
    h = harness
    g = guard(h)
    g.patience = 0.3  # what a person would wait, shortened for the test
    h.fake.fail_next["sendmessage"].append((502, "Bad Gateway"))  # then it gives up: patience
    a = h.actor(7103)
    await a.send("/start")
    mine = h.fake.messages_to(a.chat_id)
    assert not [m for m in mine if APOLOGY in m.text]  # no apology sent on top of a stored reply
    rows = await stored(h)
    assert [(r.chat_id, r.method, r.status) for r in rows] == [(7103, "SendMessage", "pending")]
    assert "Bad Gateway" in (rows[0].error or "")
    assert not any(started(m) for m in mine)  # really not sent yet

    h.clock.advance(seconds=10)
    n = await h.app.replies.send_due(resender(h.bot))
    assert n == 1, [(r.status, r.error, r.attempts) for r in await stored(h)]
    assert any(started(m) for m in h.fake.messages_to(a.chat_id))  # buttons and all
    assert [r.status for r in await stored(h)] == ["sent"]
    assert await h.app.replies.send_due(resender(h.bot)) == 0  # exactly once

    report = await h.app.replies.report()
    assert report.counts == {"sent": 1}


async def test_a_stored_reply_to_someone_who_blocked_the_bot_is_given_up(harness):
    h = harness
    guard(h).patience = 0.2
    h.fake.fail_next["sendmessage"].append((502, "Bad Gateway"))
    a = h.actor(7104)
    await a.send("/start")
    h.fake.blocked.add(a.chat_id)
    h.clock.advance(seconds=10)
    assert await h.app.replies.send_due(resender(h.bot)) == 0
    assert [r.status for r in await stored(h)] == ["gone"]


async def test_a_reply_into_a_group_that_became_a_supergroup_follows_it(harness):
    h = harness
    old, new = -5001, -1005001
    h.fake.migrated[old] = new
    admin = h.actor(9001, "Admin").in_chat(old)  # ADMIN_IDS of the test settings
    await admin.send("/bind_group tay-ho 7")
    assert h.fake.messages_to(new), "the reply went to the supergroup"
    assert not h.fake.messages_to(old)


async def test_a_blocked_resident_is_marked_and_nothing_is_stored(harness):
    h = harness
    a = await h.onboarded(7105)
    h.fake.blocked.add(a.chat_id)
    await a.send("cài iHanoi")
    async with h.app.db.session() as s:
        row = (await s.execute(select(UserRow).where(UserRow.external_id == a.user_id))).scalar_one()
    assert row.blocked
    assert await stored(h) == []


@pytest.mark.slow
async def test_residents_chatting_during_a_broadcast_get_every_answer_and_the_broadcast_completes(limited):
    """20 residents ask three questions each while a notice goes to 300 subscribers (Telegram's limits on)."""
    h = limited
    chatters = [await h.onboarded(7200 + i) for i in range(20)]
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "channel": "telegram",
            "external_id": 20_000_000 + i,
            "display_name": f"U{i}",
            "lang": "vi",
            "ward_id": "tay-ho",
            "neighbourhood": str(1 + i % 10),
            "onboarded": True,
            "subscribed": True,
            "blocked": False,
            "created_at": now,
            "last_seen_at": now,
        }
        for i in range(300)
    ]
    async with h.app.db.session() as s:
        await s.execute(insert(UserRow), rows)
    author = await h.app.residents.identify("telegram", 3001, "Chủ tịch phường")
    await h.app.residents.grant(author.id, Role.OFFICIAL, "tay-ho", None)
    author = await h.app.residents.identify("telegram", 3001, "Chủ tịch phường")
    runner = h.app.notices
    runner.attach(TelegramSender(h.bot), official.notifier(h.bot))  # the app's shared limiter, as in production
    await h.app.announcements.create(
        Draft(ward_id="tay-ho", text="Lịch tiêm chủng tháng 12.", audience=Audience.WARD, urgent=True), author
    )
    before = len(h.fake.sent)
    broadcast = asyncio.create_task(runner.pump())
    await asyncio.sleep(1.0)  # the broadcast is under way

    async def chat(a) -> list[str]:  # type: ignore[no-untyped-def]
        got = []
        for q in ("cài iHanoi", "quên mật khẩu VNeID", "nộp hồ sơ trực tuyến"):
            answers = await a.send(q)
            got.append(" ".join(m.text for m in answers))
        return got

    answers = await asyncio.gather(*(chat(a) for a in chatters))
    await asyncio.wait_for(broadcast, timeout=120)
    for got in answers:
        assert all(text.strip() for text in got), got  # every question answered, none lost
        assert not [t for t in got if APOLOGY in t]
    notices = [m for m in h.fake.sent[before:] if "Lịch tiêm chủng" in m.text]
    assert len({m.chat_id for m in notices}) == len(notices) == 320  # 300 + the 20 chatters, once each
    assert await stored(h) == []


async def test_staff_see_stored_replies_with_bot_stats_replies(harness, sqlite_url):
    import io

    from bot.cli import build_parser
    from bot.cli_stats import run_reply_stats

    h = harness
    out = io.StringIO()
    assert await run_reply_stats(sqlite_url, out) == 0
    assert "every reply went out at once" in out.getvalue()

    guard(h).patience = 0.2
    h.fake.fail_next["sendmessage"].append((502, "Bad Gateway"))
    await h.actor(7106).send("/start")
    out = io.StringIO()
    await run_reply_stats(sqlite_url, out, days=60)  # the harness's clock stands in late November
    text = out.getvalue()
    assert "Replies stored in the last 60 days: 1 (pending 1)" in text
    assert "chat 7106 SendMessage pending: TelegramServerError: Bad Gateway" in text
    assert build_parser().parse_args(["stats", "replies"]).func.__name__ == "_reply_stats"
