"""The inbox's assignee and tổ filters, and taking or giving a ticket from the web (issue 12).

Taking it is the staff group's "✋ Nhận" (the same use case): the group reads the same line either way.
"""

from __future__ import annotations

import re

import pytest

from bot.adapters.db.uow import SqlTransactions
from bot.app.residents import Role
from bot.app.tickets import Incoming, NotAllowed, Status, TicketClosed
from tests.db.test_tickets import setup
from tests.telegram.test_helpdesk_roundtrip import ADMIN, GROUP, staff_group, ticket_in_topic
from tests.web.console_kit import csrf_of, signed_in, web_token

HA, MINH = 2001, 2002  # staff of Tây Hồ
OTHER_GROUP = -1002000000099  # Phú Thượng's staff group
OTHER_STAFF = 2101
SHOWN = re.compile(r'href="/tickets/(\d+)"')


def shown(html: str) -> set[int]:
    """The tickets an inbox page lists."""
    return {int(n) for n in SHOWN.findall(html)}


def option_value(html: str, label: str) -> str:
    m = re.search(r'<option value="([^"]*)"[^>]*>' + re.escape(label) + "</option>", html)
    assert m, f"no option {label!r}"
    return m.group(1)


def card(harness, number: int):
    """The ticket's card in the staff group (the message with its "✋ Nhận" button)."""
    for m in reversed(harness.fake.sent):
        if m.chat_id == GROUP and m.text.startswith(f"🆕 Phiếu #{number} ") and m.buttons:
            return m
    raise AssertionError(f"no card for #{number}")


async def ward_with_tickets(harness, tdps=("5", "7", "5")):
    """Tây Hồ's group with Hà and Minh as staff; one resident's ticket per tổ in `tdps` (#1, #2, …)."""
    await staff_group(harness, staff_ids=(HA, MINH))
    await web_token(harness, MINH, "Cán bộ Minh")  # Minh has written to the bot: his name is known
    for i, tdp in enumerate(tdps):
        resident = await harness.onboarded(user_id=1001 + i, tdp=tdp)
        await resident.press("Hỏi cán bộ phường")
        await resident.send(f"câu hỏi số {i + 1} của tổ {tdp}")
        await resident.press("Gửi cho cán bộ")


async def test_the_inbox_filters_by_assignee_and_by_to(harness):
    await ward_with_tickets(harness)
    # Hà takes #1 and Minh #3, in Telegram; #2 stays with nobody
    await harness.actor(HA, "Cán bộ Hà", chat_id=GROUP).press_data("tk:claim:1", card(harness, 1))
    await harness.actor(MINH, "Cán bộ Minh", chat_id=GROUP).press_data("tk:claim:3", card(harness, 3))
    async with signed_in(harness, HA, "Cán bộ Hà") as web:
        everything = await web.get("/tickets", params={"box": "all"})
        assert shown(everything.text) == {1, 2, 3}
        # each row says who has it
        assert everything.text.count("Người nhận: Cán bộ Hà") == 1
        assert everything.text.count("Người nhận: Cán bộ Minh") == 1
        assert everything.text.count("Chưa ai nhận.") == 1
        # the ward's list of tổ is unknown: the tổ seen on its tickets are offered, in order
        assert re.findall(r"<option value=\"(\w+)\"[^>]*>Tổ \w+</option>", everything.text) == ["5", "7"]
        minh = option_value(everything.text, "Cán bộ Minh")

        async def ids(**params: str) -> set[int]:
            r = await web.get("/tickets", params={"box": "all", **params})
            assert r.status_code == 200
            return shown(r.text)

        assert await ids(assignee="me") == {1}
        assert await ids(assignee="none") == {2}
        assert await ids(assignee=minh) == {3}
        assert await ids(tdp="5") == {1, 3}
        assert await ids(tdp="7") == {2}
        assert await ids(tdp="5", assignee="none") == set()
        assert await ids(tdp="5", assignee="me") == {1}
        # what it cannot use is dropped, not an error
        for bad in ({"assignee": "abc"}, {"assignee": "99999"}, {"assignee": "9" * 40}, {"tdp": "<b>9</b>"}):
            assert await ids(**bad) == {1, 2, 3}, bad
        # the filter stays chosen on the page
        page = await web.get("/tickets", params={"box": "all", "assignee": "none", "tdp": "7"})
        assert '<option value="none" selected>' in page.text and '<option value="7" selected>' in page.text


async def test_a_wards_known_list_of_to_is_what_the_filter_offers(harness, monkeypatch):
    wards = harness.app.content.wards
    monkeypatch.setitem(wards, "tay-ho", wards["tay-ho"].model_copy(update={"neighbourhoods": ["10", "2", "5"]}))
    await ward_with_tickets(harness, tdps=("5", "2"))
    async with signed_in(harness, HA, "Cán bộ Hà") as web:
        page = await web.get("/tickets", params={"box": "all"})
        assert re.findall(r"<option value=\"(\w+)\"[^>]*>Tổ \w+</option>", page.text) == ["2", "5", "10"]
        assert shown((await web.get("/tickets", params={"box": "all", "tdp": "2"})).text) == {2}
        assert shown((await web.get("/tickets", params={"box": "all", "tdp": "10"})).text) == set()
        assert shown((await web.get("/tickets", params={"box": "all", "tdp": "7"})).text) == {1, 2}  # not a tổ


async def test_taking_from_the_web_posts_the_same_line_as_the_nhan_button(harness):
    await ward_with_tickets(harness, tdps=("5", "7"))
    # Minh takes #2 with the button in the group
    await harness.actor(MINH, "Cán bộ Minh", chat_id=GROUP).press_data("tk:claim:2", card(harness, 2))
    from_telegram = harness.fake.last_to(GROUP)
    assert from_telegram.text == "✋ Cán bộ Minh đã nhận phiếu #2."
    ((thread1, _), _) = harness.fake.topics[GROUP]
    async with signed_in(harness, HA, "Cán bộ Hà") as web:
        page = await web.get("/tickets/1")
        assert "Chưa ai nhận." in page.text and "✋ Nhận xử lý" in page.text
        r = await web.post("/tickets/1/take", data={"csrf": csrf_of(page.text)})
        assert r.status_code == 303 and r.headers["location"] == "/tickets/1?done=take"
        done = await web.get(r.headers["location"])
        assert "Đã nhận phiếu #1; nhóm cán bộ đã được báo." in done.text and "Người nhận: Cán bộ Hà" in done.text
        assert "✋ Nhận xử lý" not in done.text  # taken: only "Giao cho…" is left
        inbox = await web.get("/tickets")
        assert "Người nhận: Cán bộ Hà" in inbox.text
        assert shown((await web.get("/tickets", params={"assignee": "me"})).text) == {1}
        # taking #2, which Minh has, is refused with the Telegram button's words
        page2 = await web.get("/tickets/2")
        assert "✋ Nhận xử lý" not in page2.text
        r = await web.post("/tickets/2/take", data={"csrf": csrf_of(page2.text)})
        assert r.status_code == 409 and "Phiếu #2 đã có người nhận trước rồi." in r.text
        assert "Người nhận: Cán bộ Minh" in r.text
    from_web = harness.fake.last_to(GROUP)
    assert from_web.thread_id == thread1
    assert from_web.text == from_telegram.text.replace("Cán bộ Minh", "Cán bộ Hà").replace("#2", "#1")
    # the group's "Nhận" afterwards agrees: someone has it
    await harness.actor(MINH, "Cán bộ Minh", chat_id=GROUP).press_data("tk:claim:1", card(harness, 1))
    assert "Phiếu #1 đã có người nhận trước rồi." in harness.fake.callback_answers[-1].get("text", "")
    # audited, as answering and closing are
    async with signed_in(harness, ADMIN, "Quản trị") as admin:
        audit = await admin.get("/audit")
        assert audit.status_code == 200 and "assign" in audit.text and "Cán bộ Hà" in audit.text


async def test_giving_a_ticket_to_another_staff_member_and_back(harness):
    await ward_with_tickets(harness, tdps=("5",))
    ((thread, _),) = harness.fake.topics[GROUP]
    async with signed_in(harness, HA, "Cán bộ Hà") as web:
        page = await web.get("/tickets/1")
        assert "Giao cho…" in page.text
        minh = option_value(page.text, "Cán bộ Minh")
        r = await web.post("/tickets/1/assign", data={"csrf": csrf_of(page.text), "staff": minh})
        assert r.status_code == 303 and r.headers["location"] == "/tickets/1?done=assign"
        done = await web.get(r.headers["location"])
        assert "Đã giao phiếu #1 cho Cán bộ Minh" in done.text and "Người nhận: Cán bộ Minh" in done.text
        assert shown((await web.get("/tickets", params={"assignee": "me"})).text) == set()
        assert shown((await web.get("/tickets", params={"assignee": minh})).text) == {1}
    note = harness.fake.last_to(GROUP)
    assert note.thread_id == thread
    assert note.text.splitlines() == ["✋ Cán bộ Minh đã nhận phiếu #1.", "💻 Cán bộ Hà giao phiếu từ trang quản trị."]
    async with signed_in(harness, MINH, "Cán bộ Minh") as web:
        assert shown((await web.get("/tickets", params={"assignee": "me"})).text) == {1}
        # Minh gives it back to Hà (he picks her from the list)
        page = await web.get("/tickets/1")
        ha = option_value(page.text, "Cán bộ Hà")
        r = await web.post("/tickets/1/assign", data={"csrf": csrf_of(page.text), "staff": ha})
        assert r.status_code == 303
        assert "Người nhận: Cán bộ Hà" in (await web.get("/tickets/1")).text
    assert harness.fake.last_to(GROUP).text.splitlines() == [
        "✋ Cán bộ Hà đã nhận phiếu #1.",
        "💻 Cán bộ Minh giao phiếu từ trang quản trị.",
        "Trước đó: Cán bộ Minh nhận.",
    ]
    before = len(harness.fake.messages_to(GROUP))
    async with signed_in(harness, HA, "Cán bộ Hà") as web:  # giving it to who has it changes nothing
        page = await web.get("/tickets/1")
        r = await web.post("/tickets/1/assign", data={"csrf": csrf_of(page.text), "staff": ha})
        assert r.status_code == 200 and "Phiếu #1 đang do Cán bộ Hà nhận: không có gì thay đổi." in r.text
    assert len(harness.fake.messages_to(GROUP)) == before


async def test_giving_to_someone_not_staff_of_the_ward_is_a_400(harness):
    await ticket_in_topic(harness)
    lan_id = str((await harness.app.helpdesk.tickets.get(1)).resident_id)  # the resident: not staff
    await staff_group(harness, forum=False, chat_id=OTHER_GROUP, ward="phu-thuong", staff_ids=(OTHER_STAFF,))
    await web_token(harness, OTHER_STAFF, "Cán bộ Phú Thượng")
    before = len(harness.fake.messages_to(GROUP))
    async with signed_in(harness, ADMIN, "Quản trị") as admin:  # the admin sees both wards' staff
        inbox = await admin.get("/tickets", params={"ward": "phu-thuong"})
        other = option_value(inbox.text, "Cán bộ Phú Thượng")
    async with signed_in(harness) as web:
        page = await web.get("/tickets/1")
        assert "Cán bộ Phú Thượng" not in page.text  # only the ward's own staff are offered
        csrf = csrf_of(page.text)
        for forged in (other, "999999", "abc", "", "-1", "9" * 30, lan_id):
            r = await web.post("/tickets/1/assign", data={"csrf": csrf, "staff": forged})
            assert r.status_code == 400, forged
            assert "không phải cán bộ của phường này: phiếu #1 chưa được giao" in r.text
        assert "Chưa ai nhận." in (await web.get("/tickets/1")).text
    assert len(harness.fake.messages_to(GROUP)) == before


async def test_another_wards_staff_get_404_and_a_form_without_csrf_403(harness):
    await ward_with_tickets(harness, tdps=("5",))
    await staff_group(harness, forum=False, chat_id=OTHER_GROUP, ward="phu-thuong", staff_ids=(OTHER_STAFF,))
    async with signed_in(harness, OTHER_STAFF, "Cán bộ Phú Thượng") as web:
        csrf = csrf_of((await web.get("/tickets")).text)
        assert (await web.post("/tickets/1/take", data={"csrf": csrf})).status_code == 404
        assert (await web.post("/tickets/1/assign", data={"csrf": csrf, "staff": "1"})).status_code == 404
    async with signed_in(harness, HA, "Cán bộ Hà") as web:
        page = await web.get("/tickets/1")
        minh = option_value(page.text, "Cán bộ Minh")
        r = await web.post("/tickets/1/take", data={})
        assert r.status_code == 403 and "thiếu mã bảo vệ" in r.text
        r = await web.post("/tickets/1/assign", data={"staff": minh, "csrf": "forged"})
        assert r.status_code == 403
        assert "Chưa ai nhận." in (await web.get("/tickets/1")).text


async def test_a_closed_ticket_cannot_be_taken_or_given(harness):
    await ward_with_tickets(harness, tdps=("5",))
    async with signed_in(harness, HA, "Cán bộ Hà") as web:
        confirm = await web.get("/tickets/1/close")
        assert (await web.post("/tickets/1/close", data={"csrf": csrf_of(confirm.text)})).status_code == 303
        page = await web.get("/tickets/1")
        assert "✋ Nhận xử lý" not in page.text and "Giao cho…" not in page.text
        before = len(harness.fake.messages_to(GROUP))
        csrf = csrf_of(page.text)
        for action, data in (("take", {}), ("assign", {"staff": "1"})):
            r = await web.post(f"/tickets/1/{action}", data={"csrf": csrf, **data})
            assert r.status_code == 400, action
            assert "Phiếu #1 đã đóng: không nhận hay giao được nữa." in r.text
        assert "Chưa ai nhận." in (await web.get("/tickets/1")).text
        assert shown((await web.get("/tickets", params={"box": "closed", "assignee": "none"})).text) == {1}
    assert len(harness.fake.messages_to(GROUP)) == before


async def test_giving_and_the_inbox_queries_on_sqlite_and_postgresql(db_url):
    db, clock, svc, lan, (ha, binh, other_ward), _admin = await setup(db_url)
    t, _ = await svc.open(lan, Incoming("text", "câu hỏi"))
    uow = SqlTransactions(db)

    async def inbox(**kw) -> list[int]:
        async with uow() as tx:
            rows = await tx.console.inbox(
                {"tay-ho"}, closed=None, waiting=None, created_before=None, search="", limit=10, **kw
            )
            return [r.id for r in rows]

    async with uow() as tx:
        assert [n for _, n in await tx.console.staff({"tay-ho"}, Role.STAFF)] == ["Cán bộ 2001", "Cán bộ 2002"]
        assert len(await tx.console.staff(None, Role.STAFF)) == 3
        assert list(await tx.console.neighbourhoods("tay-ho")) == ["5"]
    assert await inbox(unassigned=True) == [t.id] and await inbox(assignee_id=ha.id) == []
    assert await inbox(neighbourhood="5") == [t.id] and await inbox(neighbourhood="7") == []
    with pytest.raises(NotAllowed):
        await svc.give(t.id, ha, other_ward)
    t1, before = await svc.give(t.id, ha, binh)
    assert before is None and t1.assignee_id == binh.id and t1.status == Status.ASSIGNED
    assert await inbox(assignee_id=binh.id) == [t.id] and await inbox(unassigned=True) == []
    # the hand-over is conditional on who had it when read: a stale one changes nothing
    async with uow() as tx:
        assert not await tx.tickets.reassign(t.id, None, ha.id, clock.now(), Status.CLOSED, Status.ASSIGNED)
    t2, before = await svc.give(t.id, binh, ha)  # Bình gives it back
    assert before == binh.id and t2.assignee_id == ha.id and await inbox(assignee_id=ha.id) == [t.id]
    assert (await svc.give(t.id, ha, ha))[1] == ha.id  # already hers: nothing changes, nothing audited
    await svc.close_by_staff(t.id, ha)
    with pytest.raises(TicketClosed):
        await svc.give(t.id, ha, binh)
    actions = [a for _, a, _, _ in await svc.audit_trail(t.id)]
    assert actions == ["open", "assign", "assign", "close"]
    await db.close()
