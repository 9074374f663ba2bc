"""`bot chat` story: after :demo a resident asks, staff answer in the group's topic, the resident rates."""

from __future__ import annotations

import io

from bot.chat import run_chat
from tests.conftest import make_settings

SCRIPT = """:demo
/start
Tiếng Việt
Phường Tây Hồ
5
Có, nhận thông báo
Hỏi cán bộ phường
Cho bác hỏi, số CCCD 001234567890 của bác nhập vào VNeID bị báo sai
Gửi cho cán bộ
:as staff
Nhận
:topic 5000
Bác kiểm tra lại đủ 12 số và không có dấu cách nhé
Đóng
Có, đóng
:as resident
Đã xong
5
"""


async def test_local_chat_resident_asks_staff_answer_resident_rates(tmp_path):
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}")
    out = io.StringIO()
    await run_chat(settings, inp=io.StringIO(SCRIPT), out=out)
    text = out.getvalue()
    assert "[chủ đề 5000] 🆕 Phiếu #1 · Phường Tây Hồ · Tổ dân phố 5" in text
    assert "💬 Cho bác hỏi, số CCCD [số CCCD đã ẩn] của bác" in text
    assert "[→ Cư dân (bác Lan)] 💬 Cán bộ phường trả lời: Bác kiểm tra lại đủ 12 số" in text
    assert "Đóng câu hỏi #1 của cư dân? Việc này không hoàn tác được." in text
    assert "Người dân chấm 5/5 cho phiếu #1" in text
    assert "Cảm ơn bác đã chấm điểm!" in text
