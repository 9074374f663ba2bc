"""A resident's conversation, driven through the real Dispatcher against the fake Bot API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.adapters.db.users import UserRow
from bot.core.content import CONTRACT_IDS


async def test_onboarding_asks_language_ward_neighbourhood_then_shows_menu(harness):
    a = harness.actor()
    first = await a.send("/start")
    assert "Trợ lý số phường" in first[-1].text
    assert first[-1].button_labels == ["🇻🇳 Tiếng Việt", "🇬🇧 English"]
    out = await a.press("Tiếng Việt")
    assert "gọi bác thế nào" in out[-1].text
    assert out[-1].button_labels == ["✅ Bác", "Anh", "Chị", "Cô", "Chú", "Em"]
    out = await a.press("Bác")
    assert "phường nào" in out[-1].text
    assert "🏘 Phường Tây Hồ" in out[-1].button_labels and "🏘 Phường Phú Thượng" in out[-1].button_labels
    out = await a.press("Tây Hồ")
    assert "tổ dân phố số mấy" in out[-1].text
    out = await a.send("tổ 5 ạ")
    assert "nhận thông báo" in out[-1].text
    out = await a.press("Có, nhận")
    assert "Bác cần giúp gì" in out[-1].text
    assert "📱 Ứng dụng iHanoi" in out[-1].button_labels
    async with harness.app.db.session() as s:
        row = (await s.execute(select(UserRow).where(UserRow.external_id == 1001))).scalar_one()
    assert (row.lang, row.ward_id, row.neighbourhood, row.subscribed, row.onboarded) == (
        "vi",
        "tay-ho",
        "5",
        True,
        True,
    )


async def test_neighbourhood_answer_that_is_not_a_number_is_asked_again(harness):
    a = harness.actor()
    await a.send("/start")
    await a.press("Tiếng Việt")
    await a.press("Bác")
    await a.press("Phú Thượng")
    out = await a.send("không biết")
    assert "gõ số tổ dân phố" in out[-1].text
    out = await a.press("Tôi không rõ")
    assert "nhận thông báo" in out[-1].text


async def test_walks_install_ihanoi_forward_and_back_to_the_end(harness):
    a = await harness.onboarded()
    await a.press("Ứng dụng iHanoi")
    out = await a.press("Cài ứng dụng iHanoi")
    guide = harness.app.content.guide("ihanoi-install")
    total = len(guide.steps)
    assert out[-1].text.startswith(f"📘 Cài ứng dụng iHanoi\nBước 1/{total}")
    assert {"Tiếp ▶", "😟 Tôi bị kẹt ở bước này", "📤 Gửi cho con cháu", "🏠 Về menu"} <= set(out[-1].button_labels)
    out = await a.press("Tiếp")
    assert f"Bước 2/{total}" in out[-1].text and "◀ Quay lại" in out[-1].button_labels
    out = await a.press("Quay lại")
    assert f"Bước 1/{total}" in out[-1].text
    for n in range(2, total + 1):
        out = await a.press("tiếp ▶")
        assert f"Bước {n}/{total}" in out[-1].text
    assert "❓" in out[-1].text
    assert "✅ Làm được rồi" in out[-1].button_labels
    # the previous step's buttons were removed, so an old "Tiếp" can't be pressed twice
    earlier = [m for m in harness.fake.messages_to(1001) if "Bước 1/" in m.text]
    assert all(not m.buttons for m in earlier)
    out = await a.press("Làm được rồi")
    assert "Tuyệt vời" in out[-1].text
    assert any("Đăng ký, đăng nhập iHanoi" in label for label in out[-1].button_labels)


async def test_check_step_not_working_offers_staff_and_contacts(harness):
    a = await harness.onboarded()
    await a.send("/start ihanoi-install")
    await a.press("Tiếp")
    out = await a.press("Tiếp")  # step 3 has a "did it work?" check
    assert "❓" in out[-1].text and "❌ Chưa được" in out[-1].button_labels
    out = await a.press("Chưa được")
    assert "Hỏi cán bộ phường" in out[-1].text
    assert "UBND phường Tây Hồ" in out[-1].text and "1022" in out[-1].text
    assert "🙋 Hỏi cán bộ phường" in out[-1].button_labels


async def test_resident_resumes_guide_after_restart(harness):
    a = await harness.onboarded()
    await a.send("/start dvc-submit")
    await a.press("Tiếp")
    await a.press("Tiếp")
    await harness.restart()
    a = harness.actor()
    out = await a.send("/start")
    assert "quay lại" in out[-1].text and "Bước 3/" in out[-1].text
    out = await a.press("Làm tiếp")
    assert "Bước 3/" in out[-1].text
    out = await a.send("/menu")
    assert out[-1].button_labels[0].startswith("▶ Làm tiếp:")


async def test_language_switch_to_english_changes_guides_and_buttons(harness):
    a = await harness.onboarded()
    out = await a.send("/lang")
    out = await a.press("English")
    assert "What do you need help with" in out[-1].text
    out = await a.send("/start epay-qr")
    assert out[-1].text.startswith("📘 Pay and receive money") or "Step 1/" in out[-1].text
    assert "Next ▶" in out[-1].button_labels and "😟 I'm stuck here" in out[-1].button_labels


@pytest.mark.parametrize("guide_id", CONTRACT_IDS)
async def test_each_guide_opens_from_deep_link_and_ends(harness, guide_id):
    a = harness.actor(5000 + CONTRACT_IDS.index(guide_id))
    out = await a.send(f"/start {guide_id}")
    guide = harness.app.content.guide(guide_id)
    total = len(guide.steps)
    assert f"Bước 1/{total}" in out[-1].text
    for _ in range(total - 1):
        out = await a.press("Tiếp")
    assert f"Bước {total}/{total}" in out[-1].text
    out = await a.press("Làm được rồi")
    assert "Tuyệt vời" in out[-1].text


async def test_share_button_gives_a_deep_link_that_opens_the_guide(harness):
    a = harness.actor()
    await a.send("/start scam-safety")
    out = await a.press("Gửi cho con cháu")
    link = "https://t.me/TroLySoPhuongBot?start=scam-safety"
    assert link in out[-1].text
    relative = harness.actor(1999)
    out = await relative.send("/start scam-safety")
    assert "Bước 1/" in out[-1].text


async def test_free_text_question_finds_the_guide(harness):
    a = await harness.onboarded()
    out = await a.send("quét mã trả tiền")
    assert any("QR" in m.text for m in out)


async def test_out_of_scope_question_is_declined_kindly(harness):
    a = await harness.onboarded()
    out = await a.send("giá vàng hôm nay")
    assert "chưa hướng dẫn được" in out[-1].text
    assert "🙋 Hỏi cán bộ phường" in out[-1].button_labels and "🏠 Về menu" in out[-1].button_labels


async def test_unknown_command_gets_the_menu(harness):
    a = await harness.onboarded()
    out = await a.send("/xyz")
    assert "không hiểu lệnh" in out[-1].text and "🏠 Về menu" in out[-1].button_labels


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "document"])
async def test_media_where_text_is_expected_is_answered(harness, kind):
    a = await harness.onboarded()
    out = await a.send_media(kind)
    assert "chỉ đọc được chữ" in out[-1].text


async def test_a_5000_character_message_gets_a_normal_answer(harness):
    a = await harness.onboarded()
    out = await a.send("cài ihanoi " + "a" * 5000)
    assert out and all(len(m.text) <= 4096 for m in out)


@pytest.mark.parametrize(
    "data",
    [
        "g:no-such-guide:0",
        "g:ihanoi-install:abc",
        "g:ihanoi-install:999",
        "done:ihanoi-install:7",
        "cat:nope",
        "zzz",
        "",
        "lang:fr",
        "ward:mars",
        "tdp:5",
    ],
)
async def test_forged_or_stale_button_data_gets_a_fresh_menu(harness, data):
    a = await harness.onboarded()
    out = await a.press_data(data)
    assert out, "the bot must answer"
    last = out[-1]
    assert "Bác cần giúp gì" in last.text or "Bước" in last.text


async def test_user_who_blocked_the_bot_is_marked_and_nothing_crashes(harness):
    a = await harness.onboarded()
    harness.fake.blocked.add(1001)
    out = await a.send("/menu")
    assert out == []
    async with harness.app.db.session() as s:
        row = (await s.execute(select(UserRow).where(UserRow.external_id == 1001))).scalar_one()
    assert row.blocked is True
    harness.fake.blocked.discard(1001)
    out = await a.send("/menu")  # writing again means they unblocked us
    assert "Bác cần giúp gì" in out[-1].text


async def test_settings_change_ward(harness):
    a = await harness.onboarded()
    out = await a.send("/settings")
    assert "Phường Tây Hồ" in out[-1].text and "Tổ dân phố: 5" in out[-1].text
    await a.press("Đổi phường")
    await a.press("Phú Thượng")
    await a.send("12")
    out = await a.press("Không")
    out = await a.send("/settings")
    assert "Phường Phú Thượng" in out[-1].text and "Tổ dân phố: 12" in out[-1].text


async def test_a_flood_of_messages_is_cut_off(harness):
    a = await harness.onboarded()
    replies = []
    for _ in range(40):
        replies += await a.send("/help")
    helps = [m for m in replies if "Cách dùng" in m.text]
    assert 10 <= len(helps) < 40
    assert sum("gửi nhanh quá" in m.text for m in replies) == 1


async def test_declined_questions_are_logged_for_editors_without_the_user_id(harness):
    from bot.adapters.db.uow import SqlTransactions
    from bot.app.unanswered import UnansweredLog

    a = await harness.onboarded()
    await a.send("giá vàng hôm nay")
    await a.send("gia vang hom nay the nao")
    await harness.actor(1002).send("giá vàng hôm nay bao nhiêu")
    await a.send("cài ihanoi như thế nào")  # answered: not logged
    groups = await UnansweredLog(
        SqlTransactions(harness.app.db), harness.settings.hash_salt.get_secret_value()
    ).report()
    assert groups[0].count == 3 and groups[0].people == 2
    assert "vang" in groups[0].text.replace("à", "a")
    assert all("ihanoi" not in g.text for g in groups)
