"""No staff group bound to the ward: the resident is told so plainly, with the ward's contacts from
content/wards.yaml (the same card as the ward-contact guide), and her question is kept until staff connect."""

from __future__ import annotations

from tests.telegram.test_helpdesk_roundtrip import ADMIN, GROUP, staff_group


async def test_no_staff_group_no_deadline_promised_and_the_question_is_kept(harness):
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send("bác muốn hỏi về tiền điện")
    out = await lan.press("Gửi cho cán bộ")
    text = out[-1].text
    assert "phiếu #1" in text
    assert "Phường Tây Hồ chưa kết nối cán bộ với bot" in text
    assert "muộn nhất" not in text and "T2–T6" not in text  # no deadline, no staff hours invented
    # the ward's contacts as wards.yaml has them: the office, and what it does not know said plainly
    assert "UBND phường Tây Hồ" in text and "657 Lạc Long Quân" in text
    assert "Giờ làm việc: cháu chưa có thông tin" in text
    assert "Điện thoại riêng của phường: cháu chưa có thông tin" in text
    assert "024.1022 (nhánh 7, 8)" in text
    # the same card as the ward-contact guide shows
    card = harness.app.helpdesk.flow.contacts_text(await harness.app.residents.identify("telegram", 1001))
    assert card in text

    out = await lan.send("thêm: hoá đơn tháng 11")
    assert "chưa kết nối cán bộ" in out[-1].text and "đã chuyển cho cán bộ" not in out[-1].text

    # staff connect later: the question (and what she added) reach them, and the answer comes back
    harness.fake.forum_chats.add(GROUP)
    out = await harness.actor(ADMIN, "Quản trị", chat_id=GROUP).send("/bind_ward tay-ho")
    assert "Đang gửi 1 phiếu đang chờ vào nhóm." in out[0].text
    said = " ".join(m.text for m in harness.fake.messages_to(GROUP))
    assert "bác muốn hỏi về tiền điện" in said and "hoá đơn tháng 11" in said


async def test_with_a_staff_group_the_deadline_is_still_given(harness):
    await staff_group(harness)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send("bác muốn hỏi về tiền điện")
    out = await lan.press("Gửi cho cán bộ")
    assert "muộn nhất" in out[-1].text and "chưa kết nối" not in out[-1].text
