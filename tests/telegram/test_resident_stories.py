"""Resident stories found by trying the bot as an elderly resident (QA, 2026-11-27)."""

from __future__ import annotations

from sqlalchemy import select

from bot.adapters.db.unanswered import UnansweredRow


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


async def test_thanks_and_greetings_get_a_kind_answer_not_an_apology(harness):
    a = await harness.onboarded()
    await a.send("/start ihanoi-install")
    for thanks in ("cam on chau", "Cảm ơn cháu nhiều nhé!", "ok thanks"):
        out = await a.send(thanks)
        assert "không có gì" in out[-1].text, thanks
        assert "chưa hướng dẫn được" not in out[-1].text
        assert "▶ Làm tiếp: Cài ứng dụng iHanoi" in out[-1].button_labels
    out = await a.send("chào cháu")
    assert "Cháu chào bác" in out[0].text and "Bác cần giúp gì" in out[-1].text
    for ok in ("vâng ạ", "👍"):
        out = await a.send(ok)
        assert "chưa hướng dẫn được" not in out[-1].text and "🏠 Về menu" in out[-1].button_labels
    # small talk is not a question the guides failed to answer
    async with harness.app.db.session() as s:
        logged = (await s.execute(select(UnansweredRow.text))).scalars().all()
    assert logged == []
    # a thank-you followed by a real question is still a question
    out = await a.send("cảm ơn cháu, thế quên mật khẩu vneid thì làm sao")
    assert "VNeID" in out[-1].text and "không có gì" not in out[-1].text


async def test_wanting_a_person_offers_the_ask_button_once_and_the_guide_has_it_too(harness):
    a = await harness.onboarded()
    out = await a.send("bac doc ma khong hieu")  # the matcher is unsure and offers "Hỏi cán bộ phường" first
    assert "Có phải bác muốn hỏi" in out[-1].text
    labels = out[-1].button_labels
    assert labels.count("🙋 Hỏi cán bộ phường") == 1
    assert "📘 Hỏi cán bộ phường" not in labels
    out = await a.send("toi muon hoi can bo ve thue dat")  # asks for a person in her own words: that comes first
    assert "Có phải bác muốn hỏi" in out[-1].text
    assert out[-1].button_labels[0] == "🙋 Hỏi cán bộ phường"
    # the "how to ask staff" guide itself lets her ask, instead of sending her back to the menu
    out = await a.send("/start ask-staff")
    assert "🙋 Hỏi cán bộ phường" in out[-1].button_labels
    out = await a.press("Hỏi cán bộ phường")
    assert "gõ câu hỏi cho cán bộ phường" in out[-1].text


async def test_start_in_the_middle_of_choosing_a_ward_goes_on_where_she_was(harness):
    # Bác Lan picked her language and ward, then typed /start again instead of her tổ dân phố.
    a = harness.actor()
    await a.send("/start")
    await a.press("Tiếng Việt")
    await a.press("Bác")
    await a.press("Tây Hồ")
    out = await a.send("/start")
    assert "Bác chọn ngôn ngữ" not in out[-1].text
    assert "tổ dân phố số mấy" in out[-1].text
    await a.send("5")
    out = await a.send("/start")
    assert "nhận thông báo" in out[-1].text and "🔔 Có, nhận thông báo" in out[-1].button_labels


async def test_resident_of_another_ward_is_not_offered_ward_notices_she_cannot_get(harness):
    # Bà Tư lives in phường Nghĩa Đô; she only wants the guides.
    a = harness.actor(1005, "Bà Tư")
    await a.send("/start")
    await a.press("Tiếng Việt")
    await a.press("Bác")
    out = await a.press("Phường khác")
    assert "Tây Hồ và phường Phú Thượng" in out[0].text
    assert not any("nhận thông báo của phường" in m.text for m in out)
    assert "Bác cần giúp gì" in out[-1].text
    out = await a.send("/start")
    assert "Bác cần giúp gì" in out[-1].text


async def test_guide_buttons_in_the_ward_category_are_short_enough_to_read(harness):
    # The "Liên hệ phường" button used to list every word a resident might search for.
    a = await harness.onboarded()
    out = await a.press("Liên hệ phường")
    assert all(len(label) <= 64 for label in out[-1].button_labels), out[-1].button_labels
    for guide in harness.app.content.guides.values():
        assert len(guide.title.vi) <= 60, guide.id


async def test_photo_with_words_under_it_gets_an_answer_to_the_words(harness):
    # Bác Lan sends a screenshot and types her question as its caption.
    a = await harness.onboarded()
    out = await a.send_media("photo", "cai ihanoi ntn")
    assert "chưa xem được ảnh" in out[0].text
    assert "📘 Cài ứng dụng iHanoi" in out[-1].text
    # without words the answer is as before: type, or send the photo to staff
    out = await a.send_media("photo")
    assert "Hỏi cán bộ phường" in out[-1].text


async def test_resident_who_types_that_she_is_stuck_gets_help_for_the_step_she_is_on(harness):
    a = await harness.onboarded()
    await a.send("/start vneid-activate")
    await a.press("Tiếp")
    out = await a.send("bác bị kẹt rồi")
    assert "Hỏi cán bộ phường" in out[-1].text
    assert "🙋 Hỏi cán bộ phường" in out[-1].button_labels and "◀ Xem lại bước này" in out[-1].button_labels
    _m, b = a.last_with_button("Hỏi cán bộ phường")
    assert b["callback_data"] == "ask:vneid-activate:1"
    out = await a.send("I am stuck")
    assert "🙋 Hỏi cán bộ phường" in out[-1].button_labels


async def test_typed_yes_or_no_answers_the_question_of_the_step_she_is_on(harness):
    # At a step that asks "Bác đã nhập OTP … chưa?", "có rồi" goes on and "chưa" is "I'm stuck here";
    # before, both were read as new questions and opened unrelated guides.
    a = await harness.onboarded()
    steps = harness.app.content.guide("vneid-activate").steps
    otp = next(i for i, s in enumerate(steps) if s.check and "OTP" in s.check.vi)
    await a.send("/start vneid-activate")
    for _ in range(otp):
        out = await a.send("tiep")
    assert f"Bước {otp + 1}/" in out[-1].text and "❓" in out[-1].text
    out = await a.send("có rồi ạ")
    assert f"Bước {otp + 2}/" in out[-1].text
    await a.send("quay lai")
    out = await a.send("chua")
    assert any("ai mới làm cũng có lúc vướng" in m.text for m in out)
    # a real question at that step is still a question
    out = await a.send("quên mật khẩu vneid thì làm sao")
    assert f"Bước {otp + 1}/" not in out[-1].text
    # at a step that asks nothing, "chưa" is still "not yet": help, not "cháu chưa hướng dẫn được"
    await a.send("/start ihanoi-install")
    out = await a.send("chưa")
    assert any("ai mới làm cũng có lúc vướng" in m.text for m in out)
    assert not any("chưa hướng dẫn được" in m.text for m in out)


async def test_typed_yes_at_the_last_step_finishes_the_guide(harness):
    a = await harness.onboarded()
    guide = harness.app.content.guide("zalo-group")
    assert guide is not None
    last = len(guide.steps) - 1
    out = await a.press_data(f"g:zalo-group:{last}")
    assert f"Bước {last + 1}/{last + 1}" in out[-1].text
    out = await a.send("được rồi cháu ạ")
    assert any("Bác đã làm xong" in m.text for m in out)


async def test_onboarding_accepts_a_typed_ward_and_a_typed_to(harness):
    # Bác Lan types her ward instead of pressing its button, then "to5" for her tổ dân phố.
    a = harness.actor(1005)
    await a.send("/start")
    await a.press("Tiếng Việt")
    out = await a.send("phuong phu thuong")
    assert "tổ dân phố" in out[-1].text.lower()
    out = await a.send("to5")
    resident = await harness.app.residents.identify("telegram", 1005)
    assert resident.ward_id == "phu-thuong" and resident.neighbourhood == "5"
    # a ward the bot does not serve, typed, is not taken for one of ours
    b = harness.actor(1006)
    await b.send("/start")
    await b.press("Tiếng Việt")
    await b.send("phường Bách Khoa")
    other = await harness.app.residents.identify("telegram", 1006)
    assert other.ward_id is None
