"""The Overview page: a ward's figures with a table under every chart, ward scoping (another ward is a
404, staff only see no overview), the admin's choice of ward, the date range form, bad dates."""

from __future__ import annotations

import datetime as dt

from bot.app.residents import Resident
from bot.app.usage import UsageKind as K
from bot.app.usage import UsageLog
from bot.core.working_hours import HANOI
from tests.telegram.test_announcements import ADMIN, OFFICIAL, ward_with_groups
from tests.telegram.test_helpdesk_roundtrip import staff_group
from tests.web.console_kit import signed_in


def resident(ext: int, ward: str = "tay-ho") -> Resident:
    return Resident(ext, "telegram", ext, f"P{ext}", "vi", ward, "5", True, False, frozenset())


async def usage(harness, *events: tuple[Resident, K, str | None, int | None], days_ago: int = 0) -> None:
    at = harness.app.clock.now() - dt.timedelta(days=days_ago)
    async with harness.app.stats.uow() as tx:
        for r, kind, guide, step in events:
            await UsageLog("salt").add(tx, kind, r, at, guide, step)


async def seeded(harness) -> None:
    lan, hoa, binh = resident(1), resident(2), resident(3, "phu-thuong")
    await usage(
        harness,
        (lan, K.MATCHED, "ihanoi-install", 0),
        (lan, K.STEP, "ihanoi-install", 1),
        (lan, K.STUCK, "ihanoi-install", 1),
        (lan, K.ASKED, "ihanoi-install", 1),
        (hoa, K.STARTED, "ihanoi-install", 0),
        (hoa, K.UNANSWERED, None, None),
        (binh, K.STARTED, "epay-qr", 0),  # another ward
    )
    await usage(harness, (hoa, K.STARTED, "epay-qr", 0), (hoa, K.FINISHED, "epay-qr", 3), days_ago=40)


async def test_an_official_sees_the_wards_figures_each_chart_with_its_table(harness):
    await ward_with_groups(harness)
    await seeded(harness)
    async with signed_in(harness, OFFICIAL, "Chủ tịch phường") as web:
        home = await web.get("/")
        assert home.headers["location"] == "/overview"
        page = await web.get("/overview")
    assert page.status_code == 200
    html = page.text
    assert "Tổng quan: Phường Tây Hồ" in html
    assert html.count("<svg") == 2  # questions per day, and the drop-off of the one guide used in the range
    assert "Câu hỏi mỗi ngày" in html and "Người dân dừng ở bước nào: Cài ứng dụng iHanoi" in html
    assert "2 lượt người bắt đầu một hướng dẫn, 0 lượt báo đã làm được." in html
    assert "Phú Thượng" not in html  # neither in the ward choice nor in the figures
    # the numbers under the chart: two questions today (one matched, one not), 30 days shown
    today = harness.app.clock.now().astimezone(HANOI).date()
    assert f"<tr><td>{today:%d/%m/%Y}</td><td>2</td><td>1</td><td>1</td><td>2</td><td>0</td></tr>" in html
    assert html.count("<tr><td>") >= 30
    # the drop-off table: step 1 reached by two, step 2 by Lan who was stuck and asked staff
    assert "<tr><td>1</td><td>2</td><td>0</td><td>0</td></tr>" in html
    assert "<tr><td>2</td><td>1</td><td>1</td><td>1</td></tr>" in html


async def test_the_date_range_picks_the_days_and_bad_dates_are_explained(harness):
    await ward_with_groups(harness)
    await seeded(harness)
    today = harness.app.clock.now().astimezone(HANOI).date()
    old = today - dt.timedelta(days=40)
    async with signed_in(harness, OFFICIAL, "Chủ tịch phường") as web:
        page = await web.get("/overview", params={"from": old.isoformat(), "to": old.isoformat()})
        assert page.status_code == 200
        assert "1 lượt người bắt đầu một hướng dẫn, 1 lượt báo đã làm được." in page.text
        assert f'value="{old.isoformat()}"' in page.text
        r = await web.get("/overview", params={"from": today.isoformat(), "to": old.isoformat()})
        assert r.status_code == 400 and "Ngày bắt đầu sau ngày kết thúc" in r.text
        r = await web.get("/overview", params={"from": "hôm qua", "to": ""})
        assert r.status_code == 400 and "Ngày không hợp lệ" in r.text
        r = await web.get("/overview", params={"from": "2024-01-01", "to": today.isoformat()})
        assert r.status_code == 400 and "dài quá 366 ngày" in r.text


async def test_another_wards_overview_is_not_found_and_staff_see_none(harness):
    await ward_with_groups(harness)
    await staff_group(harness, forum=False)
    async with signed_in(harness, OFFICIAL, "Chủ tịch phường") as web:
        assert (await web.get("/overview", params={"ward": "phu-thuong"})).status_code == 404
        assert (await web.get("/overview", params={"ward": "<b>x</b>"})).status_code == 404
    async with signed_in(harness, 2001) as web:
        tickets = await web.get("/tickets")
        assert 'href="/overview"' not in tickets.text and 'href="/unanswered"' in tickets.text
        r = await web.get("/overview")
        assert r.status_code == 403 and "Vai trò của bạn không được xem trang này" in r.text


async def test_an_admin_sees_every_ward_or_picks_one_and_english_works(harness):
    await seeded(harness)
    async with signed_in(harness, ADMIN, "Quản trị") as web:
        everywhere = await web.get("/overview")
        assert "Tổng quan: Mọi phường" in everywhere.text
        assert "3 lượt người bắt đầu một hướng dẫn" in everywhere.text
        assert '<option value="phu-thuong">Phường Phú Thượng</option>' in everywhere.text
        one = await web.get("/overview", params={"ward": "phu-thuong"})
        assert "Tổng quan: Phường Phú Thượng" in one.text and "1 lượt người bắt đầu" in one.text
        await web.get("/lang/en")
        english = await web.get("/overview", params={"ward": "phu-thuong"})
        assert "Overview: Phu Thuong Ward" in english.text and "Questions per day" in english.text
