"""Resident stories found by trying the bot as an elderly resident (QA, 2026-11-27)."""
from __future__ import annotations


async def test_resident_who_types_tiep_instead_of_pressing_goes_to_the_next_step(harness):
    # Bác Lan does not see the button and types "tiep" (no diacritics), later "quay lai" and "menu".
    a = await harness.onboarded()
    await a.send("/start ihanoi-install")
    out = await a.send("tiep")
    assert "📘 Cài ứng dụng iHanoi\nBước 2/" in out[-1].text
    out = await a.send("Tiếp.")
    assert "Bước 3/" in out[-1].text
    out = await a.send("quay lai")
    assert "Bước 2/" in out[-1].text
    out = await a.send("ve menu")
    assert "Bác cần giúp gì" in out[-1].text
    # with no guide under way, "tiếp" is not a question either: the menu answers it
    a2 = await harness.onboarded(user_id=1002)
    out = await a2.send("tiep")
    assert "Bác cần giúp gì" in out[-1].text
