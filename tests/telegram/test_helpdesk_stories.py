"""Help-desk stories found by trying the bot as an elderly resident and as ward staff (QA, 2026-11-27)."""

from __future__ import annotations

from tests.telegram.test_helpdesk_roundtrip import GROUP, staff_group, topic_message


async def test_resident_who_types_menu_while_asked_for_a_question_gets_the_menu_not_a_draft(harness):
    # Bác Lan pressed "Hỏi cán bộ phường", then changed her mind and typed /menu.
    await staff_group(harness)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    out = await lan.send("/menu")
    assert "Bác cần giúp gì" in out[-1].text
    assert not any("Bác xem lại câu hỏi" in m.text for m in out)
    # Her next words are a question for the guides again, not a question for staff.
    out = await lan.send("cài iHanoi thế nào")
    assert "📘 Cài ứng dụng iHanoi" in out[-1].text
    # A deep link opened while writing opens the guide.
    await lan.send("/menu")
    await lan.press("Hỏi cán bộ phường")
    out = await lan.send("/start scam-safety")
    assert out[-1].text.startswith("📘 ") and "Bước 1/" in out[-1].text


async def test_question_typed_in_two_messages_reaches_staff_whole(harness):
    # Bác Lan presses Enter too early: her question arrives in two messages, then she adds a photo.
    await staff_group(harness)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send("chau oi bac ko dang nhap dc vneid")
    out = await lan.send("no cu bao sai mat khau")
    assert "bac ko dang nhap dc vneid" in out[-1].text and "no cu bao sai mat khau" in out[-1].text
    out = await lan.send_media("photo")
    assert "bac ko dang nhap dc vneid" in out[-1].text and "ảnh" in out[-1].text
    await lan.press("Gửi cho cán bộ")
    staff_side = "\n".join(m.text for m in harness.fake.messages_to(GROUP))
    assert "bac ko dang nhap dc vneid" in staff_side and "no cu bao sai mat khau" in staff_side
    assert any(m.method == "copymessage" for m in harness.fake.messages_to(GROUP))
    # "Viết lại" still starts the question afresh.
    await lan.press("Xong rồi, đóng câu hỏi")
    await lan.press("Có, đóng câu hỏi")
    await lan.send("/menu")
    await lan.press("Hỏi cán bộ phường")
    await lan.send("cau hoi sai")
    await lan.press("Viết lại")
    out = await lan.send("cau hoi dung")
    assert "cau hoi dung" in out[-1].text and "cau hoi sai" not in out[-1].text


async def test_staff_who_answered_then_presses_nhan_is_told_the_ticket_is_theirs(harness):
    # Hà answers straight away (answering claims the ticket), then presses "Nhận" on the card out of habit.
    await staff_group(harness)
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send("bac hoi ve vneid")
    await lan.press("Gửi cho cán bộ")
    ((thread, _),) = harness.fake.topics[GROUP]
    card = harness.fake.messages_to(GROUP)[-1]
    await ha.send("Bác đợi cháu một chút nhé", thread_id=thread, reply_to=topic_message(thread))
    await ha.press_data("tk:claim:1", card)
    answer = harness.fake.callback_answers[-1]
    assert "người nhận trước" not in answer.get("text", "")
    assert "Đã nhận phiếu #1" in answer["text"]


async def test_staff_send_a_guide_by_its_name_without_knowing_its_code(harness):
    await staff_group(harness)
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send("bac muon cai ihanoi")
    await lan.press("Gửi cho cán bộ")
    ((thread, _),) = harness.fake.topics[GROUP]
    # /guide alone lists every guide with its code and title
    out = await ha.send("/guide", thread_id=thread, reply_to=topic_message(thread))
    for gid, guide in harness.app.content.guides.items():
        assert f"{gid} – {guide.title.vi}" in out[-1].text
    # the title as it appears in the bot, or a few words, are enough
    out = await ha.send("/guide Cài ứng dụng iHanoi", thread_id=thread, reply_to=topic_message(thread))
    assert "Đã gửi hướng dẫn “Cài ứng dụng iHanoi”" in out[-1].text
    assert "📘 Cài ứng dụng iHanoi\nBước 1/" in harness.fake.last_to(1001).text
    out = await ha.send("/guide quen mat khau vneid", thread_id=thread, reply_to=topic_message(thread))
    assert "Đã gửi hướng dẫn" in out[-1].text and "VNeID" in out[-1].text
    out = await ha.send("/guide thời tiết", thread_id=thread, reply_to=topic_message(thread))
    assert "Không có hướng dẫn “thời tiết”" in out[-1].text and "ihanoi-install – Cài ứng dụng iHanoi" in out[-1].text


async def test_group_member_without_the_staff_role_is_told_their_answer_did_not_go_out(harness):
    # Chị Mai joined the staff group but nobody gave her the staff role yet; she answers in the topic.
    await staff_group(harness)
    mai = harness.actor(2002, "Chị Mai", chat_id=GROUP)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send("bac hoi ve tien dien")
    await lan.press("Gửi cho cán bộ")
    ((thread, _),) = harness.fake.topics[GROUP]
    before = len(harness.fake.sent)
    out = await mai.send("Bác vào app ngân hàng nhé", thread_id=thread, reply_to=topic_message(thread))
    assert harness.fake.messages_to(1001, before) == []
    assert "chưa được chuyển cho người dân" in out[-1].text and "/grant_staff" in out[-1].text


async def test_resident_of_another_ward_who_asks_staff_is_told_where_to_turn(harness):
    await staff_group(harness)
    a = harness.actor(1005, "Bà Tư")
    await a.send("/start")
    await a.press("Tiếng Việt")
    await a.press("Bác")
    await a.press("Phường khác")
    await a.send("/menu")
    out = await a.press("Hỏi cán bộ phường")
    assert "chọn phường của bác trước" not in out[-1].text
    assert "UBND phường nơi bác ở" in out[-1].text and "1022" in out[-1].text
    assert {"🏘 Chọn phường", "🏠 Về menu"} <= set(out[-1].button_labels)


async def test_staff_typo_in_a_command_inside_a_ticket_topic_gets_a_hint_not_silence(harness):
    await staff_group(harness)
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send("bac muon cai ihanoi")
    await lan.press("Gửi cho cán bộ")
    ((thread, _),) = harness.fake.topics[GROUP]
    before = len(harness.fake.sent)
    out = await ha.send("/gude ihanoi-install", thread_id=thread, reply_to=topic_message(thread))
    assert "/guide" in out[-1].text and "/note" in out[-1].text
    assert harness.fake.messages_to(1001, before) == []
    # outside any ticket the group stays quiet (other features may own the command)
    out = await ha.send("/gude")
    assert out == []


async def test_admin_granting_by_id_someone_the_bot_never_saw_is_told_who(harness):
    harness.fake.forum_chats.add(GROUP)
    admin = harness.actor(9001, "Quản trị", chat_id=GROUP)
    await admin.send("/bind_ward tay-ho")
    out = await admin.send("/grant_staff 2077")
    assert "Đã cấp quyền cán bộ Phường Tây Hồ cho" in out[-1].text
    assert "cho ." not in out[-1].text and "2077" in out[-1].text


async def test_sticker_while_a_question_is_open_is_not_answered_with_ask_staff_again(harness):
    await staff_group(harness)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send("bac hoi ve vneid")
    await lan.press("Gửi cho cán bộ")
    before = len(harness.fake.messages_to(GROUP))
    out = await lan.send_media("sticker")
    assert "Hỏi cán bộ phường" not in out[-1].text
    assert "#1" in out[-1].text and "✅ Xong rồi, đóng câu hỏi" in out[-1].button_labels
    assert len(harness.fake.messages_to(GROUP)) == before  # nothing for staff to read


async def test_photo_answer_from_staff_keeps_the_close_and_menu_buttons(harness):
    # Hà answers with a screenshot; Bác Lan must still be able to close her question or go to the menu.
    await staff_group(harness)
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send("nut dang nhap o dau")
    await lan.press("Gửi cho cán bộ")
    ((thread, _),) = harness.fake.topics[GROUP]
    await ha.send_media("photo", "bác bấm vào nút này", thread_id=thread, reply_to=topic_message(thread))
    photo = harness.fake.last_to(1001)
    assert photo.method == "copymessage"
    assert {"✅ Xong rồi, đóng câu hỏi", "🏠 Về menu"} <= set(photo.button_labels)
    out = await lan.press("Xong rồi, đóng câu hỏi")
    assert "chắc chắn muốn đóng câu hỏi #1" in out[0].text  # asked first: the close is not undone by a slip
    out = await lan.press("Có, đóng câu hỏi")
    assert "đã đóng câu hỏi #1" in out[0].text


async def test_old_da_xong_pressed_after_the_question_reopened_does_not_tell_staff_it_is_solved(harness):
    # Hà closed the question; Bác Lan wrote again (it reopened), then pressed the old "✅ Đã xong" button.
    await staff_group(harness)
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send("bac hoi ve vneid")
    await lan.press("Gửi cho cán bộ")
    await ha.press_data("tk:close:1")
    await ha.press("Có, đóng")
    old, _ = lan.last_with_button("Đã xong")
    await lan.send("chau oi bac van chua lam duoc")
    before = len(harness.fake.messages_to(GROUP))
    out = await lan.press_data("hd:ok:1:1", old)
    assert not any("đã xong" in m.text.lower() for m in harness.fake.messages_to(GROUP)[before:])
    assert "Không tìm thấy" not in out[-1].text and "⭐" not in " ".join(out[-1].button_labels)
    assert "#1" in out[-1].text and "✅ Xong rồi, đóng câu hỏi" in out[-1].button_labels
    # Closing it from there still leads to a rating that works.
    await lan.press("Xong rồi, đóng câu hỏi")
    await lan.press("Có, đóng câu hỏi")
    out = await lan.press("5⭐")
    assert "Không tìm thấy" not in out[-1].text


async def test_stuck_on_a_step_with_a_question_already_open_tells_staff_where_she_is(harness):
    await staff_group(harness)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send("bac hoi ve vneid")
    await lan.press("Gửi cho cán bộ")
    await lan.send("/menu")
    await lan.press("VNeID – định danh")
    await lan.press("Cài VNeID và kích hoạt")
    await lan.press("Tiếp")
    await lan.press("Tôi bị kẹt")
    out = await lan.press("Hỏi cán bộ phường")
    assert "#1" in out[-1].text
    staff_side = harness.fake.last_to(GROUP).text
    assert "Bước 2/" in staff_side and "Cài VNeID và kích hoạt" in staff_side and "#1" in staff_side


async def test_staff_typing_in_the_old_topic_after_a_move_are_told_where_it_went(harness):
    await staff_group(harness)
    await staff_group(harness, chat_id=-1002000000002, ward="phu-thuong", forum=False, staff_ids=(2003,))
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send("nha bac o phu thuong")
    await lan.press("Gửi cho cán bộ")
    ((thread, _),) = harness.fake.topics[GROUP]
    await ha.press_data("tk:move:1")
    await ha.press("Phú Thượng")
    before = len(harness.fake.messages_to(1001))
    out = await ha.send("Bác ơi cháu hỏi thêm", thread_id=thread, reply_to=topic_message(thread))
    assert out and "#1" in out[-1].text and "Phường Phú Thượng" in out[-1].text
    assert len(harness.fake.messages_to(1001)) == before


async def test_double_press_on_gui_cho_can_bo_is_acknowledged_quietly(harness):
    await staff_group(harness)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send("bac hoi ve vneid")
    m, _ = lan.last_with_button("Gửi cho cán bộ")
    out = await lan.press_data("hd:send", m)
    assert "Số phiếu của bác: #1" in out[-1].text
    out = await lan.press_data("hd:send", m)
    assert out == []
    assert harness.fake.callback_answers[-1].get("show_alert") is not True


async def test_video_video_note_and_audio_go_to_staff_like_photos(harness):
    await staff_group(harness)
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send("bac hoi ve vneid")
    await lan.press("Gửi cho cán bộ")
    for kind in ("video", "video_note", "audio"):
        before = len(harness.fake.messages_to(GROUP))
        out = await lan.send_media(kind)
        assert "chưa chuyển được" not in out[-1].text, kind
        new = harness.fake.messages_to(GROUP)[before:]
        assert any(m.method == "copymessage" for m in new), kind
