"""Linking a resident's Zalo and Telegram with a one-time code: through the fake Zalo Bot API (webhook)
and the real Telegram dispatcher against the fake Bot API."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.adapters.db.linking import LinkCodeRow, UserLinkRow
from bot.adapters.db.users import ProgressRow, UserRow
from bot.adapters.localchat.fake_zalo import FakeZaloAPI
from bot.adapters.telegram.linking import UnlinkCb
from bot.adapters.zalo.channel import ZaloChannel
from bot.app.linking import UNLINK_NO, UNLINK_YES, parse_code
from tests.harness import Harness
from tests.zalo.kit import ZaloResident, zalo_bot

CHAT = "6ede9afa66b88fe6d6a9"
TG = 5005
CODE_RE = re.compile(r"Mã liên kết của Bác: (\d{6})")


@pytest.fixture
async def bot(db_url, fake, clock, zalo: FakeZaloAPI) -> AsyncIterator[tuple[Harness, ZaloChannel]]:
    async with zalo_bot(db_url, fake, clock, zalo) as pair:
        yield pair


def code_in(texts: list[str]) -> str:
    m = CODE_RE.search("\n".join(texts))
    assert m, texts
    return m.group(1)


async def users(h: Harness) -> dict[str, UserRow]:
    async with h.app.db.session() as s:
        return {u.channel: u for u in (await s.scalars(select(UserRow))).all()}


async def progress(h: Harness, user_id: int) -> dict[str, tuple[int, bool]]:
    async with h.app.db.session() as s:
        rows = (await s.scalars(select(ProgressRow).where(ProgressRow.user_id == user_id))).all()
    return {p.guide_id: (p.step, p.finished_at is not None) for p in rows}


def texts(sent: list) -> list[str]:
    return [m.text for m in sent]


async def test_a_code_from_zalo_typed_on_telegram_brings_ward_tdp_notices_and_progress(bot, zalo, clock) -> None:
    h, _ = bot
    hoa = ZaloResident(zalo, CHAT)
    await hoa.onboard()  # ward 1, tổ 5, notices on
    await hoa.say("cài iHanoi thế nào")
    await hoa.say("tiếp")  # step 2 of the iHanoi guide
    out = await hoa.say("liên kết")
    code = code_in(out)
    assert "10 phút" in out[0] and f"/lienket {code}" in out[0]  # she is told what to type on Telegram
    async with h.app.db.session() as s:
        stored = (await s.scalars(select(LinkCodeRow))).all()
    assert len(stored) == 1 and code not in stored[0].code_hash  # kept as a keyed hash, not the code

    clock.advance(minutes=3)
    tg = h.actor(TG, "Bác Hoa")
    got = texts(await tg.send(f"/lienket {code}"))
    assert got and got[0].startswith("✅ Đã liên kết Telegram với Zalo của Bác"), got
    assert "tổ dân phố 5" in got[0] and "Tiếng Việt" in got[0] and "1 hướng dẫn" in got[0]
    assert "Thông báo của phường sẽ gửi về đây (Telegram)" in got[0]
    told = zalo.texts_to(CHAT)[-1]  # the Zalo chat is told plainly too
    assert told.startswith("🔗 Zalo của Bác vừa được liên kết với Telegram") and "/huylienket" in told

    u = await users(h)
    z, t = u["zalo"], u["telegram"]
    assert (t.ward_id, t.neighbourhood, t.lang, t.onboarded) == (z.ward_id, "5", "vi", True)
    assert t.subscribed and not z.subscribed  # notices follow her, once, to where she typed the code
    assert await progress(h, t.id) == await progress(h, z.id) == {"ihanoi-install": (1, False)}

    # later changes follow too: a new tổ on Telegram is her tổ on Zalo
    await h.app.residents.update(t.id, neighbourhood="7")
    assert (await users(h))["zalo"].neighbourhood == "7"

    # a code works once
    again = texts(await h.actor(TG + 1, "Ông Tư").send(f"/lienket {code}"))
    assert again[0].startswith("Dạ, mã này đã được dùng rồi"), again


async def test_the_newer_place_in_a_guide_wins_both_ways(bot, zalo, clock) -> None:
    h, _ = bot
    tg = await h.onboarded(TG)
    await tg.send("cài iHanoi thế nào")
    hoa = ZaloResident(zalo, CHAT)
    await hoa.onboard()
    clock.advance(minutes=1)
    await hoa.say("cài iHanoi thế nào")
    await hoa.say("tiếp")
    await hoa.say("tiếp")  # further, and later, on Zalo
    out = texts(await tg.send("/lienket"))
    code = code_in(out)
    assert f"liên kết {code}" in out[0]  # what to type on Zalo
    got = await hoa.say(f"Liên kết {code}")
    assert got[0].startswith("✅ Đã liên kết Zalo với Telegram của Bác"), got
    assert tg.fake.last_to(TG).text.startswith("🔗 Telegram của Bác vừa được liên kết với Zalo")
    u = await users(h)
    assert await progress(h, u["telegram"].id) == await progress(h, u["zalo"].id) == {"ihanoi-install": (2, False)}


async def test_an_expired_code_and_a_code_from_the_same_channel_are_refused_plainly(bot, zalo, clock) -> None:
    h, _ = bot
    hoa = ZaloResident(zalo, CHAT)
    await hoa.onboard()
    code = code_in(await hoa.say("lien ket"))
    out = await hoa.say(f"liên kết {code}")
    assert out[0].startswith("Dạ, mã này được tạo trên Zalo. Bác cần gõ nó trong Telegram"), out
    clock.advance(minutes=10, seconds=1)
    got = texts(await h.actor(TG).send(f"/lienket {code}"))
    assert got[0].startswith("Dạ, mã này đã hết hạn"), got
    assert "Dạ, mã liên kết có 6 chữ số" in texts(await h.actor(TG).send("/lienket 12ab"))[0]
    async with h.app.db.session() as s:
        assert (await s.scalars(select(UserLinkRow))).all() == []


async def test_five_wrong_codes_in_ten_minutes_lock_out_guessing_for_ten_minutes(bot, zalo, clock) -> None:
    h, _ = bot
    hoa = ZaloResident(zalo, CHAT)
    await hoa.onboard()
    code = code_in(await hoa.say("liên kết"))
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    tg = h.actor(TG)
    for left in (4, 3, 2, 1):
        got = texts(await tg.send(f"/lienket {wrong}"))
        assert got[0] == f"Dạ, mã này không đúng. Bác xem lại 6 chữ số giúp cháu (còn {left} lần thử).", got
        clock.advance(minutes=1)
    got = texts(await tg.send(f"/lienket {wrong}"))
    assert got[0].startswith("Dạ, Bác đã gõ sai mã nhiều lần") and "10 phút" in got[0], got
    clock.advance(minutes=4)  # the right code does not help while locked: guessing gets no answer
    got = texts(await tg.send(f"/lienket {code}"))
    assert got[0].startswith("Dạ, Bác đã gõ sai mã nhiều lần") and "6 phút" in got[0], got
    clock.advance(minutes=6)  # the lock is over (the code too: 14 minutes old), a new code works
    code = code_in(await hoa.say("liên kết"))
    got = texts(await tg.send(f"/lienket {code}"))
    assert got[0].startswith("✅ Đã liên kết"), got


async def test_unlinking_asks_first_then_tells_both_chats(bot, zalo, clock) -> None:
    h, _ = bot
    hoa = ZaloResident(zalo, CHAT)
    await hoa.onboard()
    tg = h.actor(TG)
    assert texts(await tg.send("/huylienket"))[0].startswith("Dạ, tài khoản này chưa liên kết")
    await tg.send(f"/lienket {code_in(await hoa.say('liên kết'))}")
    out = texts(await tg.send("/huylienket"))
    assert out[0].startswith("Bác muốn huỷ liên kết giữa Telegram và Zalo?")
    buttons = [b["text"] for row in tg.fake.last_to(TG).reply_markup["inline_keyboard"] for b in row]
    assert buttons == ["Không", "Có, huỷ liên kết"]
    assert texts(await tg.press("Không"))[-1] == "Dạ, cháu vẫn giữ liên kết ạ."
    async with h.app.db.session() as s:
        assert len((await s.scalars(select(UserLinkRow))).all()) == 2

    # on Zalo: "huỷ liên kết", then 2 = "Có"
    out = await hoa.say("huỷ liên kết")
    assert "1. Không" in out[-1] and "2. Có, huỷ liên kết" in out[-1], out
    out = await hoa.say("2")
    assert out[0] == "Đã huỷ liên kết với Telegram. Hai bên giữ cài đặt hiện có.", out
    assert tg.fake.last_to(TG).text.startswith("Liên kết với Zalo của Bác đã được huỷ")
    async with h.app.db.session() as s:
        assert (await s.scalars(select(UserLinkRow))).all() == []
    u = await users(h)
    assert u["telegram"].ward_id == u["zalo"].ward_id  # both keep what they had


def test_the_confirmation_strings_are_the_telegram_callback_data() -> None:
    assert UnlinkCb(answer="yes").pack() == UNLINK_YES and UnlinkCb(answer="no").pack() == UNLINK_NO
    assert parse_code(" 123 456 ") == "123456" and parse_code("12345") is None and parse_code("1234567") is None
