"""Buttons a resident can read whole on a small phone: ≤ 40 characters, long guide titles shortened."""

from __future__ import annotations

from bot.core.content import BUTTON_MAX


async def test_resume_button_of_the_longest_guide_title_fits(harness):
    a = await harness.onboarded()
    out = await a.send("/start phone-basics")  # "Dùng điện thoại cơ bản: chữ to, Wi-Fi, cài ứng dụng, bộ nhớ"
    assert "Dùng điện thoại cơ bản: chữ to, Wi-Fi" in out[-1].text  # the step keeps the full title
    await a.press("Tiếp")
    out = await a.send("/menu")
    resume = out[-1].button_labels[0]
    assert resume == "▶ Làm tiếp: Dùng điện thoại cơ bản"
    assert all(len(label) <= BUTTON_MAX for label in out[-1].button_labels)
    out = await a.press("Làm tiếp")
    assert "Bước 2/" in out[-1].text


async def test_every_guide_button_in_every_category_fits(harness):
    a = await harness.onboarded()
    menu = await a.send("/menu")
    categories = [label for label in menu[-1].button_labels if not label.startswith(("▶", "🙋", "⚙", "🏠"))]
    seen = 0
    for label in categories:
        out = await a.press(label)
        guides = [g for g in out[-1].button_labels if g.startswith("📘")]
        seen += len(guides)
        assert all(len(g) <= BUTTON_MAX for g in out[-1].button_labels), out[-1].button_labels
        await a.send("/menu")
    assert seen >= 20
