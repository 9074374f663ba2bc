"""Residents' updates handled concurrently, as polling does with one getUpdates batch (issue 17).

Fed through the real dispatcher against the fake Bot API, on SQLite and on PostgreSQL: every question
gets its answer, nobody gets the apology, and the database ends consistent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.adapters.db.users import ProgressRow, UserRow
from tests.conftest import make_settings
from tests.harness import Harness

APOLOGY = "cháu vừa gặp lỗi"
MATCHED = "Cháu tìm thấy hướng dẫn phù hợp"
QUESTIONS = {  # one resident's four questions, each opening a different guide
    "dvc-pay": "Nộp phí, lệ phí, tiền phạt trực tuyến",
    "epay-qr": "trả tiền bằng mã QR (VietQR) thế nào",
    "ihanoi-install": "Cài ứng dụng iHanoi",
    "scam-safety": "Nhận biết lừa đảo qua điện thoại và cách xử lý",
}


@pytest.fixture
async def any_harness(db_url, fake, clock) -> AsyncIterator[Harness]:
    h = await Harness(make_settings(db_url), fake, clock).start()
    yield h
    await h.stop()


@pytest.mark.slow
async def test_fifty_residents_asking_four_questions_at_once_all_get_their_answers(any_harness):
    h = any_harness
    ids = [5000 + i for i in range(50)]
    actors = [await h.onboarded(uid) for uid in ids]
    before = len(h.fake.sent)
    # 200 updates at once; each resident's four questions race each other
    await asyncio.gather(*(a.send(q) for q in QUESTIONS.values() for a in actors))
    sent = h.fake.sent[before:]
    assert not [m for m in sent if APOLOGY in m.text]
    for uid in ids:
        mine = [m for m in sent if m.chat_id == uid]
        assert sum(MATCHED in m.text for m in mine) == 4, [m.text[:60] for m in mine]
        titles = "\n".join(m.text for m in mine)
        assert all(h.app.content.guides[g].title.vi in titles for g in QUESTIONS)
    async with h.app.db.session() as s:
        rows = (
            await s.execute(
                select(UserRow.external_id, ProgressRow.guide_id, ProgressRow.step, ProgressRow.finished_at)
                .join(ProgressRow, ProgressRow.user_id == UserRow.id)
                .where(UserRow.external_id.in_(ids))
            )
        ).all()
        users = (
            await s.execute(select(func.count()).select_from(UserRow).where(UserRow.external_id.in_(ids)))
        ).scalar()
    assert users == 50
    assert sorted((uid, g) for uid, g, _, _ in rows) == sorted((uid, g) for uid in ids for g in QUESTIONS)
    assert {(step, finished) for _, _, step, finished in rows} == {(0, None)}


async def test_two_first_messages_from_a_new_user_at_once_are_both_answered(any_harness):
    h = any_harness
    a, b = h.actor(6001, "Bác Hùng"), h.actor(6001, "Bác Hùng")
    await asyncio.gather(a.send("/start"), b.send("xin chào"))
    sent = h.fake.messages_to(6001)
    assert not [m for m in sent if APOLOGY in m.text]
    assert len(sent) >= 2
    async with h.app.db.session() as s:
        n = (await s.execute(select(func.count()).select_from(UserRow).where(UserRow.external_id == 6001))).scalar()
    assert n == 1


async def test_a_returning_resident_costs_no_write_when_nothing_changed(harness):
    """identify touches `last_seen_at` at most every few minutes; a question that opens a guide commits once."""
    from sqlalchemy import event

    a = await harness.onboarded(7001)
    commits = []
    event.listen(harness.app.db.engine.sync_engine, "commit", lambda conn: commits.append(1))
    await a.send("/help")
    assert commits == []  # a read-only update: no commit at all
    await a.send("Cài ứng dụng iHanoi")
    assert len(commits) == 1  # the guide progress, nothing else
    harness.clock.advance(minutes=6)
    commits.clear()
    await a.send("/help")
    assert len(commits) == 1  # last_seen_at is refreshed after five minutes


async def test_two_quick_nexts_from_one_resident_move_two_steps_in_order(any_harness):
    """Typed "tiếp" twice at once: without per-person sequencing both read step 1 and both showed step 2."""
    h = any_harness
    a = await h.onboarded(8001)
    await a.send("Cài ứng dụng iHanoi")
    before = len(h.fake.sent)
    await asyncio.gather(a.send("tiếp"), a.send("tiếp"))
    steps = [m.text.split("Bước ")[1].split("/")[0] for m in h.fake.messages_to(8001, before) if "Bước " in m.text]
    assert steps == ["2", "3"]
    async with h.app.db.session() as s:
        step = (
            await s.execute(
                select(ProgressRow.step)
                .join(UserRow, ProgressRow.user_id == UserRow.id)
                .where(UserRow.external_id == 8001)
            )
        ).scalar_one()
    assert step == 2  # zero-based: the third step
