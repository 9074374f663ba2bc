"""`bot chat`: a person walks "install iHanoi" from /start to the last step, typing numbers and button words."""

from __future__ import annotations

import io

from bot.chat import run_chat
from tests.conftest import make_settings


async def test_local_chat_walks_install_ihanoi_from_start_to_last_step(tmp_path):
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}")
    # /start → Tiếng Việt → Bác → Tây Hồ → tổ 5 → notices yes → iHanoi → "Cài ứng dụng iHanoi" (first guide) → next…
    script = [
        "/start",
        "1",
        "1",
        "1",
        "5",
        "1",
        "1",
        "1",
        "tiếp",
        "tiếp",
        "được rồi tiếp",
        "tiếp",
        "được rồi tiếp",
        "làm được rồi",
    ]
    out = io.StringIO()
    await run_chat(settings, inp=io.StringIO("\n".join(script) + "\n"), out=out)
    text = out.getvalue()
    for n in range(1, 7):
        assert f"Cài ứng dụng iHanoi\nBước {n}/6" in text
    assert "🎉 Tuyệt vời! Bác đã làm xong “Cài ứng dụng iHanoi”." in text
    assert "   [1] ✅ Làm được rồi" in text  # buttons are shown as numbered choices
