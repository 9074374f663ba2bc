"""The console's tickets: ward scoping, the answer reaching the resident and the staff group, escaping, closing."""

from __future__ import annotations

from tests.telegram.test_helpdesk_roundtrip import GROUP, staff_group, ticket_in_topic
from tests.web.console_kit import csrf_of, signed_in

STAFF = 2001
OTHER_GROUP = -1002000000099  # Phú Thượng's staff group
OTHER_STAFF = 2101


async def test_an_answer_from_the_web_reaches_the_resident_and_the_staff_topic(harness):
    lan, thread = await ticket_in_topic(harness, "không đăng nhập được VNeID, số CCCD 001234567890")
    async with signed_in(harness) as web:
        inbox = await web.get("/tickets")
        assert "#1" in inbox.text and "Bác Lan" in inbox.text and "không đăng nhập được VNeID" in inbox.text
        page = await web.get("/tickets/1")
        # masked as in the staff group; the resident's question is there
        assert "001234567890" not in page.text and "không đăng nhập được VNeID" in page.text
        before = len(harness.fake.messages_to(lan.chat_id))
        r = await web.post("/tickets/1/answer", data={"csrf": csrf_of(page.text), "text": "Bác mở ứng dụng VNeID nhé"})
        assert r.status_code == 303 and r.headers["location"] == "/tickets/1?done=answer"
        done = await web.get(r.headers["location"])
        assert "Đã gửi trả lời cho người dân" in done.text and "Bác mở ứng dụng VNeID nhé" in done.text
    got = harness.fake.messages_to(lan.chat_id)[before:]
    assert [m.text for m in got] and "Cán bộ phường trả lời: Bác mở ứng dụng VNeID nhé" in got[-1].text
    echo = harness.fake.last_to(GROUP)
    assert echo.thread_id == thread and "Cán bộ Hà trả lời phiếu #1 từ trang quản trị" in echo.text
    # the same ticket, answered once, is now waiting for the resident
    async with signed_in(harness) as web:
        assert "#1" not in (await web.get("/tickets")).text
        assert "#1" in (await web.get("/tickets", params={"box": "waiting"})).text


async def test_staff_of_another_ward_get_404_for_this_wards_ticket(harness):
    await ticket_in_topic(harness)
    await staff_group(harness, forum=False, chat_id=OTHER_GROUP, ward="phu-thuong", staff_ids=(OTHER_STAFF,))
    async with signed_in(harness, OTHER_STAFF, "Cán bộ Phú Thượng") as web:
        page = await web.get("/tickets")
        assert "#1" not in page.text and "Không có phiếu nào" in page.text
        assert "#1" not in (await web.get("/tickets", params={"ward": "tay-ho", "box": "all"})).text
        assert (await web.get("/tickets/1")).status_code == 404
        csrf = csrf_of(page.text)
        for action in ("answer", "note", "close"):
            r = await web.post(f"/tickets/1/{action}", data={"csrf": csrf, "text": "xin chào"})
            assert r.status_code == 404, action
    async with signed_in(harness) as web:  # nothing reached the ticket
        page = await web.get("/tickets/1")
        assert "xin chào" not in page.text


async def test_html_in_every_text_field_is_shown_as_text(harness):
    script = "<script>alert('x')</script><b>đậm</b>"
    lan, _ = await ticket_in_topic(harness, f"câu hỏi {script}")
    async with signed_in(harness) as web:
        inbox = await web.get("/tickets", params={"q": script})
        page = await web.get("/tickets/1")
        csrf = csrf_of(page.text)
        await web.post("/tickets/1/note", data={"csrf": csrf, "text": f"ghi chú {script}"})
        page = await web.get("/tickets/1")
        for html in (inbox.text, page.text):
            assert "<script>" not in html and "<b>đậm" not in html
        assert page.text.count("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") == 2  # the question, the note
        assert "Ghi chú nội bộ" in page.text
    assert all("ghi chú" not in m.text for m in harness.fake.messages_to(lan.chat_id))  # a note stays inside


async def test_an_empty_or_too_long_answer_is_refused_and_kept_in_the_box(harness):
    lan, _ = await ticket_in_topic(harness)
    before = len(harness.fake.messages_to(lan.chat_id))
    async with signed_in(harness) as web:
        csrf = csrf_of((await web.get("/tickets/1")).text)
        r = await web.post("/tickets/1/answer", data={"csrf": csrf, "text": "   "})
        assert r.status_code == 400 and "Nội dung đang trống" in r.text
        long = "dài " * 1200
        r = await web.post("/tickets/1/answer", data={"csrf": csrf, "text": long})
        assert r.status_code == 400 and "dài quá 4000 ký tự" in r.text and long.strip()[:200] in r.text
    assert len(harness.fake.messages_to(lan.chat_id)) == before


async def test_closing_asks_first_then_tells_the_resident_and_the_group(harness):
    lan, thread = await ticket_in_topic(harness)
    async with signed_in(harness) as web:
        confirm = await web.get("/tickets/1/close")
        assert "Đóng phiếu #1?" in confirm.text
        r = await web.post("/tickets/1/close", data={"csrf": csrf_of(confirm.text)})
        assert r.status_code == 303
        page = await web.get(r.headers["location"])
        assert "Đã đóng phiếu #1" in page.text and "Gửi trả lời" not in page.text
        assert "#1" in (await web.get("/tickets", params={"box": "closed"})).text
        audit = await web.get("/audit")
        assert audit.status_code == 403
    assert (
        "Bác đã xong việc chưa" in harness.fake.last_to(lan.chat_id).text or harness.fake.last_to(lan.chat_id).buttons
    )
    assert harness.fake.last_to(GROUP).thread_id == thread


async def test_search_finds_a_ticket_by_its_words_or_number(harness):
    await ticket_in_topic(harness, "quên mật khẩu VNeID")
    async with signed_in(harness) as web:
        assert "#1" in (await web.get("/tickets", params={"q": "mật khẩu", "box": "all"})).text
        assert "#1" in (await web.get("/tickets", params={"q": "#1", "box": "all"})).text
        assert "#1" not in (await web.get("/tickets", params={"q": "thuế đất", "box": "all"})).text
        assert "#1" not in (await web.get("/tickets", params={"age": 1})).text  # sent today, not older than a day
        assert "#1" in (await web.get("/tickets", params={"age": 5})).text  # not an offered choice: any age
