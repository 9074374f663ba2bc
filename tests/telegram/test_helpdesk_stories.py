"""Help-desk stories found by trying the bot as an elderly resident and as ward staff (QA, 2026-11-27)."""
from __future__ import annotations

from tests.telegram.test_helpdesk_roundtrip import GROUP, staff_group, topic_message


async def test_resident_who_types_menu_while_asked_for_a_question_gets_the_menu_not_a_draft(harness):
    # Bác Lan pressed "Hỏi cán bộ phường", then changed her mind and typed /menu.
    await staff_group(harness)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    out = await lan.send("/menu")
    assert "Bác cần giúp gì" in out[-1].text
    assert not any("Bác xem lại câu hỏi" in m.text for m in out)
    # Her next words are a question for the guides again, not a question for staff.
    out = await lan.send("cài iHanoi thế nào")
    assert "📘 Cài ứng dụng iHanoi" in out[-1].text
    # A deep link opened while writing opens the guide.
    await lan.send("/menu")
    await lan.press("Hỏi cán bộ phường")
    out = await lan.send("/start scam-safety")
    assert out[-1].text.startswith("📘 ") and "Bước 1/" in out[-1].text
