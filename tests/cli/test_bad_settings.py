"""A bad setting stops `bot run` / `bot start` with exit status 2 and one line naming it, never a traceback.

Each test runs the real command in a fresh process, as an operator would, with only the settings it names.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.settings import PROJECT_ROOT

GOOD = {"BOT_TOKEN": "123456:AAHfakeTokenForTests_0123456789", "HASH_SALT": "a-real-secret-salt"}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def bot_command(args: list[str], env: dict[str, str], cwd: str) -> tuple[int, str, str]:
    clean = {k: v for k, v in os.environ.items() if k.upper() not in _SETTINGS}
    clean["PYTHONPATH"] = str(PROJECT_ROOT)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env={**clean, **env},
        cwd=cwd,  # no .env from the checkout is read
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=300)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


_SETTINGS = {
    "BOT_TOKEN",
    "DATABASE_URL",
    "TELEGRAM_API_URL",
    "REDIS_URL",
    "ADMIN_IDS",
    "CONTENT_DIR",
    "HASH_SALT",
    "BOT_USERNAME",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_PORT",
}


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{err}"
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def sqlite_env(tmp_path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}


async def test_malformed_database_url(tmp_path):
    status, _, err = await bot_command(["run"], {**GOOD, "DATABASE_URL": "localhost:5432/bot"}, str(tmp_path))
    assert status == 2
    assert one_line(err).startswith("DATABASE_URL: not a database URL: expected sqlite+aiosqlite:///")


async def test_unsupported_database(tmp_path):
    status, _, err = await bot_command(["start"], {**GOOD, "DATABASE_URL": "mysql://bot:pw@db/bot"}, str(tmp_path))
    assert status == 2
    assert one_line(err).startswith("DATABASE_URL: unsupported database 'mysql'")


async def test_unreachable_database_names_it_with_the_password_masked(tmp_path):
    port = closed_port()
    url = f"postgresql://bot:s3cret-pw@127.0.0.1:{port}/bot"
    status, _, err = await bot_command(["run"], {**GOOD, "DATABASE_URL": url}, str(tmp_path))
    assert status == 2
    assert (
        one_line(err)
        == f"DATABASE_URL: cannot connect to postgresql+asyncpg://bot:***@127.0.0.1:{port}/bot (connection refused)"
    )
    assert "s3cret-pw" not in err


async def test_unreachable_database_also_stops_the_local_chat(tmp_path):
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/bot"
    status, _, err = await bot_command(["start"], {"DATABASE_URL": url}, str(tmp_path))
    assert status == 2
    assert one_line(err).startswith("DATABASE_URL: cannot connect to postgresql+asyncpg://postgres@127.0.0.1:")


async def test_sqlite_file_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    url = f"sqlite+aiosqlite:///{blocker / 'bot.db'}"
    status, _, err = await bot_command(["chat"], {"DATABASE_URL": url}, str(tmp_path))
    assert status == 2
    assert one_line(err).startswith(f"DATABASE_URL: cannot create the folder {blocker} for the SQLite file")


async def test_bot_token_in_the_wrong_format(tmp_path, sqlite_env):
    env = {**GOOD, **sqlite_env, "BOT_TOKEN": "my token from botfather"}
    status, _, err = await bot_command(["start"], env, str(tmp_path))
    assert status == 2
    assert one_line(err).startswith("BOT_TOKEN: not a bot token: expected <digits>:")
    assert "botfather" not in err.lower().split(":", 1)[0]
    assert "my token" not in err  # a secret is never echoed


async def test_missing_bot_token_for_bot_run(tmp_path, sqlite_env):
    status, _, err = await bot_command(["run"], sqlite_env, str(tmp_path))
    assert status == 2
    assert one_line(err).startswith("BOT_TOKEN: not set: put BOT_TOKEN=")


async def test_default_hash_salt_refused_in_production(tmp_path, sqlite_env):
    env = {**sqlite_env, "BOT_TOKEN": GOOD["BOT_TOKEN"]}
    status, _, err = await bot_command(["start"], env, str(tmp_path))
    assert status == 2
    assert one_line(err).startswith("HASH_SALT: still the default 'change-me'; the real bot needs a secret value")


@pytest.mark.parametrize(
    ("value", "shown"),
    [("1001, abc", "'abc' is not a Telegram user id"), ("1001;-5", "'-5' is not a Telegram user id")],
)
async def test_bad_admin_ids(tmp_path, sqlite_env, value, shown):
    status, _, err = await bot_command(["run"], {**GOOD, **sqlite_env, "ADMIN_IDS": value}, str(tmp_path))
    assert status == 2
    assert one_line(err) == f"ADMIN_IDS: {shown} (numbers separated by commas)"


async def test_bad_webhook_port(tmp_path, sqlite_env):
    status, _, err = await bot_command(["run"], {**GOOD, **sqlite_env, "WEBHOOK_PORT": "eighty"}, str(tmp_path))
    assert status == 2
    assert one_line(err).startswith("WEBHOOK_PORT: Input should be a valid integer")


@pytest.fixture
async def telegram_says_401() -> AsyncIterator[str]:
    """A Bot API that rejects every token, as Telegram does a revoked one."""

    async def reject(request: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)

    app = web.Application()
    app.router.add_route("*", "/bot{token}/{method}", reject)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_bot_token_rejected_by_telegram(tmp_path, sqlite_env, telegram_says_401):
    env = {**GOOD, **sqlite_env, "TELEGRAM_API_URL": telegram_says_401}
    status, _, err = await bot_command(["run"], env, str(tmp_path))
    assert status == 2
    assert one_line(err) == (
        "BOT_TOKEN: rejected by Telegram (HTTP 401 Unauthorized): copy the token again from @BotFather"
    )
    assert GOOD["BOT_TOKEN"] not in err


async def test_unreachable_bot_api_server(tmp_path, sqlite_env):
    url = f"http://127.0.0.1:{closed_port()}"
    status, _, err = await bot_command(["run"], {**GOOD, **sqlite_env, "TELEGRAM_API_URL": url}, str(tmp_path))
    assert status == 2
    assert one_line(err) == f"TELEGRAM_API_URL: cannot reach {url} (connection refused)"


async def test_invalid_content_is_reported_by_file_and_line_without_a_traceback(tmp_path, sqlite_env):
    content = tmp_path / "content"
    (content / "guides").mkdir(parents=True)
    status, _, err = await bot_command(["chat"], {**sqlite_env, "CONTENT_DIR": str(content)}, str(tmp_path))
    assert status == 1
    assert "Traceback" not in err
    assert "content/guides:1: no guide files found" in err
    assert err.strip().endswith("The bot does not start on invalid content: fix the lines above (`bot content check`).")
