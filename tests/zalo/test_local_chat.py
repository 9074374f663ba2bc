"""`./scripts/start --channel zalo`: the local chat as a Zalo resident. The bot prints numbered text and reads
the numbers itself (the chat does not press buttons for her); staff answer on (fake) Telegram."""

from __future__ import annotations

import io

from bot.chat import greeting, run_chat
from bot.cli import build_parser
from tests.conftest import make_settings

SCRIPT = """:demo
xin chào
1
1
1
5
1
hỏi cán bộ phường
bác không đăng nhập được VNeID
1
:as staff
Nhận
:topic 5000
Bác thử lại mật khẩu nhé
:as zalo
1
2
5
"""


async def test_a_zalo_resident_in_the_local_chat_asks_staff_reads_the_answer_and_rates(tmp_path) -> None:
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}")
    out = io.StringIO()
    await run_chat(settings, inp=io.StringIO(SCRIPT), out=out, channel="zalo")
    text = out.getvalue()
    assert "[Cư dân trên Zalo (bác Hoa)] > xin chào" in text
    assert "1. 🇻🇳 Tiếng Việt" in text and "   [1]" not in text.split(":as staff")[0]  # numbered by the bot itself
    assert "📱 Người dân viết qua Zalo" in text  # on the staff card
    assert "[→ Zalo: bác Hoa] 💬 Cán bộ phường trả lời: Bác thử lại mật khẩu nhé" in text
    assert "1. ✅ Xong rồi, đóng câu hỏi" in text
    assert "Người dân chấm 5/5 cho phiếu #1" in text
    assert "Cảm ơn bác đã chấm điểm!" in text


def test_start_and_chat_take_a_channel() -> None:
    parser = build_parser()
    assert parser.parse_args(["start", "--channel", "zalo"]).channel == "zalo"
    assert parser.parse_args(["chat"]).channel == "telegram"
    settings = make_settings("sqlite+aiosqlite:///:memory:")
    assert greeting(settings, channel="zalo").endswith("[Cư dân trên Zalo (bác Hoa)] > ")
