"""The console's notices: compose → preview → send through the same AnnouncementService as the wizard,
the delivery report, approval by a second official, recall with confirmation, bad input kept in the form."""

from __future__ import annotations

from tests.telegram.test_announcements import (
    ADMIN,
    G5,
    G7,
    OFFICIAL,
    OFFICIAL2,
    notices_to,
    runner_of,
    ward_with_groups,
)
from tests.web.console_kit import csrf_of, signed_in

TEXT = "Lớp hướng dẫn cài VNeID sáng Chủ nhật tại nhà văn hoá tổ 5."


def form(csrf: str, **kw: str) -> dict[str, str]:
    return {"csrf": csrf, "ward": "tay-ho", "text": TEXT, "audience": "ward", "tdps": "", "when": "now", "at": ""} | kw


async def test_an_official_composes_previews_and_sends_a_notice_then_reads_its_report(harness):
    await ward_with_groups(harness, (G5, "5"), (G7, "7"))
    lan = await harness.onboarded(1001)
    async with signed_in(harness, OFFICIAL, "Chủ tịch phường") as web:
        new = await web.get("/notices/new")
        assert new.status_code == 200 and "Soạn thông báo" in new.text and "Cả phường" in new.text
        csrf = csrf_of(new.text)
        preview = await web.post("/notices/preview", data=form(csrf))
        assert preview.status_code == 200 and TEXT in preview.text and "Gửi thông báo" in preview.text
        assert notices_to(harness.fake, G5) == []  # a preview sends nothing
        sent = await web.post("/notices", data=form(csrf))
        assert sent.status_code == 303 and sent.headers["location"] == "/notices?done=scheduled"
        await runner_of(harness).pump()
        assert len(notices_to(harness.fake, G5)) == 1 and len(notices_to(harness.fake, G7)) == 1
        assert any(TEXT in m.text for m in harness.fake.messages_to(lan.chat_id))
        page = await web.get("/notices")
        assert "Đã tới: 3 · Lỗi: 0 · Bị chặn: 0" in page.text and "Bấm “Đã hiểu”: 0" in page.text
    async with signed_in(harness, ADMIN, "Quản trị") as web:
        audit = await web.get("/audit")
        assert "notice_create" in audit.text


async def test_a_notice_to_chosen_to_dan_pho_only_reaches_them(harness):
    await ward_with_groups(harness, (G5, "5"), (G7, "7"))
    async with signed_in(harness, OFFICIAL, "Chủ tịch phường") as web:
        csrf = csrf_of((await web.get("/notices/new")).text)
        r = await web.post("/notices", data=form(csrf, audience="tdp", tdps="tổ 7"))
        assert r.status_code == 303
    await runner_of(harness).pump()
    assert notices_to(harness.fake, G5) == [] and len(notices_to(harness.fake, G7)) == 1


async def test_bad_input_is_explained_and_the_form_keeps_what_was_typed(harness):
    await ward_with_groups(harness, (G5, "5"))
    async with signed_in(harness, OFFICIAL, "Chủ tịch phường") as web:
        csrf = csrf_of((await web.get("/notices/new")).text)
        r = await web.post("/notices/preview", data=form(csrf, text="   "))
        assert r.status_code == 400 and "Thông báo chưa có nội dung" in r.text
        r = await web.post("/notices/preview", data=form(csrf, audience="tdp", text="<i>Họp tổ</i>"))
        assert r.status_code == 400 and "Chưa chọn tổ dân phố" in r.text
        assert "&lt;i&gt;Họp tổ&lt;/i&gt;" in r.text and "<i>Họp" not in r.text
        r = await web.post("/notices/preview", data=form(csrf, when="at", at="2026-11-24T08:00"))
        assert r.status_code == 400 and "Thời gian này đã qua" in r.text and TEXT in r.text
        r = await web.post("/notices/preview", data=form(csrf, when="at", at="tomorrow"))
        assert r.status_code == 400
        r = await web.post("/notices/preview", data=form(csrf, ward="phu-thuong"))
        assert r.status_code == 400 and "không có quyền" in r.text
        r = await web.post("/notices", data=form(""))
        assert r.status_code == 403
    await runner_of(harness).pump()
    assert notices_to(harness.fake, G5) == []


async def test_a_second_official_approves_in_the_console(harness):
    await ward_with_groups(harness, (G5, "5"))
    admin = harness.actor(ADMIN)
    await admin.send(f"/grant_official {OFFICIAL2} tay-ho")
    await admin.send("/approval tay-ho on")
    async with signed_in(harness, OFFICIAL, "Chủ tịch phường") as web:
        csrf = csrf_of((await web.get("/notices/new")).text)
        r = await web.post("/notices", data=form(csrf))
        assert r.headers["location"] == "/notices?done=pending_approval"
        page = await web.get("/notices")
        assert "chờ duyệt" in page.text and "Duyệt</button>" not in page.text  # not one's own
        r = await web.post("/notices/1/approve", data={"csrf": csrf})
        assert r.status_code == 400 and "không tự duyệt" in r.text
    await runner_of(harness).pump()
    assert notices_to(harness.fake, G5) == []
    async with signed_in(harness, OFFICIAL2, "Phó chủ tịch") as web:
        page = await web.get("/notices")
        r = await web.post("/notices/1/approve", data={"csrf": csrf_of(page.text)})
        assert r.headers["location"] == "/notices?done=approved"
    await runner_of(harness).pump()
    assert len(notices_to(harness.fake, G5)) == 1


async def test_recall_asks_first_then_cancels_or_withdraws(harness):
    await ward_with_groups(harness, (G5, "5"))
    async with signed_in(harness, OFFICIAL, "Chủ tịch phường") as web:
        csrf = csrf_of((await web.get("/notices/new")).text)
        await web.post("/notices", data=form(csrf, when="at", at="2026-11-25T15:00"))
        confirm = await web.get("/notices/1/recall")
        assert "chưa gửi tới ai" in confirm.text
        r = await web.post("/notices/1/recall", data={"csrf": csrf})
        assert r.headers["location"] == "/notices?done=cancelled"
        await web.post("/notices", data=form(csrf))
        await runner_of(harness).pump()
        assert len(notices_to(harness.fake, G5)) == 1
        confirm = await web.get("/notices/2/recall")
        assert "đã tới 1 nơi" in confirm.text
        r = await web.post("/notices/2/recall", data={"csrf": csrf})
        assert r.headers["location"] == "/notices?done=withdrawn"
        await runner_of(harness).pump()
        page = await web.get("/notices")
        assert "đã thu hồi" in page.text and "đã huỷ" in page.text
        assert (await web.get("/notices/99/recall")).status_code == 404
    sent = [m for m in harness.fake.messages_to(G5) if "THÔNG BÁO" in m.text]
    assert sent and all(m.deleted for m in sent)  # withdrawn: deleted from the group


async def test_staff_who_are_not_officials_do_not_see_notices(harness):
    from tests.telegram.test_helpdesk_roundtrip import staff_group

    await staff_group(harness)
    async with signed_in(harness) as web:
        assert (await web.get("/notices")).status_code == 403
        assert 'href="/notices"' not in (await web.get("/tickets")).text
