"""A consultation through the real dispatcher and the fake Bot API: the official's wizard, the notice with
its vote link in the groups and in private, residents voting in private (and changing), a resident of
another ward, forged buttons, an unknown link, live counts, and the final result at the close."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.adapters.telegram import official
from bot.app.consultations import ConsultationService
from bot.workers.consultations import ConsultationWorker
from tests.conftest import make_settings
from tests.harness import Harness
from tests.telegram.test_announcements import ADMIN, G5, G7, OFFICIAL, OFFICIAL2, runner_of, ward_with_groups

GONE = "Nút này không còn dùng được"
LINK = "https://t.me/TroLySoPhuongBot?start=vote_1"


@pytest.fixture
async def h(sqlite_url, fake, clock) -> AsyncIterator[Harness]:
    harness = await Harness(make_settings(sqlite_url), fake, clock).start()
    service: ConsultationService = harness.app.extra["consultations"]
    service.notify = official.notifier(harness.bot)  # what startup does
    yield harness
    await harness.stop()


async def create_by_wizard(h: Harness) -> None:
    o = h.actor(OFFICIAL, "Chủ tịch phường")
    out = await o.send("/lay_y_kien")
    assert "Tạo cuộc lấy ý kiến" in out[-1].text
    out = await o.send("Bác có đồng ý lắp thêm đèn đường ngõ 12 không?")
    assert out[-1].button_labels == ["Có / Không", "Tự nhập các phương án"]
    out = await o.press("Tự nhập các phương án")
    out = await o.send("1. Đồng ý\n2. Không đồng ý\n3. Ý kiến khác")
    assert out[-1].button_labels == ["Cả phường", "Một số tổ dân phố"]
    out = await o.press("Cả phường")
    out = await o.send("hôm qua")
    assert "Chưa đọc được ngày giờ" in out[-1].text
    out = await o.send("27/11 17:00")
    assert "đổi câu trả lời" in out[-1].text and out[-1].button_labels == ["Có", "Không"]
    out = await o.press("Có")
    assert "xem kết quả" in out[-1].text
    out = await o.press("Có")
    summary = out[-1]
    assert "3. Ý kiến khác" in summary.text and "17:00 27/11/2026" in summary.text
    assert summary.button_labels == ["↩️ Không, bỏ", "✅ Có, gửi"]  # "Không" first
    out = await o.press("Có, gửi")
    assert "Đã tạo cuộc lấy ý kiến #1" in out[-1].text and LINK in out[-1].text


async def test_residents_vote_in_private_from_the_notice_link_and_the_official_gets_the_result(h):
    fake = h.fake
    await ward_with_groups(h, (G5, "5"), (G7, "7"))
    lan = await h.onboarded(1001, tdp="5")
    minh = await h.onboarded(1002, tdp="7")
    hoa = await h.onboarded(1003, ward="Phú Thượng", tdp="2")
    await create_by_wizard(h)
    await runner_of(h).pump()
    for chat in (G5, G7, 1001, 1002):
        assert any(LINK in m.text and "LẤY Ý KIẾN" in m.text for m in fake.messages_to(chat)), chat
    assert not any(LINK in m.text for m in fake.messages_to(1003))  # another ward's resident

    out = await lan.send("/start vote_1")
    assert "Bác chọn một câu trả lời" in out[-1].text
    assert out[-1].button_labels == ["Đồng ý", "Không đồng ý", "Ý kiến khác"]
    out = await lan.press("Đồng ý")
    assert "cảm ơn bác đã trả lời: «Đồng ý»" in out[-1].text
    out = await lan.send("/start vote_1")
    assert "Bác đã chọn: «Đồng ý»" in out[-1].text and "✅ Đồng ý" in out[-1].button_labels
    out = await lan.press("Không đồng ý")
    assert "đổi câu trả lời của bác thành «Không đồng ý»" in out[-1].text

    out = await hoa.send("/start vote_1")
    assert "chỉ dành cho cư dân Phường Tây Hồ" in out[-1].text and out[-1].button_labels == []
    before = len(fake.callback_answers)
    await hoa.press_data("cs:v:1:1")  # a button she was never shown
    assert "chỉ dành cho cư dân" in fake.last_to(1003).text

    for forged in ("cs:v:1:9", "cs:v:1:0", "cs:v:1:abc", "cs:v:99999999999:1", "cs:zz"):
        await lan.press_data(forged)
    assert [a.get("text") for a in fake.callback_answers[before + 1 :]] == [GONE] * 5
    out = await lan.send("/start vote_77")
    assert "không tìm thấy cuộc lấy ý kiến" in out[-1].text
    out = await lan.send("/start vote_x")
    assert "không tìm thấy cuộc lấy ý kiến" in out[-1].text

    o = h.actor(OFFICIAL, "Chủ tịch phường")
    out = await o.send("/ket_qua 1")
    assert "kết quả tạm thời" in out[-1].text and "• Không đồng ý: 1 (100,0%)" in out[-1].text
    assert "Tổng cộng: 1 người trả lời" in out[-1].text
    out = await minh.send("/ket_qua 1")
    assert "Chỉ cán bộ phường" in out[-1].text  # residents do not see live counts

    out = await minh.send("/start vote_1")  # he opens the ballot but answers only after the close
    h.clock.advance(days=2, hours=10)
    worker: ConsultationWorker = h.app.extra["consultation_worker"]
    assert await worker.tick() == [1]
    final = fake.last_to(OFFICIAL).text
    assert "đã kết thúc" in final and "Kết quả cuối cùng" in final and "Tổ 5: Đồng ý: 0 · Không đồng ý: 1" in final
    out = await minh.press("Đồng ý")
    assert "Cuộc lấy ý kiến đã kết thúc" in out[-1].text and "• Không đồng ý: 1" in out[-1].text
    assert await worker.tick() == []  # the result went out once


async def test_the_wizard_refuses_residents_and_forged_steps(h):
    await ward_with_groups(h)
    lan = await h.onboarded(1001)
    out = await lan.send("/lay_y_kien")
    assert "Chỉ cán bộ phường" in out[-1].text
    o = h.actor(OFFICIAL, "Chủ tịch phường")
    await o.send("/lay_y_kien")
    await o.send("Họp tổ dân phố thứ Bảy hay Chủ nhật?")
    await o.press_data("cs:s:ok")  # confirming a draft that is not finished
    assert "không còn" in h.fake.last_to(OFFICIAL).text
    await o.send("/lay_y_kien")
    await o.send("Họp tổ dân phố thứ Bảy hay Chủ nhật?")
    await o.press("Tự nhập")
    out = await o.send("Thứ Bảy")
    assert "từ 2 đến 6" in out[-1].text
    await o.send("Thứ Bảy\nChủ nhật")
    await o.press("Một số tổ")
    await o.send("5, 7")
    out = await o.send("/ket_qua")  # a command half-way is a command, and the draft waits
    assert "Chưa có cuộc lấy ý kiến nào" in out[-1].text
    out = await o.send("25/11 09:05")
    assert "ít nhất 10 phút" in out[-1].text
    await o.send("30/11 20:00")
    await o.press("Không")
    await o.press("Không")
    out = await o.press("Không, bỏ")
    assert "Đã bỏ bản soạn" in out[-1].text
    assert await h.app.extra["consultations"].get(1) is None


async def test_a_consultation_for_one_tdp_waits_for_approval_then_reaches_only_that_tdp(h):
    fake = h.fake
    await ward_with_groups(h, (G5, "5"), (G7, "7"))
    admin = h.actor(ADMIN)
    await admin.send(f"/grant_official {OFFICIAL2} tay-ho")
    await admin.send("/approval tay-ho on")
    second = h.actor(OFFICIAL2, "Phó chủ tịch")
    await second.send("/start")
    lan = await h.onboarded(1001, tdp="5")
    minh = await h.onboarded(1002, tdp="7")

    o = h.actor(OFFICIAL, "Chủ tịch phường")
    await o.send("/lay_y_kien")
    await o.send("Tổ 5 có muốn mở lớp học điện thoại buổi tối không?")
    await o.press("Có / Không")
    await o.press("Một số tổ dân phố")
    out = await o.send("tổ 5")
    assert "Hạn trả lời" in out[-1].text
    await o.send("28/11 20:00")
    await o.press("Không")  # answers may not change
    out = await o.press("Không")  # results not shown to residents
    assert "Hỏi: tổ dân phố 5" in out[-1].text and "1. Có\n2. Không" in out[-1].text
    out = await o.press("Có, gửi")
    assert "chờ cán bộ khác duyệt" in out[-1].text
    runner = runner_of(h)
    await runner.pump()
    assert not any(LINK in m.text for m in fake.messages_to(G5))  # not before the approval
    await second.press("Duyệt")
    await runner.pump()
    assert any(LINK in m.text for m in fake.messages_to(G5))
    assert not any(LINK in m.text for m in fake.messages_to(G7) + fake.messages_to(1002))

    out = await minh.send("/start vote_1")
    assert "chỉ dành cho cư dân tổ dân phố 5" in out[-1].text
    await lan.send("/start vote_1")
    out = await lan.press("Có")
    assert "cảm ơn bác" in out[-1].text and "đổi câu trả lời" not in out[-1].text
    out = await lan.send("/start vote_1")
    assert "Bác đã chọn: «Có»" in out[-1].text and out[-1].button_labels == []
    out = await lan.press_data("cs:v:1:2")  # an old ballot's button
    assert "không cho đổi" in out[-1].text
    out = await o.send("/ket_qua")
    assert "#1 · đang mở" in out[-1].text
    h.clock.advance(days=4)
    out = await lan.send("/start vote_1")
    assert "Cuộc lấy ý kiến đã kết thúc" in out[-1].text and "Kết quả" not in out[-1].text
    out = await o.send("/ket_qua 1")
    assert "Kết quả cuối cùng" in out[-1].text and "Tổ 5: Có: 1 · Không: 0; 1 người trả lời" in out[-1].text
