"""The console's "Try it" page (local mode only): a resident, the staff group and an official, side by side,
played through plain forms against the real dispatcher and the fake Bot API."""

from __future__ import annotations

import re

import httpx

from bot.adapters.localchat.tryit import LocalTryIt
from bot.adapters.telegram.desk_sender import DeskSender
from bot.adapters.telegram.group_probe import TelegramGroupProbe
from bot.adapters.web import create_app
from bot.app.residents import Role
from tests.telegram.test_helpdesk_roundtrip import staff_group
from tests.web.console_kit import BASE, csrf_of, sign_in, signed_in, web_token


def _button(html: str, label: str) -> tuple[str, str]:
    """(message_id, callback data) of the button whose label contains `label` (the newest such)."""
    forms = re.findall(r'<form method="post" action="/try/resident" class="buttons">(.*?)</form>', html, re.S)
    for form in reversed(forms):
        for data, text in re.findall(r'<button type="submit" name="data" value="([^"]+)">([^<]+)</button>', form):
            if label in text:
                mid = re.search(r'name="message_id" value="(\d+)"', form)
                assert mid
                return mid.group(1), data
    raise AssertionError(f"no button {label!r}")


async def test_a_ward_tries_the_whole_flow_in_three_panes(harness):
    await staff_group(harness)
    official = await harness.app.residents.identify("telegram", 3001, "Chủ tịch phường")
    await harness.app.residents.grant(official.id, Role.OFFICIAL, "tay-ho", None)
    api = create_app(
        harness.app,
        DeskSender(harness.bot),
        TelegramGroupProbe(harness.bot),
        LocalTryIt(harness.fake, harness.dp, harness.bot),
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url=BASE) as web:
        assert (await sign_in(web, await web_token(harness, 2001))).status_code == 303
        page = await web.get("/try")
        assert page.status_code == 200 and "Cư dân" in page.text and "Nhóm cán bộ phường" in page.text
        assert 'href="/try"' in page.text  # in the menu in local mode
        csrf = csrf_of(page.text)

        async def say(pane: str, text: str, **extra: str) -> str:
            r = await web.post(f"/try/{pane}", data={"csrf": csrf, "text": text, **extra})
            assert r.status_code == 303 and r.headers["location"] == f"/try#{pane}"
            return (await web.get("/try")).text

        async def press(label: str) -> str:
            mid, data = _button((await web.get("/try")).text, label)
            r = await web.post("/try/resident", data={"csrf": csrf, "data": data, "message_id": mid})
            assert r.status_code == 303
            return (await web.get("/try")).text

        await say("resident", "/start")
        await press("Tiếng Việt")
        await press("Bác")
        await press("Tây Hồ")
        await say("resident", "5")
        await press("Có, nhận")
        html = await say("resident", "cài iHanoi thế nào")
        assert "Cháu tìm thấy hướng dẫn phù hợp" in html and "iHanoi" in html
        await press("Về menu")
        await press("Hỏi cán bộ phường")
        await say("resident", "Tôi không nhận được mã OTP của iHanoi")
        html = await press("Gửi cho cán bộ")
        assert "Tôi không nhận được mã OTP của iHanoi" in html.split('id="staff"')[1]  # the card in the staff pane
        topic = re.search(r'<select name="thread"><option value="(\d+)"', html)
        assert topic, "the staff pane offers the ticket's topic"
        html = await say("staff", "Bác chờ 1 phút rồi bấm Gửi lại mã nhé", thread=topic.group(1))
        resident = html.split('id="staff"')[0]
        assert "Cán bộ phường trả lời: Bác chờ 1 phút rồi bấm Gửi lại mã nhé" in resident

        html = await say("official", "/thongbao")
        assert "Soạn thông báo mới" in html.split('id="official"')[1]
        # a form without its CSRF token is refused
        assert (await web.post("/try/resident", data={"text": "x"})).status_code == 403


async def test_try_it_is_not_there_outside_local_mode(harness):
    await staff_group(harness)
    async with signed_in(harness) as web:
        assert (await web.get("/try")).status_code == 404
        assert 'href="/try"' not in (await web.get("/guides")).text
