"""Consultations on Zalo through the real Zalo channel and the fake Zalo Bot API: the notice tells what to
type («y kien 1»), the ballot is numbered, "1"/"2" votes and changes the vote, «ý kiến» lists her ward's
open ones; the official's /ket_qua on Telegram counts each person once, also a person who linked Zalo with
Telegram and voted on both; after the close, for an unknown number and for another ward: a clear answer."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator

import pytest

from bot.adapters.localchat.fake_zalo import FakeZaloAPI
from bot.adapters.telegram.official import notifier
from bot.adapters.telegram.sender import TelegramSender
from bot.adapters.zalo.channel import ZaloChannel
from bot.app.consultations import ConsultationService, ConsultDraft, Scope
from bot.app.residents import Role
from bot.bootstrap import zalo_notices
from tests.harness import Harness
from tests.zalo.kit import ZaloResident, zalo_bot

WARD = "tay-ho"
OFFICIAL = 3001
HOA = "6ede9afa66b88fe6d6a9"
TG = 5005
QUESTION = "Lắp thêm đèn đường ngõ 12?"
OPTIONS = ("Đồng ý", "Không đồng ý", "Ý kiến khác")
ENDED = "Cuộc lấy ý kiến đã kết thúc"
CODE_RE = re.compile(r"Mã liên kết của Bác: (\d{6})")


@pytest.fixture
async def bot(db_url, fake, clock, zalo: FakeZaloAPI) -> AsyncIterator[tuple[Harness, ZaloChannel]]:
    async with zalo_bot(db_url, fake, clock, zalo) as pair:
        pair[0].app.notices.attach(TelegramSender(pair[0].bot), notifier(pair[0].bot))
        zalo_notices(pair[0].app)
        yield pair


async def consultation(h: Harness, question: str = QUESTION, *, allow_change: bool = True) -> int:
    """An official of Tây Hồ opens a consultation of the whole ward; its notice goes out on both channels."""
    official = await h.app.residents.identify("telegram", OFFICIAL, "Chủ tịch phường")
    await h.app.residents.grant(official.id, Role.OFFICIAL, WARD, None)
    official = await h.app.residents.identify("telegram", OFFICIAL, "Chủ tịch phường")
    service: ConsultationService = h.app.extra["consultations"]
    created = await service.create(
        ConsultDraft(
            ward_id=WARD,
            question=question,
            options=OPTIONS,
            scope=Scope.WARD,
            neighbourhoods=(),
            closes_at=h.clock.now() + dt.timedelta(days=2),
            allow_change=allow_change,
            show_results=True,
        ),
        official,
    )
    await h.app.notices.pump()
    return created.consultation.id


async def results(h: Harness, cid: int) -> str:
    out = await h.actor(OFFICIAL, "Chủ tịch phường").send(f"/ket_qua {cid}")
    return out[-1].text


async def test_a_zalo_resident_votes_from_the_notice_changes_her_vote_and_is_counted_once(bot, zalo, fake) -> None:
    h, _ = bot
    hoa = ZaloResident(zalo, HOA)
    await hoa.onboard()  # Tây Hồ, tổ 5, notices on
    lan = await h.onboarded(1001)
    cid = await consultation(h)

    notice = zalo.last_to(HOA).text
    assert "LẤY Ý KIẾN CƯ DÂN" in notice and QUESTION in notice
    assert f"nhắn «y kien {cid}»" in notice and "«ý kiến 1»" in notice and "«yk 1»" in notice
    assert "t.me" not in notice and "bấm vào đường link" not in notice  # no Telegram link on Zalo
    assert "start=vote_1" in fake.messages_to(1001)[-1].text  # Telegram keeps its link
    # the text the official pastes into the tổ's Zalo group: the link for Telegram users, the words for Zalo
    (paste,) = [m.text for m in fake.messages_to(OFFICIAL) if "LẤY Ý KIẾN" in m.text]
    assert "start=vote_1" in paste and paste.rstrip().endswith("«yk 1»).")

    out = await hoa.say("Ý kiến 1")
    ballot = out[-1]
    assert "Bác chọn một câu trả lời" in ballot and QUESTION in ballot
    assert "1. Đồng ý\n2. Không đồng ý\n3. Ý kiến khác" in ballot and "Trả lời số 1–3 để chọn" in ballot
    out = await hoa.say("1")
    assert "cảm ơn bác đã trả lời: «Đồng ý»" in out[-1]
    assert "nhắn «y kien 1» rồi chọn lại" in out[-1] and "đường link" not in out[-1]
    out = await hoa.say("y kien 1")  # the ballot again, her answer marked
    assert "Bác đã chọn: «Đồng ý»" in out[-1] and "1. ✅ Đồng ý" in out[-1]
    out = await hoa.say("dạ 2 ạ")
    assert "đổi câu trả lời của bác thành «Không đồng ý»" in out[-1]
    out = await hoa.say("không đồng ý")  # the option's words work as well as its number
    assert "Bác đã chọn «Không đồng ý» rồi ạ" in out[-1]

    await lan.send(f"/start vote_{cid}")
    await lan.press("Ý kiến khác")
    text = await results(h, cid)
    assert "• Đồng ý: 0" in text and "• Không đồng ý: 1 (50,0%)" in text and "• Ý kiến khác: 1 (50,0%)" in text
    assert "Tổng cộng: 2 người trả lời" in text


async def test_ykien_alone_lists_the_open_consultations_of_her_ward(bot, zalo) -> None:
    h, _ = bot
    hoa = ZaloResident(zalo, HOA)
    await hoa.onboard()
    out = await hoa.say("ý kiến")
    assert "Hiện Phường Tây Hồ chưa có cuộc lấy ý kiến nào đang mở" in out[-1]
    await consultation(h)
    second = await consultation(h, "Họp tổ dân phố thứ Bảy hay Chủ nhật?")
    out = await hoa.say("y kien")
    listing = out[-1]
    assert "Các cuộc lấy ý kiến đang mở ở Phường Tây Hồ" in listing
    assert f"1. #1: {QUESTION}" in listing and f"2. #{second}: Họp tổ dân phố" in listing
    out = await hoa.say("2")
    assert "Họp tổ dân phố thứ Bảy hay Chủ nhật?" in out[-1] and "1. Đồng ý" in out[-1]
    out = await hoa.say("3")
    assert "«Ý kiến khác»" in out[-1]
    assert "• Ý kiến khác: 1" in await results(h, second)
    assert "Tổng cộng: 0 người trả lời" in await results(h, 1)


async def test_a_linked_resident_who_votes_on_telegram_and_on_zalo_counts_once(bot, zalo) -> None:
    h, _ = bot
    hoa = ZaloResident(zalo, HOA)
    await hoa.onboard()
    tg = await h.onboarded(TG)
    before = await consultation(h, "Sơn lại nhà văn hoá tổ 5?")  # both answer it before they are linked
    await tg.send(f"/start vote_{before}")
    await tg.press("Đồng ý")
    await hoa.say(f"y kien {before}")
    await hoa.say("2")
    assert "Tổng cộng: 2 người trả lời" in await results(h, before)  # two users, not yet one person

    cid = await consultation(h)
    await tg.send(f"/start vote_{cid}")
    await tg.press("Đồng ý")

    out = await hoa.say("liên kết")
    code = CODE_RE.search("\n".join(out))
    assert code, out
    got = await tg.send(f"/lienket {code.group(1)}")
    assert got[0].text.startswith("✅ Đã liên kết"), got[0].text

    out = await hoa.say(f"yk {cid}")  # the vote she gave on Telegram is hers on Zalo too
    assert "Bác đã chọn: «Đồng ý»" in out[-1]
    out = await hoa.say("2")
    assert "đổi câu trả lời của bác thành «Không đồng ý»" in out[-1]
    text = await results(h, cid)
    assert "• Đồng ý: 0" in text and "• Không đồng ý: 1 (100,0%)" in text and "Tổng cộng: 1 người trả lời" in text
    out = await tg.send(f"/start vote_{cid}")  # and Telegram shows the answer she changed on Zalo
    assert "Bác đã chọn: «Không đồng ý»" in out[-1].text

    # the consultation both answered before linking: one person now, her later answer counts
    text = await results(h, before)
    assert "Tổng cộng: 1 người trả lời" in text and "• Không đồng ý: 1 (100,0%)" in text
    out = await tg.send(f"/start vote_{before}")
    await tg.press("Ý kiến khác")
    text = await results(h, before)
    assert "Tổng cộng: 1 người trả lời" in text and "• Ý kiến khác: 1 (100,0%)" in text


async def test_voting_after_the_close_is_refused_politely(bot, zalo) -> None:
    h, _ = bot
    hoa = ZaloResident(zalo, HOA)
    await hoa.onboard()
    cid = await consultation(h)
    await hoa.say(f"ý kiến {cid}")  # she reads the ballot, and answers only after the close
    h.clock.advance(days=3)
    out = await hoa.say("1")
    assert ENDED in out[-1] and "cảm ơn bác đã quan tâm" in out[-1]
    out = await hoa.say(f"y kien {cid}")
    assert ENDED in out[-1] and "1. " not in out[-1]
    assert "Tổng cộng: 0 người trả lời" in await results(h, cid)
    out = await hoa.say("ý kiến")
    assert "chưa có cuộc lấy ý kiến nào đang mở" in out[-1]


async def test_an_unknown_number_and_another_ward_get_a_clear_answer(bot, zalo) -> None:
    h, _ = bot
    hoa = ZaloResident(zalo, HOA)
    await hoa.onboard()
    cid = await consultation(h)
    out = await hoa.say("y kien 99999")
    assert "không tìm thấy cuộc lấy ý kiến số 99999" in out[-1] and "nhắn «ý kiến»" in out[-1]
    out = await hoa.say("yk 123456789012345678901234567890")
    assert "không tìm thấy cuộc lấy ý kiến" in out[-1]

    tu = ZaloResident(zalo, "a0b1c2d3e4f5a6b7c8d9", "Chú Tư")
    out = await tu.say(f"ý kiến {cid}")  # his first words: he has no ward yet
    assert "dành cho cư dân Phường Tây Hồ" in out[-1] and f"nhắn lại «y kien {cid}»" in out[-1]
    await tu.onboard(ward="2")  # Phú Thượng
    out = await tu.say(f"y kien {cid}")
    assert "chỉ dành cho cư dân Phường Tây Hồ" in out[-1] and "1. Đồng ý" not in out[-1]
    out = await tu.say("ý kiến")
    assert "Hiện Phường Phú Thượng chưa có cuộc lấy ý kiến nào đang mở" in out[-1]
    assert "Tổng cộng: 0 người trả lời" in await results(h, cid)
