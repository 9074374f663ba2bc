"""Editing the ward office in the console (issue 12): an official edits hours and phones, the page says
they were edited here (by whom), and a resident's chat shows them at once, without a restart; staff only
read; another ward does not exist; bad values come back with the error beside the field and what was
typed; reset (after a confirmation page) brings back content/wards.yaml's values; all of it escaped."""

from __future__ import annotations

import html as html_lib

from tests.telegram.test_announcements import ADMIN, OFFICIAL, ward_with_groups
from tests.telegram.test_helpdesk_roundtrip import staff_group
from tests.web.console_kit import csrf_of, signed_in

HOURS = "Thứ 2 – Thứ 6: 8:00–12:00, 13:30–17:00"
PHONES = "024.3753 1234\n0912 345 678"


def office_form(page: str, **values: str) -> dict[str, str]:
    form = {"csrf": csrf_of(page), "ward": "tay-ho", "address": "657 Lạc Long Quân", "hours_vi": "", "hours_en": ""}
    return form | {"phones": "", "tdps": ""} | values


async def ask_without_staff(harness, user_id: int = 1001) -> str:
    """A resident's question when no staff group is bound: the answer carries the ward's contacts."""
    lan = await harness.onboarded(user_id)
    await lan.press("Hỏi cán bộ phường")
    await lan.send("bác muốn hỏi về tiền điện")
    out = await lan.press("Gửi cho cán bộ")
    return out[-1].text


async def test_an_official_edits_hours_and_phones_and_the_bot_says_them_at_once(harness):
    await ward_with_groups(harness)  # 3001 is the official of Tây Hồ
    assert "Giờ làm việc: cháu chưa có thông tin" in await ask_without_staff(harness)
    async with signed_in(harness, OFFICIAL, "Chủ tịch phường") as web:
        page = await web.get("/settings", params={"ward": "tay-ho"})
        assert "Sửa thông tin trụ sở…" in page.text and "theo wards.yaml" in page.text
        assert "Về lại thông tin trong wards.yaml…" not in page.text  # nothing edited yet
        form = await web.get("/settings/office", params={"ward": "tay-ho"})
        assert form.status_code == 200 and "Sửa thông tin trụ sở: Phường Tây Hồ" in form.text
        assert 'value="657 Lạc Long Quân"' in form.text  # filled with what the bot shows now
        r = await web.post("/settings/office", data=office_form(form.text, hours_vi=HOURS, phones=PHONES))
        assert r.status_code == 303 and r.headers["location"] == "/settings?ward=tay-ho&done=office"
        page = (await web.get(r.headers["location"])).text
        assert "Đã lưu. Bot dùng thông tin mới ngay" in page
        assert HOURS in page and "024.3753 1234, 0912 345 678" in page
        assert page.count("đã sửa trên trang quản trị") == 2 and page.count("theo wards.yaml") == 2
        assert "Sửa lần cuối trên trang quản trị: Chủ tịch phường, lúc 25/11/2026 09:00." in page
    # the bot, same process, no restart: a resident's next question carries the new contacts
    text = await ask_without_staff(harness, 1002)
    assert f"Giờ làm việc: {HOURS}" in text and "Điện thoại: 024.3753 1234, 0912 345 678" in text
    assert "chưa có thông tin" not in text
    # the audit log an admin reads
    async with signed_in(harness, ADMIN, "Quản trị") as web:
        audit = (await web.get("/audit")).text
    assert "office_edit" in audit and html_lib.escape(HOURS) in audit


async def test_staff_read_only_and_another_ward_is_not_found(harness):
    await ward_with_groups(harness)
    await staff_group(harness, forum=False)  # 2001 is staff of Tây Hồ
    async with signed_in(harness, 2001) as web:
        page = await web.get("/settings")
        assert "Sửa thông tin trụ sở…" not in page.text and "theo wards.yaml" in page.text
        r = await web.get("/settings/office", params={"ward": "tay-ho"})
        assert r.status_code == 403 and "Chỉ cán bộ phụ trách thông báo của phường và quản trị" in r.text
        assert (await web.get("/settings/office/reset", params={"ward": "tay-ho"})).status_code == 403
        form = office_form(page.text, hours_vi=HOURS)
        assert (await web.post("/settings/office", data=form)).status_code == 403
        assert (await web.post("/settings/office/reset", data=form)).status_code == 403
        # a ward that is not theirs: as if it did not exist
        assert (await web.get("/settings/office", params={"ward": "phu-thuong"})).status_code == 404
        assert (await web.post("/settings/office", data=form | {"ward": "phu-thuong"})).status_code == 404
    async with signed_in(harness, OFFICIAL, "Chủ tịch phường") as web:
        page = await web.get("/settings", params={"ward": "tay-ho"})
        assert (await web.get("/settings/office", params={"ward": "phu-thuong"})).status_code == 404
        assert (await web.get("/settings/office", params={"ward": "no-such"})).status_code == 404
        form = office_form(page.text, ward="phu-thuong", hours_vi=HOURS)
        assert (await web.post("/settings/office", data=form)).status_code == 404
    assert harness.app.content.wards["tay-ho"].office.hours is None
    assert harness.app.content.wards["phu-thuong"].office.hours is None


async def test_a_bad_phone_shows_the_form_again_with_the_error_and_what_was_typed(harness):
    await ward_with_groups(harness)
    async with signed_in(harness, OFFICIAL, "Chủ tịch phường") as web:
        form = await web.get("/settings/office", params={"ward": "tay-ho"})
        bad = "024 3753 abc"
        r = await web.post(
            "/settings/office", data=office_form(form.text, hours_vi=HOURS, phones=bad, tdps="Tổ 1\nTổ 1")
        )
        assert r.status_code == 400
        assert "Chưa lưu: sửa các ô được đánh dấu bên dưới." in r.text
        assert "Số điện thoại chỉ gồm chữ số, dấu cách, dấu chấm và dấu + ở đầu." in r.text
        assert "Có tổ dân phố bị nhập hai lần." in r.text
        assert f'value="{HOURS}"' in r.text and f">{bad}</textarea>" in r.text and ">Tổ 1\nTổ 1</textarea>" in r.text
        assert 'id="phones" name="phones" rows="3" aria-invalid="true"' in r.text
        r = await web.post("/settings/office", data=office_form(form.text, phones="0243"))
        assert r.status_code == 400 and "Mỗi số điện thoại có từ 8 đến 15 chữ số." in r.text
        # no CSRF token: refused, nothing saved
        r = await web.post("/settings/office", data=office_form(form.text, hours_vi=HOURS) | {"csrf": ""})
        assert r.status_code == 403
        r = await web.post("/settings/office/reset", data={"ward": "tay-ho"})
        assert r.status_code == 403
    assert harness.app.content.wards["tay-ho"].office.hours is None


async def test_reset_after_confirming_brings_back_the_yaml_values(harness):
    await ward_with_groups(harness)
    async with signed_in(harness, ADMIN, "Quản trị") as web:
        form = await web.get("/settings/office", params={"ward": "tay-ho"})
        r = await web.post(
            "/settings/office", data=office_form(form.text, address="12 Đường Mới", phones="0243 753 1234")
        )
        assert r.status_code == 303
        page = (await web.get("/settings", params={"ward": "tay-ho"})).text
        assert "12 Đường Mới" in page and "chưa chắc chắn" not in page  # the ward's own word
        assert "Về lại thông tin trong wards.yaml…" in page
        confirm = await web.get("/settings/office/reset", params={"ward": "tay-ho"})
        assert confirm.status_code == 200 and "Về lại thông tin trong wards.yaml: Phường Tây Hồ?" in confirm.text
        assert "657 Lạc Long Quân" in confirm.text  # what the bot will say again
        r = await web.post("/settings/office/reset", data={"csrf": csrf_of(confirm.text), "ward": "tay-ho"})
        assert r.status_code == 303 and r.headers["location"] == "/settings?ward=tay-ho&done=office_reset"
        page = (await web.get(r.headers["location"])).text
        assert "Đã về lại thông tin trong wards.yaml." in page
        assert "657 Lạc Long Quân" in page and "chưa chắc chắn" in page and "12 Đường Mới" not in page
        assert "đã sửa trên trang quản trị" not in page and "Về lại thông tin trong wards.yaml…" not in page
        again = await web.get("/settings/office/reset", params={"ward": "tay-ho"})
        assert "Chưa có gì được sửa trên trang quản trị" in again.text
        assert "office_reset" in (await web.get("/audit")).text
    text = await ask_without_staff(harness)
    assert "657 Lạc Long Quân" in text and "Điện thoại riêng của phường: cháu chưa có thông tin" in text


async def test_html_in_the_fields_is_shown_as_text(harness):
    await ward_with_groups(harness)
    evil = "<script>alert(1)</script>"
    async with signed_in(harness, OFFICIAL, "Chủ tịch phường") as web:
        form = await web.get("/settings/office", params={"ward": "tay-ho"})
        r = await web.post("/settings/office", data=office_form(form.text, address=evil, hours_vi=f"<b>{HOURS}</b>"))
        assert r.status_code == 303
        page = (await web.get("/settings", params={"ward": "tay-ho"})).text
        assert evil not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<b>" not in page and "&lt;b&gt;" in page
        form = await web.get("/settings/office", params={"ward": "tay-ho"})
        assert evil not in form.text and "&lt;script&gt;" in form.text
        # refused with HTML typed: still escaped in the form shown again
        r = await web.post("/settings/office", data=office_form(form.text, phones=evil))
        assert r.status_code == 400 and evil not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    async with signed_in(harness, ADMIN, "Quản trị") as web:
        audit = (await web.get("/audit")).text
    assert evil not in audit and "&lt;script&gt;" in audit


async def test_a_tdp_list_edited_in_the_console_is_what_a_new_resident_picks_from(harness):
    await ward_with_groups(harness)
    async with signed_in(harness, OFFICIAL, "Chủ tịch phường") as web:
        form = await web.get("/settings/office", params={"ward": "tay-ho"})
        r = await web.post("/settings/office", data=office_form(form.text, tdps="Tổ 1, Tổ 2\nTổ Đồng Cổ"))
        assert r.status_code == 303
        page = (await web.get("/settings", params={"ward": "tay-ho"})).text
        assert "Tổ 1, Tổ 2, Tổ Đồng Cổ" in page
    hoa = harness.actor(1003, "Bác Hoa")
    await hoa.send("/start")
    await hoa.press("Tiếng Việt")
    await hoa.press("Bác")
    out = await hoa.press("Tây Hồ")
    assert out[-1].button_labels[:3] == ["Tổ 1", "Tổ 2", "Tổ Đồng Cổ"]
    await hoa.press("Tổ Đồng Cổ")
    resident = await harness.app.residents.identify("telegram", 1003)
    assert resident.neighbourhood == "Tổ Đồng Cổ"
