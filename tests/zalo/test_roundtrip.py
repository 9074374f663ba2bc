"""The pieces together, through the fake server: a resident walks a hand-built three-step
guide on Zalo with numbers and words only. A tiny stand-in for the future ZaloChannel keeps
the last screen per chat (docs/zalo.md, "Design"), decodes replies with parse_reply and
answers with rendered screens."""

from __future__ import annotations

import asyncio

from bot.adapters.localchat.fake_zalo import FakeZaloAPI
from bot.adapters.zalo.client import Update, ZaloClient
from bot.adapters.zalo.polling import ZaloPoller
from bot.adapters.zalo.render import parse_reply, render
from bot.core.screens import Button, Screen, rows

CHAT = "6ede9afa66b88fe6d6a9"
MENU = Button("🏠 Về menu", "menu")


def step(n: int) -> Screen:
    back = Button("◀ Quay lại", f"g:demo:{n - 1}") if n > 0 else None
    nxt = Button("Tiếp ▶", f"g:demo:{n + 1}") if n < 2 else Button("✅ Làm được rồi", "done:demo:1")
    body = f"📘 Hướng dẫn thử\nBước {n + 1}/3\n\n" + ("Nội dung bước. " * 200 if n == 1 else "Nội dung bước.")
    return Screen(
        body, rows([b for b in (back, nxt) if b], Button("😟 Tôi bị kẹt ở bước này", f"stuck:demo:{n}"), MENU)
    )


def screen_for(action: str) -> Screen:
    kind, *rest = action.split(":")
    if kind == "g":
        return step(int(rest[1]))
    if kind == "stuck":
        return Screen("Không sao ạ. Bác gõ câu hỏi, cán bộ phường sẽ trả lời.", rows(MENU))
    if kind == "done":
        return Screen("🎉 Tuyệt vời! Bác đã làm xong.", rows(MENU))
    return Screen("📋 Bác cần giúp gì?", rows(Button("📘 Hướng dẫn thử", "g:demo:0")))


async def test_a_resident_finishes_a_guide_with_numbers_and_words(zalo: FakeZaloAPI, client: ZaloClient) -> None:
    zalo.max_poll_wait = 0.05
    last: dict[str, Screen] = {}
    handled = 0

    async def on_update(u: Update) -> None:
        nonlocal handled
        assert u.message is not None
        chat = u.message.chat.id
        action = parse_reply(u.text or "", last[chat]) if chat in last else None
        screen = screen_for(action or "menu")
        await client.send_chat_action(chat)
        await client.send_text(chat, render(screen))
        if screen.buttons:
            last[chat] = screen
        handled += 1

    poller = ZaloPoller(client, on_update, timeout=1)
    task = asyncio.create_task(poller.run())

    async def say(text: str) -> list[str]:
        before = len(zalo.texts_to(CHAT))
        want = handled + 1
        zalo.push_text(CHAT, text)
        for _ in range(500):
            if handled >= want:
                break
            await asyncio.sleep(0.01)
        return zalo.texts_to(CHAT)[before:]

    try:
        assert (await say("chào cháu"))[-1].startswith("📋 Bác cần giúp gì?")
        assert "Bước 1/3" in (await say("1"))[0]
        long_step = await say("tiep")  # step 2 is long: split, the choices in the last part
        assert len(long_step) >= 2 and all(len(t) <= 2000 for t in long_step)
        assert long_step[0].startswith("📘 Hướng dẫn thử\nBước 2/3")
        assert "1. Tiếp ▶\n2. ◀ Quay lại" in long_step[-1] and long_step[-1].endswith(
            f"({len(long_step)}/{len(long_step)})"
        )
        assert "Bước 1/3" in (await say("quay lai"))[0]
        assert "Bước 2/3" in (await say("1"))[0]  # "Tiếp" is 1 on every step
        assert "Bước 1/3" in (await say("2"))[0]  # "Quay lại" is 2
        assert "Bước 2/3" in (await say("1"))[0]
        assert "Bước 3/3" in (await say("Tiếp ạ"))[0]
        assert (await say("làm được rồi"))[0].startswith("🎉")
        assert (await say("0"))[0].startswith("📋")
        assert (await say("1"))[0].startswith("📘")
        assert (await say("kẹt"))[0].startswith("Không sao ạ")
    finally:
        poller.stop()
        await asyncio.wait_for(task, 5)
    assert len(zalo.actions) == handled  # "typing…" before every answer
