"""Failure branches under a guide step ("Không nhận được mã OTP"), through the real Dispatcher and fake Bot API."""

from __future__ import annotations

import json

import pytest
from aiogram.filters.callback_data import CallbackData

from bot.adapters.telegram.guide_callbacks import BranchCb
from bot.app.resident_flow import branch_action
from tests.telegram.test_helpdesk_roundtrip import GROUP, staff_group

OTP_STEP = 7  # vneid-activate: "Bác nhập mã OTP vừa gửi về điện thoại"


async def open_otp_step(a):
    out = await a.send("/start vneid-activate")
    for _ in range(OTP_STEP):
        out = await a.press("Tiếp")
    assert f"Bước {OTP_STEP + 1}/" in out[-1].text and "OTP" in out[-1].text
    return out


async def test_otp_not_arriving_walks_the_sub_path_and_returns_to_the_step(harness):
    a = await harness.onboarded()
    out = await open_otp_step(a)
    assert "⚠️ Không nhận được mã OTP" in out[-1].button_labels

    out = await a.press("Không nhận được mã OTP")
    assert "Không nhận được mã OTP (1/3)" in out[-1].text and "vạch sóng" in out[-1].text
    assert "↩ Về Bước 8/" in " ".join(out[-1].button_labels)
    assert not any("Quay lại" in label for label in out[-1].button_labels)  # nothing before the first sub-step
    assert "🙋 Hỏi cán bộ phường" in out[-1].button_labels  # staff one press away at every sub-step

    out = await a.press("Tiếp")
    assert "(2/3)" in out[-1].text and "số điện thoại bác đã đăng ký" in out[-1].text
    out = await a.press("Quay lại")
    assert "(1/3)" in out[-1].text  # back inside the detour
    await a.press("Tiếp")
    out = await a.press("Tiếp")
    assert "(3/3)" in out[-1].text and "1900 0368" in out[-1].text
    assert "🙋 Hỏi cán bộ phường" in out[-1].button_labels

    out = await a.press("Về Bước 8/")
    assert f"Bước {OTP_STEP + 1}/" in out[-1].text and "nhập mã OTP vừa gửi" in out[-1].text
    assert "⚠️ Không nhận được mã OTP" in out[-1].button_labels  # the step again, with its branch


async def test_otp_branch_hands_over_to_staff_with_the_guide_and_step(harness):
    await staff_group(harness)
    a = await harness.onboarded()
    await open_otp_step(a)
    await a.press("Không nhận được mã OTP")
    await a.press("Tiếp")
    await a.press("Tiếp")
    out = await a.press("Hỏi cán bộ phường")
    assert "gõ câu hỏi" in out[-1].text and "Bước 8/" in out[-1].text and "Cài VNeID" in out[-1].text
    await a.send("Bác chờ mãi không thấy mã OTP về")
    out = await a.press("Gửi cho cán bộ")
    assert "Số phiếu của bác: #1" in out[-1].text
    card = harness.fake.last_to(GROUP)
    assert "Cài VNeID và kích hoạt" in card.text and "Bước 8/" in card.text
    assert "không thấy mã OTP" in card.text


async def test_stuck_on_a_step_with_branches_offers_them_before_staff(harness):
    a = await harness.onboarded()
    await open_otp_step(a)
    out = await a.press("Tôi bị kẹt")
    assert any("⚠️ Không nhận được mã OTP" in m.button_labels for m in out)
    assert "🙋 Hỏi cán bộ phường" in out[-1].button_labels
    out = await a.press("Không nhận được mã OTP")
    assert "(1/3)" in out[-1].text


async def test_branch_in_english(harness):
    a = await harness.onboarded(ward="Tay Ho", lang="English")
    await a.send("/start vneid-activate")
    for _ in range(OTP_STEP):
        await a.press("Next")
    out = await a.press("The OTP code did not arrive")
    assert "(1/3)" in out[-1].text and "signal bars" in out[-1].text
    assert "↩ Back to Step 8/" in " ".join(out[-1].button_labels)


@pytest.mark.parametrize(
    "data",
    [
        "br:vneid-activate:7:9:0",  # no such branch
        "br:vneid-activate:7:0:5",  # past the sub-path's end
        "br:vneid-activate:0:0:0",  # a step without branches
        "br:vneid-activate:99:0:0",
        "br:no-such-guide:7:0:0",
        "br:vneid-activate:x:0:0",
        "br:vneid-activate",
    ],
)
async def test_forged_branch_button_is_answered_as_gone(harness, data):
    a = await harness.onboarded()
    out = await a.press_data(data)
    assert "Nút này đã cũ" in out[0].text and "Bác cần giúp gì" in out[-1].text
    assert "không còn dùng được" in (harness.fake.callback_answers[-1].get("text") or "")


def test_branch_buttons_are_what_the_typed_callback_data_reads():
    packed = branch_action("vneid-activate/level-1-vs-2", 12, 3, 5)
    cb = BranchCb.unpack(packed)
    assert (cb.guide, cb.step, cb.branch, cb.sub) == ("vneid-activate/level-1-vs-2", 12, 3, 5)
    assert cb.pack() == packed
    assert isinstance(cb, CallbackData) and len(packed.encode()) <= 64


async def test_a_sourced_label_is_bold_on_telegram(harness):
    a = await harness.onboarded()
    steps = harness.app.content.guide("vneid-activate").steps
    n = next(i for i, s in enumerate(steps) if "**Kích hoạt tài khoản**" in s.text.vi)
    out = await a.press_data(f"g:vneid-activate:{n}")
    sent = out[-1]
    assert "**" not in sent.text and "bấm Kích hoạt tài khoản." in sent.text
    # this step carries a picture: it is a photo whose caption holds the bold label
    assert sent.method == "sendphoto"
    entities = sent.params["caption_entities"]
    entities = json.loads(entities) if isinstance(entities, str) else entities
    start = sent.text.encode("utf-16-le").find("Kích hoạt tài khoản".encode("utf-16-le")) // 2
    assert entities == [{"type": "bold", "offset": start, "length": len("Kích hoạt tài khoản")}]
