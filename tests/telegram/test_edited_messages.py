"""Edited messages (issue 14 #6): in a private chat the corrected text is answered like a new message;
in groups an edit changes nothing (a staff answer already relayed is not relayed twice)."""

from __future__ import annotations

import time
from typing import Any

from tests.telegram.test_helpdesk_roundtrip import GROUP, ticket_in_topic, topic_message


def _text_message(actor, message_id: int, text: str, **extra: Any) -> dict[str, Any]:
    return actor._message(message_id=message_id, text=text, **extra)


async def _edit(actor, message: dict[str, Any], text: str) -> list:
    edited = {**message, "text": text, "edit_date": int(time.time())}
    return await actor.raw({"edited_message": edited})


async def test_a_resident_who_fixes_a_typo_gets_the_answer_to_the_corrected_question(harness):
    lan = await harness.onboarded()
    first = _text_message(lan, 77, "xyzq cái nàyy")
    out = await lan.raw({"message": first})
    assert "📘 Cài ứng dụng iHanoi" not in out[-1].text
    out = await _edit(lan, first, "cài ihanoi như thế nào")
    assert out, "the corrected question must be answered"
    assert "📘 Cài ứng dụng iHanoi" in out[-1].text
    # Telegram only sends edits the bot asked for
    assert "edited_message" in harness.dp.resolve_used_update_types()


async def test_edits_in_groups_are_ignored(harness):
    _, thread = await ticket_in_topic(harness)
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    answer = _text_message(
        ha,
        88,
        "Bác vào Cài đặt ạ.",
        message_thread_id=thread,
        is_topic_message=True,
        reply_to_message=topic_message(thread),
    )
    await ha.raw({"message": answer})
    assert "Cài đặt" in harness.fake.last_to(1001).text
    before = len(harness.fake.sent)
    await _edit(ha, answer, "Bác vào Cài đặt rồi chọn Quên mật khẩu ạ.")
    assert harness.fake.sent[before:] == []
