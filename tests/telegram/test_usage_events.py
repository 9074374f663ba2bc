"""Usage events: what a resident does in the guides is noted for the ward's overview, one commit per update."""

from __future__ import annotations

from sqlalchemy import event, select

from bot.adapters.db.usage import UsageEventRow
from bot.app.usage import pseudonym
from tests.telegram.test_helpdesk_roundtrip import ask_from_stuck_step, staff_group


async def _events(harness) -> list[tuple[str, str | None, int | None]]:
    async with harness.app.db.session() as s:
        rows = (await s.execute(select(UsageEventRow).order_by(UsageEventRow.id))).scalars().all()
    return [(r.kind, r.guide_id, r.step) for r in rows]


async def test_a_residents_guide_walk_question_and_stuck_step_are_noted_under_a_hashed_key(harness):
    lan = await harness.onboarded()
    assert await _events(harness) == []  # onboarding is not usage

    out = await lan.send("cai ihanoi ntn")
    assert "Bước 1/" in out[-1].text
    await lan.press("Tiếp")
    await lan.press("Tôi bị kẹt")
    out = await lan.send("Giá vàng hôm nay thế nào ạ?")
    assert "chưa hướng dẫn được" in out[-1].text or "Hỏi cán bộ phường" in out[-1].button_labels

    assert await _events(harness) == [
        ("matched", "ihanoi-install", 0),  # her question opened step 1: one row, read as "started" too
        ("step", "ihanoi-install", 1),
        ("stuck", "ihanoi-install", 1),
        ("unanswered", None, None),
    ]
    async with harness.app.db.session() as s:
        rows = (await s.execute(select(UsageEventRow))).scalars().all()
    # the resident is a salted hash of her channel and id (not her id), with her ward and tổ; the day is Hà Nội's
    assert {r.user_key for r in rows} == {pseudonym("test-salt", "telegram:1001")}
    assert pseudonym("test-salt", "telegram:1001") != pseudonym("other-salt", "telegram:1001")
    assert {(r.ward_id, r.neighbourhood) for r in rows} == {("tay-ho", "5")}
    assert {r.day.isoformat() for r in rows} == {"2026-11-25"}


async def test_finishing_a_guide_and_it_did_not_work_are_told_apart(harness):
    lan = await harness.onboarded()
    guide = harness.app.content.guide("ihanoi-install")
    last = len(guide.steps) - 1
    await lan.press_data(f"g:ihanoi-install:{last}")
    out = await lan.press_data("done:ihanoi-install:1")
    assert "Cài ứng dụng iHanoi" in out[-1].text
    await lan.press_data(f"g:ihanoi-install:{last}")
    out = await lan.press_data("done:ihanoi-install:0")
    assert "🙋 Hỏi cán bộ phường" in out[-1].button_labels  # the stuck screen: she is offered help
    assert await _events(harness) == [
        ("step", "ihanoi-install", last),
        ("finished", "ihanoi-install", last),
        ("step", "ihanoi-install", last),
        ("stuck", "ihanoi-install", last),
    ]


async def test_a_question_sent_to_staff_from_a_step_is_noted_with_that_step(harness):
    await staff_group(harness)
    lan = await harness.onboarded()
    out = await ask_from_stuck_step(harness, lan, "cháu ơi không nhận được mã")
    assert "#1" in out[-1].text
    assert ("asked", "vneid-activate", 1) in await _events(harness)


async def test_every_update_of_a_guide_walk_commits_at_most_once(harness):
    lan = await harness.onboarded()
    commits: list[int] = []
    event.listen(harness.app.db.engine.sync_engine, "commit", lambda _conn: commits.append(1))
    for act in (
        lambda: lan.send("cai ihanoi ntn"),
        lambda: lan.press("Tiếp"),
        lambda: lan.press("Tôi bị kẹt"),
        lambda: lan.send("Giá vàng hôm nay thế nào ạ?"),
        lambda: lan.press_data("done:ihanoi-install:0"),
    ):
        before = len(commits)
        await act()
        assert len(commits) - before == 1
    events = await _events(harness)
    last = len(harness.app.content.guide("ihanoi-install").steps) - 1
    assert len(events) == 5 and events[-1] == ("stuck", "ihanoi-install", last)
