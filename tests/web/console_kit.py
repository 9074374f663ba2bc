"""The web console on the test harness: an httpx client on the ASGI app, signed in through a real `/web`."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from bot.adapters.telegram.desk_sender import DeskSender
from bot.adapters.telegram.group_probe import TelegramGroupProbe
from bot.adapters.web import create_app
from tests.harness import Harness

LINK = re.compile(r"https?://\S+/login\?t=([A-Za-z0-9_-]+)")
BASE = "http://console.test"


def console_client(harness: Harness) -> httpx.AsyncClient:
    api = create_app(harness.app, DeskSender(harness.bot), TelegramGroupProbe(harness.bot))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url=BASE)


async def web_token(harness: Harness, user_id: int, name: str = "Cán bộ Hà") -> str:
    """What `/web` in a private chat gives this person: the token of the link (AssertionError if refused)."""
    out = await harness.actor(user_id, name).send("/web")
    m = LINK.search(out[-1].text)
    assert m, out[-1].text
    return m.group(1)


async def sign_in(client: httpx.AsyncClient, token: str) -> httpx.Response:
    page = await client.get("/login", params={"t": token})
    assert page.status_code == 200 and "Đăng nhập" in page.text
    return await client.post("/login", data={"t": token})


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field on the page"
    return m.group(1)


@asynccontextmanager
async def signed_in(harness: Harness, user_id: int = 2001, name: str = "Cán bộ Hà") -> AsyncIterator[httpx.AsyncClient]:
    """A browser signed in as this person (their `/web` link, used once)."""
    async with console_client(harness) as web:
        r = await sign_in(web, await web_token(harness, user_id, name))
        assert r.status_code == 303, r.text
        yield web
