"""`bot run`: the real polling loop against a Bot API server at TELEGRAM_API_URL (here the fake one)."""

from __future__ import annotations

import asyncio
import contextlib

from bot.run import run_bot
from tests.conftest import make_settings


async def test_polling_bot_answers_start_and_registers_commands(tmp_path, fake):
    settings = make_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'run.db'}", bot_token="42:REAL-LOOP", telegram_api_url=fake.base_url
    )
    task = asyncio.create_task(run_bot(settings))
    await fake.updates.put(
        {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 777, "type": "private", "first_name": "Lan"},
                "from": {"id": 777, "is_bot": False, "first_name": "Lan"},
                "text": "/start",
            },
        }
    )
    for _ in range(200):
        if fake.messages_to(777):
            break
        await asyncio.sleep(0.05)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert "Trợ lý số phường" in fake.last_to(777).text
    commands = [p for m, p in fake.requests if m == "setMyCommands"]
    assert len(commands) == 3 and any("thongbao" not in str(p) and "menu" in str(p) for p in commands)
    assert any(p.get("language_code") == "en" and "Main menu" in str(p) for p in commands)
    assert not any("lienket" in str(p) for p in commands)  # no Zalo channel here: nothing to link with


def test_the_link_command_is_in_the_menu_only_with_a_zalo_channel():
    from bot.run import private_commands

    assert "lienket" not in dict(private_commands("vi", zalo=False))
    assert dict(private_commands("vi", zalo=True))["lienket"] == "Liên kết với tài khoản Zalo"
    assert dict(private_commands("en", zalo=True))["lienket"] == "Link with your Zalo account"
