"""Staff side of the help desk: who may act, concurrent claims, moving wards, SLA reminders, digests."""

from __future__ import annotations

import asyncio

from bot.adapters.telegram.desk_sender import DeskSender
from bot.app.tickets import Status
from tests.telegram.test_helpdesk_roundtrip import ADMIN, GROUP, staff_group, topic_message

PT_GROUP = -1002000000009  # Phú Thượng's staff group


async def open_ticket(harness, text: str = "bác cần hỏi cán bộ", user_id: int = 1001):
    resident = await harness.onboarded(user_id)
    await resident.press("Hỏi cán bộ phường")
    await resident.send(text)
    await resident.press("Gửi cho cán bộ")
    return resident


async def test_staff_of_another_ward_cannot_act_on_this_wards_tickets(harness):
    await staff_group(harness)
    await staff_group(harness, chat_id=PT_GROUP, ward="phu-thuong", staff_ids=(2003,))
    await open_ticket(harness)
    ((thread, _),) = harness.fake.topics[GROUP]
    outsider = harness.actor(2003, "Cán bộ Phú Thượng", chat_id=GROUP)
    await outsider.press_data("tk:claim:1")
    assert "không có quyền" in harness.fake.callback_answers[-1]["text"]
    await outsider.press_data("tk:close:1")
    assert "không có quyền" in harness.fake.callback_answers[-1]["text"]
    before = len(harness.fake.sent)
    await outsider.send("để tôi trả lời", thread_id=thread, reply_to=topic_message(thread))
    assert harness.fake.messages_to(1001, before) == []  # not relayed
    out = await outsider.send("/note ghi chú", thread_id=thread, reply_to=topic_message(thread))
    assert "không có quyền" in out[-1].text
    ticket = await harness.app.helpdesk.tickets.get(1)
    assert ticket.status == Status.OPEN and ticket.assignee_id is None


async def test_a_resident_cannot_reach_staff_commands(harness):
    await staff_group(harness)
    lan = await open_ticket(harness)
    # in her private chat staff commands are unknown commands
    for cmd in ("/bind_ward tay-ho", "/grant_staff 1001", "/note hi", "/guide epay-qr"):
        out = await lan.send(cmd)
        assert "không hiểu lệnh" in out[-1].text
    # a resident who is a member of the staff group cannot act either
    ((thread, _),) = harness.fake.topics[GROUP]
    in_group = harness.actor(1002, "Ông Minh", chat_id=GROUP)
    out = await in_group.send("/bind_ward phu-thuong")
    assert "quản trị viên" in out[-1].text
    out = await in_group.send("/grant_staff 1002")
    assert "quản trị viên" in out[-1].text
    out = await in_group.send("/note xem trộm", thread_id=thread, reply_to=topic_message(thread))
    assert "không có quyền" in out[-1].text
    await in_group.press_data("tk:claim:1")
    assert "không có quyền" in harness.fake.callback_answers[-1]["text"]
    assert (await harness.app.helpdesk.tickets.group(GROUP)).ward_id == "tay-ho"


async def test_two_staff_press_nhan_at_once_one_wins_and_the_other_is_told(harness):
    await staff_group(harness, staff_ids=(2001, 2002))
    await open_ticket(harness)
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    binh = harness.actor(2002, "Cán bộ Bình", chat_id=GROUP)
    await asyncio.gather(ha.press_data("tk:claim:1"), binh.press_data("tk:claim:1"))
    answers = sorted(a.get("text", "") for a in harness.fake.callback_answers[-2:])
    assert answers[1].startswith("Đã nhận phiếu #1") and "đã có người nhận trước" in answers[0]  # sorted: "P" < "Đ"
    assert len([m for m in harness.fake.messages_to(GROUP) if "đã nhận phiếu #1" in m.text]) == 1


async def test_staff_move_a_ticket_to_the_other_ward(harness):
    await staff_group(harness)
    await staff_group(harness, chat_id=PT_GROUP, ward="phu-thuong", forum=False, staff_ids=(2003,))
    await open_ticket(harness, "nhà bác ở Phú Thượng")
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    await ha.press_data("tk:move:1")
    assert "sang phường nào" in harness.fake.last_to(GROUP).text
    await ha.press("Phú Thượng")
    assert "Phiếu #1" in harness.fake.messages_to(PT_GROUP)[-2].text
    assert "chuyển cho cán bộ Phường Phú Thượng" in harness.fake.last_to(1001).text
    ticket = await harness.app.helpdesk.tickets.get(1)
    assert ticket.ward_id == "phu-thuong" and ticket.staff_chat_id == PT_GROUP


async def test_staff_send_a_guide_to_the_resident(harness):
    await staff_group(harness)
    await open_ticket(harness)
    ((thread, _),) = harness.fake.topics[GROUP]
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    out = await ha.send("/guide epay-qr", thread_id=thread, reply_to=topic_message(thread))
    assert "Đã gửi hướng dẫn" in out[-1].text
    texts = [m.text for m in harness.fake.messages_to(1001)[-2:]]
    assert "Cán bộ phường gửi bác hướng dẫn" in texts[0] and "Bước 1/" in texts[1]


async def test_sla_reminds_escalates_and_sends_a_daily_digest(harness):
    await staff_group(harness)
    await harness.actor(ADMIN, "Quản trị", chat_id=GROUP).send("/sla 15 2")
    await open_ticket(harness)
    desk, sender = harness.app.helpdesk, DeskSender(harness.bot)
    # 09:00 Wednesday: the digest of the day goes out once
    await desk.sla_tick(sender, harness.clock.now())
    assert "Phiếu đang mở của Phường Tây Hồ (1)" in harness.fake.last_to(GROUP).text
    harness.clock.advance(minutes=20)
    await desk.sla_tick(sender, harness.clock.now())
    assert "chưa có ai nhận sau 15 phút" in harness.fake.last_to(GROUP).text
    await harness.actor(2001, "Cán bộ Hà", chat_id=GROUP).press_data("tk:claim:1")
    harness.clock.advance(hours=4)  # 13:20: 2h40 of working time since the claim at 09:20
    before = len(harness.fake.sent)
    assert await desk.sla_tick(sender, harness.clock.now()) == 1
    assert "chưa trả lời sau 2 giờ làm việc" in harness.fake.last_to(GROUP).text
    assert (
        "Cán bộ Hà nhận nhưng chưa trả lời" in harness.fake.messages_to(ADMIN, before)[-1].text
    )  # no official: admins
    assert (await desk.tickets.get(1)).assignee_id is None
    assert await desk.sla_tick(sender, harness.clock.now()) == 0  # nothing twice


async def test_bot_removed_from_the_group_event_queues_tickets(harness):
    await staff_group(harness)
    await open_ticket(harness)
    await harness.actor(ADMIN, "Quản trị", chat_id=GROUP).raw(
        {
            "my_chat_member": {
                "chat": {"id": GROUP, "type": "supergroup", "title": "Cán bộ"},
                "from": {"id": ADMIN, "is_bot": False, "first_name": "Quản trị"},
                "date": 0,
                "old_chat_member": {"status": "member", "user": {"id": 42, "is_bot": True, "first_name": "Bot"}},
                "new_chat_member": {
                    "status": "kicked",
                    "user": {"id": 42, "is_bot": True, "first_name": "Bot"},
                    "until_date": 0,
                },
            }
        }
    )
    assert "bị xóa khỏi nhóm cán bộ" in harness.fake.last_to(ADMIN).text
    assert [t.id for t in await harness.app.helpdesk.tickets.queued()] == [1]


async def test_staff_group_upgraded_to_supergroup_is_followed(harness):
    old_group, new_group = -5000001, -1002000000077
    await staff_group(harness, forum=False, chat_id=old_group)
    await open_ticket(harness, "hỏi trước khi nhóm nâng cấp")
    await harness.actor(ADMIN, "Quản trị", chat_id=new_group).raw(
        {
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": new_group, "type": "supergroup", "title": "Cán bộ"},
                "from": {"id": ADMIN, "is_bot": False, "first_name": "Quản trị"},
                "migrate_from_chat_id": old_group,
            }
        }
    )
    assert any("hỏi trước khi nhóm nâng cấp" in m.text for m in harness.fake.messages_to(new_group))
    desk = harness.app.helpdesk
    assert (await desk.tickets.get(1)).staff_chat_id == new_group
    assert (await desk.tickets.group_for_ward("tay-ho")).chat_id == new_group


async def test_a_resident_cannot_close_or_rate_someone_elses_ticket(harness):
    await staff_group(harness)
    await open_ticket(harness, user_id=1001)
    minh = await harness.onboarded(1002)
    out = await minh.press_data("hd:close:1")
    assert "Không tìm thấy câu hỏi này" in out[-1].text
    out = await minh.press_data("hd:rate:1:1")
    assert "Không tìm thấy câu hỏi này" in out[-1].text
    out = await minh.send("/mytickets")
    assert "chưa gửi câu hỏi nào" in out[-1].text
    assert (await harness.app.helpdesk.tickets.get(1)).status == Status.OPEN


async def test_two_staff_press_nhan_at_once_on_postgres(pg_url, fake, clock):
    from tests.conftest import make_settings
    from tests.harness import Harness

    harness = await Harness(make_settings(pg_url), fake, clock).start()
    try:
        await staff_group(harness, staff_ids=(2001, 2002))
        for n in (1, 2, 3):
            await open_ticket(harness, f"câu hỏi {n}", user_id=1000 + n)
            ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
            binh = harness.actor(2002, "Cán bộ Bình", chat_id=GROUP)
            await asyncio.gather(ha.press_data(f"tk:claim:{n}"), binh.press_data(f"tk:claim:{n}"))
            answers = sorted(a.get("text", "") for a in harness.fake.callback_answers[-2:])
            assert answers[1].startswith(f"Đã nhận phiếu #{n}") and "đã có người nhận trước" in answers[0]
            assert len([m for m in harness.fake.messages_to(GROUP) if f"đã nhận phiếu #{n}." in m.text]) == 1
    finally:
        await harness.stop()


async def test_without_topic_rights_the_ticket_is_a_card_with_buttons(harness):
    await staff_group(harness)
    harness.fake.fail_next["createforumtopic"].append((400, "Bad Request: not enough rights to create a topic"))
    await open_ticket(harness, "hỏi khi bot chưa có quyền chủ đề")
    card = harness.fake.last_to(GROUP)
    assert "Phiếu #1" in card.text and card.thread_id is None and "✋ Nhận" in card.button_labels
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    await ha.send("Cháu nhận được rồi ạ", reply_to=card)
    assert "Cán bộ phường trả lời: Cháu nhận được rồi ạ" in harness.fake.last_to(1001).text


async def test_admin_sets_reminders_and_working_hours_for_the_ward(harness):
    admin = await staff_group(harness)
    out = await admin.send("/sla 20 3")
    assert "chưa ai nhận sau 20 phút, chưa trả lời sau 3 giờ làm việc" in out[-1].text
    out = await admin.send("/hours mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30")
    assert "T2–T6 07:30–11:30, 13:30–17:00; T7 07:30–11:30" in out[-1].text
    out = await admin.send("/hours thứ hai cả ngày")
    assert "Cách dùng: /hours" in out[-1].text
    out = await harness.actor(2001, "Cán bộ Hà", chat_id=GROUP).send("/sla 1 1")
    assert "quản trị viên" in out[-1].text
    lan = await harness.onboarded()
    await lan.press("Hỏi cán bộ phường")
    await lan.send("hỏi")
    out = await lan.press("Gửi cho cán bộ")
    assert "T7 07:30–11:30" in out[-1].text and "muộn nhất 14:00 hôm nay" in out[-1].text


async def test_voice_from_the_resident_and_a_photo_from_staff_are_copied(harness):
    await staff_group(harness)
    lan = await open_ticket(harness)
    ((thread, _),) = harness.fake.topics[GROUP]
    await lan.send_media("voice")
    to_staff = harness.fake.last_to(GROUP)
    assert to_staff.method == "copymessage" and to_staff.thread_id == thread
    assert "Bác Lan (#1) gửi ghi âm" in to_staff.text
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    await ha.send_media("photo", "bác bấm vào nút này", thread_id=thread, reply_to=topic_message(thread))
    to_resident = harness.fake.last_to(1001)
    assert to_resident.method == "copymessage"
    assert to_resident.text == "💬 Cán bộ phường trả lời: bác bấm vào nút này"


async def test_help_in_the_staff_group_lists_the_group_commands_for_staff_only(harness):
    admin = harness.actor(9001, "Admin").in_chat(-1002000000077)
    await admin.send("/bind_ward tay-ho")
    out = await admin.send("/help")
    assert "Lệnh trong nhóm cán bộ" in out[-1].text and "/unbind_ward" in out[-1].text
    neighbour = harness.actor(1777, "Bác Tư").in_chat(-1002000000077)
    assert await neighbour.send("/help") == []  # a resident's /help in a group: nothing posted there
