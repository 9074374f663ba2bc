"""The learning loop (issue 10): a question the bot could not answer, answered by staff with /guide,
reviewed with `bot unanswered review`, is then answered by the bot itself, without a restart."""

from __future__ import annotations

import io

from bot.cli_unanswered import run_assign, run_review, run_unanswered
from tests.telegram.test_helpdesk_roundtrip import GROUP, staff_group, topic_message

QUESTION = "cái máy cứ kêu tít tít suốt đêm"


async def test_a_phrasing_staff_answered_with_a_guide_is_answered_by_the_bot_once_accepted(harness):
    await staff_group(harness)
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    lan = await harness.onboarded()
    out = await lan.send(QUESTION)
    assert "chưa hướng dẫn được" in out[-1].text  # the bot has no guide for it

    await lan.press("Hỏi cán bộ phường")
    await lan.send(QUESTION)
    await lan.press("Gửi cho cán bộ")
    ((thread, _),) = harness.fake.topics[GROUP]
    out = await ha.send("/guide phone-basics", thread_id=thread, reply_to=topic_message(thread))
    assert "Đã gửi hướng dẫn" in out[-1].text and "chờ duyệt" in out[-1].text

    # Not yet reviewed: another resident still gets no guide.
    mai = await harness.onboarded(user_id=1002)
    out = await mai.send("máy cứ kêu tít tít suốt đêm")
    assert "chưa hướng dẫn được" in out[-1].text

    # The reviewer lists and accepts it (another process: the CLI, on the same database).
    listing = io.StringIO()
    assert await run_review(harness.app.settings, listing, [], []) == 0
    assert "[phone-basics] máy cứ kêu tít tít suốt đêm" in listing.getvalue()
    pid = int(listing.getvalue().splitlines()[1].split(".")[0])
    decided = io.StringIO()
    assert await run_review(harness.app.settings, decided, [str(pid)], []) == 0
    assert "accepted [phone-basics]" in decided.getvalue()
    assert await run_review(harness.app.settings, io.StringIO(), [str(pid)], []) == 2  # decided already

    # The running bot's worker notices within its minute; no restart.
    assert await harness.app.learning.refresh()
    out = await mai.send("máy cứ kêu tít tít suốt đêm")
    assert any("Bước 1/" in m.text for m in out)
    assert harness.app.flow.matcher.match(QUESTION).topic == "phone-basics"
    assert not await harness.app.learning.refresh()  # nothing changed since: no rebuild


async def test_unanswered_groups_can_be_assigned_to_a_guide_from_the_command_line(harness):
    lan = await harness.onboarded()
    await lan.send(QUESTION)
    await harness.onboarded(user_id=1002)
    await harness.actor(1002).send("máy bác kêu tít tít suốt đêm")
    report = io.StringIO()
    await run_unanswered(harness.app.settings, report)
    assert "tít tít" in report.getvalue()
    out = io.StringIO()
    assert await run_assign(harness.app.settings, out, 1, "no-such-guide") == 2
    assert "Unknown guide" in out.getvalue()
    assert await run_assign(harness.app.settings, io.StringIO(), 9, "phone-basics") == 2
    out = io.StringIO()
    assert await run_assign(harness.app.settings, out, 1, "phone-basics") == 0
    assert "suggested for phone-basics" in out.getvalue()
    await run_review(harness.app.settings, io.StringIO(), ["all"], [])
    assert await harness.app.learning.refresh()
    assert harness.app.flow.matcher.match("máy kêu tít tít cả đêm").topic == "phone-basics"
