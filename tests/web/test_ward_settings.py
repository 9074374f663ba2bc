"""Ward settings: the office as content has it (nothing invented), the staff group's health asked of
Telegram, staff and roles; admins change roles after a confirmation, audited, and the bot sees it at once."""

from __future__ import annotations

from tests.telegram.test_announcements import ADMIN, ward_with_groups
from tests.telegram.test_helpdesk_roundtrip import GROUP, staff_group
from tests.web.console_kit import csrf_of, signed_in

OTHER_GROUP = -1002000000099
OTHER_STAFF = 2101


async def test_staff_see_their_ward_office_group_health_and_members(harness):
    await staff_group(harness)  # a forum
    async with signed_in(harness, 2001) as web:
        page = await web.get("/settings")
    assert page.status_code == 200
    html = page.text
    assert "Thông tin phường: Phường Tây Hồ" in html and "657 Lạc Long Quân" in html and "chưa chắc chắn" in html
    assert html.count("chưa biết") >= 2  # hours and phones are not in content/wards.yaml: not invented
    assert f"<code>{GROUP}</code>" in html and "Có chủ đề (mỗi phiếu một chủ đề)" in html
    assert 'Bot gửi tin vào nhóm được</dt><dd class="">Có</dd>' in html
    assert "Cán bộ Hà" in html or "2001" in html
    assert "Cấp quyền" not in html and "Bỏ quyền" not in html  # only admins change roles


async def test_a_group_that_removed_the_bot_shows_as_unreachable(harness):
    await staff_group(harness, forum=False)
    harness.fake.kicked.add(GROUP)
    async with signed_in(harness, ADMIN, "Quản trị") as web:
        html = (await web.get("/settings", params={"ward": "tay-ho"})).text
    assert "Telegram không cho bot vào nhóm này nữa" in html


async def test_another_wards_settings_are_not_found_and_staff_cannot_change_roles(harness):
    await staff_group(harness, forum=False)
    await staff_group(harness, forum=False, chat_id=OTHER_GROUP, ward="phu-thuong", staff_ids=(OTHER_STAFF,))
    async with signed_in(harness, OTHER_STAFF, "Cán bộ Phú Thượng") as web:
        page = await web.get("/settings")
        assert "Phường Phú Thượng" in page.text and "Tây Hồ" not in page.text
        assert (await web.get("/settings", params={"ward": "tay-ho"})).status_code == 404
        assert (
            await web.get("/settings/role", params={"person": 1, "ward": "phu-thuong", "role": "staff", "do": "revoke"})
        ).status_code == 403
        form = {"csrf": csrf_of(page.text), "person": "1", "ward": "phu-thuong", "role": "staff", "do": "revoke"}
        assert (await web.post("/settings/role", data=form)).status_code == 403
        assert (await web.post("/settings/role", data=form | {"csrf": ""})).status_code == 403


async def test_an_admin_grants_and_revokes_a_role_after_confirming_and_it_is_audited(harness):
    await ward_with_groups(harness)
    await staff_group(harness, forum=False)
    staff = await harness.app.residents.identify("telegram", 2001, "Cán bộ Hà")
    async with signed_in(harness, ADMIN, "Quản trị") as web:
        page = await web.get("/settings", params={"ward": "tay-ho"})
        assert "Cấp quyền phụ trách thông báo…" in page.text
        confirm = await web.get(
            "/settings/role", params={"person": staff.id, "ward": "tay-ho", "role": "official", "do": "grant"}
        )
        assert confirm.status_code == 200 and "Cấp quyền phụ trách thông báo ở Phường Tây Hồ cho" in confirm.text
        form = {"csrf": csrf_of(confirm.text), "person": str(staff.id), "ward": "tay-ho", "role": "official"}
        r = await web.post("/settings/role", data=form | {"do": "grant"})
        assert r.status_code == 303 and r.headers["location"] == "/settings?ward=tay-ho&done=grant"
        assert "Đã cấp quyền" in (await web.get(r.headers["location"])).text
        assert (await harness.app.residents.get(staff.id)).has_role("official", "tay-ho")
        r = await web.post("/settings/role", data=form | {"role": "staff", "do": "revoke"})
        assert r.status_code == 303
        assert not (await harness.app.residents.get(staff.id)).has_role("staff", "tay-ho")
        assert (await web.post("/settings/role", data=form | {"role": "admin", "do": "grant"})).status_code == 404
        audit = (await web.get("/audit")).text
        assert "role_grant" in audit and "role_revoke" in audit
    # the bot sees the new role at once: the person may now compose notices
    async with signed_in(harness, 2001) as web:
        assert (await web.get("/notices/new")).status_code == 200
