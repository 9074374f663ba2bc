"""Long texts (issue 14 #4): questions and staff answers up to Telegram's 4,096 characters go through whole;
a text the bot sends over the limit is split on paragraphs with "(1/2)", "(2/2)" markers."""

from __future__ import annotations

import re

from tests.telegram.test_helpdesk_roundtrip import GROUP, staff_group, ticket_in_topic, topic_message

MARKER = re.compile(r"\n\((\d+)/(\d+)\)$")


def _long(words: str, paragraphs: int, sentences: int = 10) -> str:
    return "\n\n".join(
        " ".join(f"{words} {p}.{s} có nhiều chi tiết cần cán bộ xem kỹ giúp." for s in range(sentences))
        for p in range(paragraphs)
    )


def _joined(parts: list[str]) -> str:
    """The parts of a split message, markers removed, glued back on their paragraph breaks."""
    return "\n\n".join(MARKER.sub("", p) for p in parts)


async def test_a_long_question_reaches_staff_whole_and_the_resident_is_told(harness):
    await staff_group(harness)
    question = _long("Bác hỏi về giấy tờ", 6)  # ~4,000 characters: one Telegram message
    assert 3500 < len(question) <= 4096
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send(question)
    out = await lan.press("Gửi cho cán bộ")
    assert any("chuyển nguyên văn" in m.text for m in out), [m.text for m in out]
    in_group = [m.text for m in harness.fake.sent if m.chat_id == GROUP]
    assert all(len(t) <= 4096 for t in in_group)
    card = [t for t in in_group if "Phiếu #1" in t or MARKER.search(t)]
    assert question in _joined(card).replace("💬 ", "")
    # a long follow-up is forwarded whole too
    more = _long("Bác nói thêm", 5)
    out = await lan.send(more)
    assert "chuyển nguyên văn" in out[0].text
    assert more in "\n\n".join(m.text for m in harness.fake.sent if m.chat_id == GROUP).replace("\n(1/2)", "")
    # a short one is just "forwarded"
    out = await lan.send("cảm ơn cán bộ")
    assert not any("chuyển nguyên văn" in m.text for m in out)


async def test_a_long_staff_answer_reaches_the_resident_in_marked_parts(harness):
    _, thread = await ticket_in_topic(harness)
    answer = _long("Bác làm theo bước", 6) + "\n\n" + ("Cuối cùng bác bấm Lưu. " * 9).strip()
    assert 4000 < len(answer) <= 4096  # with "Cán bộ phường trả lời:" and the footer, over the limit
    before = len(harness.fake.sent)
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    await ha.send(answer, thread_id=thread, reply_to=topic_message(thread))
    parts = harness.fake.messages_to(1001, before)
    assert [MARKER.search(p.text).groups() for p in parts] == [("1", "2"), ("2", "2")]  # type: ignore[union-attr]
    assert all(len(p.text) <= 4096 for p in parts)
    assert answer in _joined([p.text for p in parts])
    assert parts[0].buttons == [] and parts[-1].buttons  # the ticket's buttons under the last part
