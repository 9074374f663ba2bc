"""The same screens, two renderers: every step of every guide in content/ renders for Zalo within 2,000
characters per message, and every numbered choice reads back to the very action its Telegram button carries."""

from __future__ import annotations

from bot.adapters.zalo.client import MAX_TEXT
from bot.adapters.zalo.render import MENU_NUMBER, STUCK_NUMBER, choices, parse_reply, render
from bot.core.text_split import split_text


async def test_every_guide_step_renders_and_reads_back_on_zalo(harness) -> None:
    app = harness.app
    r = await app.residents.identify("zalo", 1, "Bác Hoa")
    r = await app.residents.update(r.id, lang="vi", ward_id="tay-ho", neighbourhood="5", onboarded=True)
    screens = [await app.flow.menu(r)]
    for guide in app.content.guides.values():
        for n in range(len(guide.steps)):
            screens += await app.flow.open_guide(r, guide, n)
    assert len(screens) > 100
    for s in screens:
        text = render(s)
        assert all(len(part) <= MAX_TEXT for part in split_text(text, MAX_TEXT))
        cs = choices(s)
        actions = {b.action for row in s.buttons for b in row if b.action is not None}
        assert {c.action for c in cs} == actions  # nothing a Telegram button does is missing on Zalo
        for c in cs:
            assert f"{c.number}. {c.label}" in text
            assert parse_reply(str(c.number), s) == c.action
        if any(a.startswith("stuck:") for a in actions):
            assert parse_reply("kẹt", s) is not None and parse_reply("kẹt", s).startswith("stuck:")  # type: ignore[union-attr]
            assert any(c.number == STUCK_NUMBER for c in cs)
        nxt = [c for c in cs if "tiếp" in c.label.casefold() and c.action.startswith("g:")]
        if nxt:  # "Tiếp ▶" / "✅ Được rồi, tiếp ▶" is 1, and the word works too
            assert nxt[0].number == 1 and parse_reply("tiếp", s) == nxt[0].action
        back = [c for c in cs if "quay lại" in c.label.casefold()]
        if back:
            assert parse_reply("quay lại", s) == back[0].action
        if "menu" in actions:
            assert parse_reply("menu", s) == "menu" and any(c.number == MENU_NUMBER for c in cs)
