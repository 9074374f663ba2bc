"""Running the Zalo channel: `serve` in polling and webhook mode, and `python -m bot zalo` as an operator runs it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys

import aiohttp

from bot.adapters.localchat.fake_zalo import FakeZaloAPI
from bot.adapters.telegram.desk_sender import DeskSender
from bot.adapters.zalo.serve import serve
from bot.adapters.zalo.webhook import SECRET_HEADER
from bot.bootstrap import zalo_channel
from bot.settings import PROJECT_ROOT
from tests.conftest import make_settings
from tests.harness import Harness

CHAT = "6ede9afa66b88fe6d6a9"
SECRET = "phuong-tay-ho-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_for(cond, seconds: float = 20.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if cond():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


async def test_serve_long_polls_and_answers_until_stopped(sqlite_url, fake, clock, zalo: FakeZaloAPI) -> None:
    zalo.max_poll_wait = 0.05
    h = await Harness(
        make_settings(sqlite_url, zalo_bot_token=zalo.token, zalo_api_url=zalo.base_url), fake, clock
    ).start()
    try:
        assert h.app.zalo is not None
        stop = asyncio.Event()
        task = asyncio.create_task(serve(zalo_channel(h.app, DeskSender(h.bot)), h.app.zalo.client, stop))
        zalo.push_text(CHAT, "xin chào")
        await wait_for(lambda: bool(zalo.texts_to(CHAT)))
        assert "1. 🇻🇳 Tiếng Việt" in zalo.last_to(CHAT).text
        assert ("deleteWebhook", {}) in zalo.requests  # polling and a webhook exclude each other
        stop.set()
        await asyncio.wait_for(task, 10)
    finally:
        await h.stop()


async def test_serve_in_webhook_mode_sets_the_webhook_and_checks_the_secret(
    sqlite_url, fake, clock, zalo: FakeZaloAPI
) -> None:
    h = await Harness(
        make_settings(sqlite_url, zalo_bot_token=zalo.token, zalo_api_url=zalo.base_url), fake, clock
    ).start()
    port = free_port()
    url = f"http://127.0.0.1:{port}/zalo/hook"
    try:
        assert h.app.zalo is not None
        stop = asyncio.Event()
        task = asyncio.create_task(
            serve(
                zalo_channel(h.app, DeskSender(h.bot)),
                h.app.zalo.client,
                stop,
                webhook_url=url,
                webhook_secret=SECRET,
                port=port,
                host="127.0.0.1",
            )
        )
        await wait_for(lambda: zalo.webhook_url == url)
        assert zalo.webhook_secret == SECRET
        assert await zalo.deliver(zalo.make_update(CHAT, "xin chào"), secret="guessed") == 401
        assert zalo.texts_to(CHAT) == []
        assert await zalo.deliver(zalo.make_update(CHAT, "xin chào")) == 200
        assert "1. 🇻🇳 Tiếng Việt" in zalo.last_to(CHAT).text
        stop.set()
        await asyncio.wait_for(task, 10)
        async with aiohttp.ClientSession() as s:  # the listener is gone
            try:
                async with s.post(url, json={}, headers={SECRET_HEADER: SECRET}) as r:
                    raise AssertionError(f"still listening: {r.status}")
            except aiohttp.ClientConnectionError:
                pass
    finally:
        await h.stop()


def _env(tmp_path, zalo: FakeZaloAPI, **extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.upper().startswith(("ZALO_", "BOT_", "WEBHOOK_"))}
    clean.pop("DATABASE_URL", None)
    clean.pop("REDIS_URL", None)
    return {
        **clean,
        "PYTHONPATH": str(PROJECT_ROOT),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "HASH_SALT": "a-real-secret-salt",
        "ZALO_API_URL": zalo.base_url,
        "ZALO_BOT_TOKEN": zalo.token,
        **extra,
    }


async def _bot(args: list[str], env: dict[str, str], cwd: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_bot_zalo_runs_polling_answers_a_resident_and_stops_on_sigint(tmp_path, zalo: FakeZaloAPI) -> None:
    zalo.max_poll_wait = 0.2
    proc = await _bot(["zalo"], _env(tmp_path, zalo), str(tmp_path))
    try:
        zalo.push_text(CHAT, "xin chào")
        await wait_for(lambda: bool(zalo.texts_to(CHAT)) or proc.returncode is not None, 120)
        assert "1. 🇻🇳 Tiếng Việt" in zalo.last_to(CHAT).text
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()


async def test_bot_zalo_with_a_refused_token_exits_2_with_one_line(tmp_path, zalo: FakeZaloAPI) -> None:
    proc = await _bot(["zalo"], _env(tmp_path, zalo, ZALO_BOT_TOKEN="999:not-the-token"), str(tmp_path))
    _, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 2
    assert err.decode().strip() == (
        "ZALO_BOT_TOKEN: rejected by Zalo (401 Unauthorized): copy the token again from Zalo Bot Creator"
    )


async def test_bot_zalo_without_a_token_says_how_to_set_it(tmp_path, zalo: FakeZaloAPI) -> None:
    env = _env(tmp_path, zalo)
    del env["ZALO_BOT_TOKEN"]
    proc = await _bot(["zalo"], env, str(tmp_path))
    _, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 2
    assert err.decode().strip().startswith("ZALO_BOT_TOKEN: not set: put ZALO_BOT_TOKEN=")


async def test_with_both_tokens_one_process_answers_on_telegram_and_on_zalo(tmp_path, fake, zalo: FakeZaloAPI) -> None:
    zalo.max_poll_wait = 0.2
    env = _env(tmp_path, zalo, BOT_TOKEN="42:TEST", TELEGRAM_API_URL=fake.base_url)
    proc = await _bot(["zalo"], env, str(tmp_path))
    try:
        lan = {"id": 1001, "is_bot": False, "first_name": "Lan"}
        fake.updates.put_nowait(
            {
                "update_id": 1,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": 1001, "type": "private"},
                    "from": lan,
                    "text": "/start",
                },
            }
        )
        zalo.push_text(CHAT, "xin chào")
        await wait_for(
            lambda: (bool(fake.messages_to(1001)) and bool(zalo.texts_to(CHAT))) or proc.returncode is not None, 120
        )
        assert "Tiếng Việt" in str(fake.last_to(1001).button_labels)
        assert "1. 🇻🇳 Tiếng Việt" in zalo.last_to(CHAT).text
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()[-2000:]


async def test_bot_run_with_a_refused_zalo_token_stops_before_starting(tmp_path, fake, zalo: FakeZaloAPI) -> None:
    env = _env(tmp_path, zalo, BOT_TOKEN="42:TEST", TELEGRAM_API_URL=fake.base_url, ZALO_BOT_TOKEN="999:wrong")
    proc = await _bot(["run"], env, str(tmp_path))
    _, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 2
    assert err.decode().strip().startswith("ZALO_BOT_TOKEN: rejected by Zalo (401 Unauthorized)")
