"""The console in a real browser (Playwright driving Debian's Chromium), served by uvicorn over HTTP.

Skipped with the reason when /usr/bin/chromium is missing, except in CI (CI set) where that fails:
`scripts/test` installs Chromium there. Screenshots at desk and phone width go to tests/artifacts/.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.telegram.desk_sender import DeskSender
from bot.adapters.web import create_app
from bot.adapters.web.server import start_in_background, stop
from tests.conftest import in_ci
from tests.telegram.test_helpdesk_roundtrip import GROUP, ticket_in_topic
from tests.web.console_kit import LINK

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
WIDTHS = {"desk": (1280, 900), "phone": (390, 844)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def console_url(harness) -> AsyncIterator[str]:
    """The console on a real port; sign-in links point at it."""
    port = _free_port()
    harness.app.settings.web_base_url = f"http://127.0.0.1:{port}"
    server = await start_in_background(create_app(harness.app, DeskSender(harness.bot)), "127.0.0.1", port)
    yield harness.app.settings.web_base_url
    await stop(*server)


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        reason = f"Chromium not installed at {CHROMIUM} (apt-get install chromium)"
        if in_ci():
            pytest.fail(f"{reason}; CI is set: the browser tests must run", pytrace=False)
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=str(chromium), headless=True, args=["--no-sandbox"])
        yield b
        await b.close()


async def shots(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for label, (w, h) in WIDTHS.items():
        await page.set_viewport_size({"width": w, "height": h})
        await page.screenshot(path=str(ARTIFACTS / f"web_{name}_{label}.png"), full_page=True)
    await page.set_viewport_size({"width": 1280, "height": 900})


async def test_staff_sign_in_with_a_web_link_and_answer_a_ticket_in_the_browser(harness, console_url, browser):
    lan, thread = await ticket_in_topic(harness, "Bác không nhận được mã OTP <b>khi đăng nhập</b>")
    out = await harness.actor(2001, "Cán bộ Hà").send("/web")
    link = LINK.search(out[-1].text)
    assert link, out[-1].text
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = await context.new_page()

    await page.goto(link.group(0))
    await shots(page, "login")
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(f"{console_url}/tickets")
    row = page.locator(".ticket-row", has_text="#1")
    assert "Bác Lan" in await row.inner_text() and "<b>khi đăng nhập</b>" in await row.inner_text()
    await shots(page, "inbox")

    await row.get_by_role("link").click()
    await page.wait_for_url(f"{console_url}/tickets/1")
    await page.get_by_label("Trả lời người dân").fill("Bác bấm 'Gửi lại mã' và chờ 1 phút ạ")
    await page.get_by_role("button", name="Gửi trả lời").click()
    await page.wait_for_url(f"{console_url}/tickets/1?done=answer")
    assert await page.get_by_role("status").inner_text() == "Đã gửi trả lời cho người dân (và vào nhóm cán bộ)."
    await shots(page, "ticket")

    # the answer arrived in the resident's (fake) Telegram chat, and in the ticket's staff topic
    told = harness.fake.last_to(lan.chat_id)
    assert "Cán bộ phường trả lời: Bác bấm 'Gửi lại mã' và chờ 1 phút ạ" in told.text
    assert harness.fake.last_to(GROUP).thread_id == thread

    # the link was used up: opening it again and pressing the button is refused
    await page.goto(link.group(0))
    await page.get_by_role("button", name="Đăng nhập").click()
    assert "đã hết hạn hoặc đã được dùng" in await page.get_by_role("alert").inner_text()

    # on a phone the whole page fits its width (no sideways scrolling)
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto(f"{console_url}/tickets/1")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    await context.close()


async def test_an_official_reads_the_overview_and_prints_a_guide_poster_in_the_browser(harness, console_url, browser):
    import pypdfium2 as pdfium

    from tests.telegram.test_announcements import OFFICIAL, ward_with_groups
    from tests.web.test_guides import qr_codes
    from tests.web.test_overview import seeded
    from tests.web.test_unanswered import asked

    await ward_with_groups(harness)
    await seeded(harness)
    await asked(harness, "tay-ho", "cách đổi ảnh đại diện zalo", "cách đổi ảnh đại diện zalo", "giá vàng hôm nay")
    out = await harness.actor(OFFICIAL, "Chủ tịch phường").send("/web")
    link = LINK.search(out[-1].text)
    assert link, out[-1].text
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN", accept_downloads=True)
    page = await context.new_page()
    await page.goto(link.group(0))
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(f"{console_url}/overview")
    assert await page.get_by_role("heading", level=1).inner_text() == "Tổng quan: Phường Tây Hồ"
    chart = page.get_by_role("img", name="Câu hỏi mỗi ngày")
    assert await chart.is_visible()
    dropoff = page.get_by_role("img", name="Người dân dừng ở bước nào: Cài ứng dụng iHanoi")
    assert await dropoff.is_visible()
    assert "2 lượt người bắt đầu một hướng dẫn" in await page.locator("#h-guides + p").inner_text()
    await shots(page, "overview")
    await page.set_viewport_size({"width": 390, "height": 844})
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await page.set_viewport_size({"width": 1280, "height": 900})

    # a narrower range through the GET form
    await page.get_by_label("Từ ngày").fill("2026-01-01")
    await page.get_by_label("Đến ngày").fill("2026-01-31")
    await page.get_by_role("button", name="Xem").click()
    await page.wait_for_url("**/overview?*from=2026-01-01*")
    assert "0 lượt người bắt đầu" in await page.locator("#h-guides + p").inner_text()

    await page.get_by_role("link", name="Hướng dẫn", exact=True).click()
    await page.get_by_role("link", name="Cài ứng dụng iHanoi").click()
    await page.wait_for_url(f"{console_url}/guides/ihanoi-install")
    await shots(page, "guide")
    async with page.expect_download() as got:
        await page.get_by_role("link", name="Tải tờ A4 (PDF, tiếng Việt)").click()
    download = await got.value
    pages = list(pdfium.PdfDocument(str(await download.path())))
    assert len(pages) == 1
    assert qr_codes(pages[0]) == ["https://t.me/TroLySoPhuongBot?start=ihanoi-install"]

    await page.set_viewport_size({"width": 390, "height": 844})
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await page.set_viewport_size({"width": 1280, "height": 900})

    await page.get_by_role("link", name="Phường", exact=True).click()
    await page.wait_for_url(f"{console_url}/settings")
    assert "Thông tin phường: Phường Tây Hồ" in await page.get_by_role("heading", level=1).inner_text()
    await shots(page, "settings")

    await page.get_by_role("link", name="Câu hỏi chưa trả lời").click()
    group = page.locator(".group", has_text="cách đổi ảnh đại diện zalo")
    await group.get_by_label("Hướng dẫn trả lời câu này").select_option("zalo-group")
    await group.get_by_role("button", name="Gán hướng dẫn").click()
    await page.wait_for_url("**/unanswered?*done=assigned*")
    assert "Đã gán hướng dẫn" in await page.get_by_role("status").inner_text()
    await shots(page, "unanswered")
    await page.set_viewport_size({"width": 390, "height": 844})
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await context.close()


async def test_a_ward_tries_the_bot_in_the_browser_on_the_try_it_page(harness, chromium, browser):
    """Local mode: the three panes in a real browser, no JavaScript needed; a resident starts and is answered."""
    from bot.adapters.localchat.tryit import LocalTryIt
    from tests.telegram.test_helpdesk_roundtrip import staff_group

    await staff_group(harness)
    port = _free_port()
    harness.app.settings.web_base_url = f"http://127.0.0.1:{port}"
    api = create_app(harness.app, DeskSender(harness.bot), None, LocalTryIt(harness.fake, harness.dp, harness.bot))
    server = await start_in_background(api, "127.0.0.1", port)
    try:
        out = await harness.actor(2001, "Cán bộ Hà").send("/web")
        link = LINK.search(out[-1].text)
        assert link, out[-1].text
        context = await browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="vi-VN", java_script_enabled=False
        )
        page = await context.new_page()
        await page.goto(link.group(0))
        await page.get_by_role("button", name="Đăng nhập").click()
        await page.goto(f"{harness.app.settings.web_base_url}/try")
        resident = page.locator("#resident")
        await resident.get_by_label("Gõ tin nhắn").fill("/start")
        await resident.get_by_role("button", name="Gửi").click()
        await resident.get_by_role("button", name="🇻🇳 Tiếng Việt").click()
        await page.locator("#resident").get_by_role("button", name="Chị", exact=True).click()
        assert "Chị sống ở phường nào?" in await page.locator("#resident").inner_text()
        await shots(page, "tryit")
        await page.set_viewport_size({"width": 390, "height": 844})
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390
        await context.close()
    finally:
        await stop(*server)


async def test_an_official_edits_the_ward_office_and_starts_a_guide_draft_in_the_browser(harness, console_url, browser):
    import yaml

    from tests.telegram.test_announcements import OFFICIAL, ward_with_groups
    from tests.web.test_unanswered import asked

    await ward_with_groups(harness)
    question = "cách đặt lịch tiêm cho trẻ"
    await asked(harness, "tay-ho", question, question, "đặt lịch tiêm cho trẻ ở đâu")
    out = await harness.actor(OFFICIAL, "Chủ tịch phường").send("/web")
    link = LINK.search(out[-1].text)
    assert link, out[-1].text
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN", accept_downloads=True)
    page = await context.new_page()
    await page.goto(link.group(0))
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(f"{console_url}/overview")

    # the ward office: a bad phone is refused with the typed values kept, then a good edit is saved
    await page.get_by_role("link", name="Phường", exact=True).click()
    await page.get_by_role("link", name="Sửa thông tin trụ sở…").click()
    hours = "Thứ 2 – Thứ 6: 8:00–11:30, 13:30–17:00"
    await page.get_by_label("Giờ làm việc (tiếng Việt)").fill(hours)
    await page.get_by_label("Số điện thoại").fill("024 3823 abc")
    await page.get_by_role("button", name="Lưu").click()
    assert "Chưa lưu" in await page.get_by_role("alert").inner_text()
    assert await page.get_by_label("Giờ làm việc (tiếng Việt)").input_value() == hours
    await shots(page, "office_edit")
    await page.get_by_label("Số điện thoại").fill("024 3823 4567")
    await page.get_by_role("button", name="Lưu").click()
    await page.wait_for_url("**/settings?*done=office*")
    assert "Bot dùng thông tin mới ngay" in await page.get_by_role("status").inner_text()
    office = await page.locator("#h-office + dl, section[aria-labelledby=h-office]").first.inner_text()
    assert "8:00–11:30" in office and "024 3823 4567" in office and "đã sửa trên trang quản trị" in office
    await shots(page, "settings_edited")
    # ...and the bot already uses it: no restart
    assert harness.app.content.wards["tay-ho"].office.phones == ["024 3823 4567"]

    # an unanswered group becomes a guide draft with a YAML skeleton to download
    await page.get_by_role("link", name="Câu hỏi chưa trả lời").click()
    group = page.locator(".group", has_text=question)
    await group.get_by_role("button", name="Soạn hướng dẫn mới").click()
    await page.wait_for_url("**/drafts/*")
    assert "Đã tạo bản nháp" in await page.get_by_role("status").inner_text()
    await shots(page, "draft")
    async with page.expect_download() as got:
        await page.get_by_role("link", name="Tải tệp YAML").click()
    saved = await (await got.value).path()
    skeleton = yaml.safe_load(saved.read_bytes().decode("utf-8"))
    assert question in skeleton["examples"]["vi"]
    await page.set_viewport_size({"width": 390, "height": 844})
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await context.close()
