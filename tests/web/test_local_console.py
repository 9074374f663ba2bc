"""The local chat's `:web`: the console on the chat's fake Telegram, and a sign-in link that opens it."""

from __future__ import annotations

import io
import socket
import urllib.request

from bot.chat import run_chat
from tests.conftest import make_settings
from tests.web.console_kit import LINK


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Typist(io.StringIO):
    """Types the script; once the link is on screen, opens it as a browser would (from the reading thread)."""

    def __init__(self, lines: list[str], out: io.StringIO):
        super().__init__()
        self.lines, self.out = lines, out
        self.pages: list[str] = []

    def readline(self, size: int | None = -1) -> str:
        link = LINK.search(self.out.getvalue())
        if link and not self.pages:
            with urllib.request.urlopen(link.group(0), timeout=10) as r:
                self.pages.append(r.read().decode())
        return self.lines.pop(0) + "\n" if self.lines else ""


async def test_colon_web_serves_the_console_and_prints_a_login_link(tmp_path):
    port = _free_port()
    settings = make_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}", web_port=port, web_base_url=f"http://127.0.0.1:{port}"
    )
    out = io.StringIO()
    typist = Typist([":web", ":demo", ":as staff", ":web", ":q"], out)
    await run_chat(settings, inp=typist, out=out)
    text = out.getvalue()
    assert "chỉ dành cho cán bộ phường" in text  # Bác Lan, a resident, is refused
    assert f"http://127.0.0.1:{port}/login?t=" in text  # the staff member (private chat) gets a link
    assert typist.pages and "Đăng nhập" in typist.pages[0] and 'name="t"' in typist.pages[0]
