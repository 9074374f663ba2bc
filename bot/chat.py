"""`bot chat`: the real dispatcher and handlers, in this terminal, against an in-process fake Bot API.

Buttons show as numbered choices: type the number to press one. Lines starting with ':' are
for the person trying the bot (switch between resident, staff and official, see :help).
With `--channel zalo` the resident writes on Zalo instead (a fake Zalo Bot API in process): the bot
itself prints numbered text and reads the numbers back, as residents see it on Zalo; staff and
officials stay on (fake) Telegram.

Importing this module is light (aiogram is imported by `run_chat`), so `bot chat` can show the
greeting and the prompt at once and load the bot while the person types.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.adapters.localchat.actors import Actor
    from bot.adapters.localchat.fake_api import FakeBotAPI, Sent
    from bot.adapters.localchat.fake_zalo import FakeZaloAPI
    from bot.adapters.zalo.channel import ZaloChannel
    from bot.bootstrap import App

LOCAL_TOKEN = "42:LOCAL-CHAT"


@dataclass(frozen=True)
class Persona:
    key: str
    user_id: int
    name: str
    chat_id: int
    label: str


PERSONAS = {
    "resident": Persona("resident", 1001, "Bác Lan", 1001, "Cư dân (bác Lan)"),
    "resident2": Persona("resident2", 1002, "Ông Minh", 1002, "Cư dân (ông Minh)"),
    "staff": Persona("staff", 2001, "Cán bộ Hà", -1002000000001, "Cán bộ phường (nhóm cán bộ)"),
    "staff-dm": Persona("staff-dm", 2001, "Cán bộ Hà", 2001, "Cán bộ phường (chat riêng)"),
    "official": Persona("official", 3001, "Chủ tịch phường", 3001, "Cán bộ phụ trách thông báo (chat riêng)"),
    "official2": Persona("official2", 3002, "Phó chủ tịch", 3002, "Người duyệt thông báo (chat riêng)"),
    "group5": Persona("group5", 1001, "Bác Lan", -1003000000005, "Nhóm tổ dân phố 5"),
    "team": Persona("team", 4001, "Chị Mai", -1004000000001, "Tổ chuyển đổi số cộng đồng (nhóm)"),
    "zalo": Persona("zalo", 0, "Bác Hoa", 0, "Cư dân trên Zalo (bác Hoa)"),
}
ZALO_CHAT = "6ede9afa66b88fe6d6a9"  # the persona's Zalo chat id (Zalo ids are strings)

META_HELP = """Lệnh thử nghiệm (chỉ có trong chat cục bộ):
  :as <vai>     đổi người đang gõ: resident, resident2, staff, staff-dm, official, official2, group5, team
                (và zalo: cư dân trên Zalo, khi chạy với --channel zalo)
  :reply        trả lời (reply) tin nhắn cuối của bot trong chat hiện tại, ví dụ  :reply Chào bác
  :topic <id>   gõ vào chủ đề (forum topic) <id> của nhóm hiện tại;  :topic  để bỏ
  :media <sticker|photo|voice|document> [chú thích]
  :demo         cấp vai trò cán bộ / quan chức cho các vai thử và gắn các nhóm vào phường Tây Hồ
  :tick [phút]  cho đồng hồ chạy và chạy các việc định kỳ (gửi thông báo, nhắc việc)
  :web          mở trang quản trị trên máy và in đường dẫn đăng nhập (vai staff-dm, official hoặc quản trị)
  :q            thoát
Gõ số (hoặc chữ trên nút, ví dụ: tiếp) để bấm nút. Gõ chữ để trò chuyện."""


class LocalChat:
    def __init__(self, app: App, fake: FakeBotAPI, out: TextIO, zalo: FakeZaloAPI | None = None):
        self.app, self.fake, self.out = app, fake, out
        self.zalo = zalo  # the resident is on Zalo (`--channel zalo`)
        self.zalo_channel: ZaloChannel | None = None
        self.zalo_seen = 0
        self.persona = PERSONAS["zalo" if zalo is not None else "resident"]
        self.thread_id: int | None = None
        self.seen = 0
        self.seen_answers = 0
        self.chat_names = {p.chat_id: p.label for p in PERSONAS.values()}

    async def setup(self) -> None:
        from bot.bootstrap import build_dispatcher, make_bot
        from bot.run import start_services

        self.app.settings.telegram_api_url = self.fake.base_url
        self.bot = make_bot(self.app.settings, LOCAL_TOKEN, self.app)
        self.dp = build_dispatcher(self.app, flood_control=False)
        await start_services(self.app, self.bot)
        if self.zalo is not None:
            from bot.adapters.telegram.desk_sender import DeskSender
            from bot.bootstrap import zalo_channel, zalo_notices

            self.zalo_channel = zalo_channel(self.app, DeskSender(self.bot))
            zalo_notices(self.app)  # `:tick` sends Zalo subscribers' notices too

    async def close(self) -> None:
        from bot.run import stop_services

        await stop_services(self.app)
        await self.bot.session.close()

    def actor(self) -> Actor:
        from bot.adapters.localchat.actors import Actor

        p = self.persona
        return Actor(self.fake, self.dp, self.bot, p.user_id, p.name, p.chat_id)

    def print_new(self) -> None:
        if self.zalo is not None:
            for z in self.zalo.sent[self.zalo_seen :]:  # Zalo shows the text as it is: numbers, no buttons
                where = "" if self.persona.key == "zalo" else "[→ Zalo: bác Hoa] "
                self.out.write(f"\n🤖 {where}{z.text}\n")
            self.zalo_seen = len(self.zalo.sent)
        for answer in self.fake.callback_answers[self.seen_answers :]:
            if answer.get("text"):  # the pop-up Telegram shows on a button press
                self.out.write(f"\n💬 (thông báo nhỏ) {answer['text']}\n")
        self.seen_answers = len(self.fake.callback_answers)
        new = self.fake.sent[self.seen :]
        self.seen = len(self.fake.sent)
        for m in new:
            if m.method not in (
                "sendmessage",
                "sendphoto",
                "senddocument",
                "copymessage",
                "sendvoice",
                "forwardmessage",
            ):
                continue
            where = "" if m.chat_id == self.persona.chat_id else f"[→ {self.chat_names.get(m.chat_id, m.chat_id)}] "
            topic = f"[chủ đề {m.thread_id}] " if m.thread_id else ""
            self.out.write(f"\n🤖 {where}{topic}{m.text}\n")
            if m.chat_id == self.persona.chat_id:
                for i, label in enumerate(m.button_labels, 1):
                    self.out.write(f"   [{i}] {label}\n")
        self.out.flush()

    def _last_buttons(self) -> tuple[Sent, list[dict[str, str]]] | None:
        for m in reversed(self.fake.sent):
            if m.chat_id == self.persona.chat_id and m.buttons and not m.deleted:
                return m, [b for row in m.buttons for b in row]
        return None

    async def handle(self, line: str) -> bool:
        line = line.rstrip("\n")
        actor = self.actor()
        if line.startswith(":"):
            return await self.meta(line[1:].strip(), actor)
        if self.persona.key == "zalo":
            await self._say_on_zalo(line)
            return True
        if line.strip().isdigit() and (last := self._last_buttons()):
            msg, buttons = last
            i = int(line.strip()) - 1
            if 0 <= i < len(buttons):
                b = buttons[i]
                if "url" in b:
                    self.out.write(f"   (nút mở đường link: {b['url']})\n")
                    return True
                await actor.press_data(b["callback_data"], msg)
                return True
        if (last := self._last_buttons()) and (b := _button_named(line, last[1])) is not None:
            await actor.press_data(b["callback_data"], last[0])
            return True
        await actor.send(line, thread_id=self.thread_id)
        return True

    async def _say_on_zalo(self, line: str) -> None:
        """Her words go to the Zalo channel as a Zalo update (the bot reads the numbers itself)."""
        from bot.adapters.zalo.client import parse_update

        if self.zalo is None or self.zalo_channel is None:
            self.out.write("— Chat này không chạy với --channel zalo.\n")
            return
        update = parse_update(self.zalo.make_update(ZALO_CHAT, line, display_name=self.persona.name))
        if update is not None:
            await self.zalo_channel.on_update(update)

    async def meta(self, cmd: str, actor: Actor) -> bool:
        name, _, rest = cmd.partition(" ")
        if name in ("q", "quit", "exit"):
            return False
        if name == "as" and rest.strip() in PERSONAS:
            self.persona = PERSONAS[rest.strip()]
            self.thread_id = None
            self.out.write(f"— Bây giờ bạn là: {self.persona.label}\n")
        elif name == "reply":
            target = next(
                (
                    m
                    for m in reversed(self.fake.sent)
                    if m.chat_id == self.persona.chat_id and (self.thread_id is None or m.thread_id == self.thread_id)
                ),
                None,
            )
            if target is None:
                self.out.write("— Chưa có tin nhắn nào để trả lời.\n")
            else:
                await actor.send(rest, reply_to=target, thread_id=target.thread_id)
        elif name == "topic":
            self.thread_id = int(rest) if rest.strip().isdigit() else None
            self.out.write(f"— Chủ đề: {self.thread_id or 'không'}\n")
        elif name == "media":
            kind, _, caption = rest.partition(" ")
            if kind in ("sticker", "photo", "voice", "document"):
                await actor.send_media(kind, caption or None, thread_id=self.thread_id)
        elif name == "web":
            await self.open_console()
        elif name in ("demo", "tick") and (name in self.hooks or self.app.extra.get(f"localchat_{name}")):
            # features add their own steps to app.extra["localchat_demo"] / ["localchat_tick"]
            for step in self.app.extra.get(f"localchat_{name}", []):
                await step(self, rest)
            if name in self.hooks:
                await self.hooks[name](self, rest)
        else:
            self.out.write(META_HELP + "\n")
        return True

    async def open_console(self) -> None:
        """`:web`: the web console on this chat's fake Telegram, and a sign-in link sent as `/web` would."""
        if self.console is None:
            from bot.adapters.telegram.desk_sender import DeskSender
            from bot.adapters.telegram.group_probe import TelegramGroupProbe
            from bot.adapters.web import create_app
            from bot.adapters.web.server import start_in_background

            s = self.app.settings
            from bot.adapters.localchat.tryit import LocalTryIt

            try_it = LocalTryIt(self.fake, self.dp, self.bot)
            api = create_app(self.app, DeskSender(self.bot), TelegramGroupProbe(self.bot), try_it)
            self.console = await start_in_background(api, s.web_host, s.web_port)
        private = next((p for p in PERSONAS.values() if p.user_id == self.persona.user_id and p.chat_id > 0), None)
        if private is None:
            self.out.write("— :web cần một vai có chat riêng (ví dụ  :as staff-dm).\n")
            return
        self.persona = private
        await self.actor().send("/web")

    console: tuple[Any, Any] | None = None
    hooks: dict[str, Callable[..., object]] = {}


def _bare(label: str) -> str:
    return "".join(ch for ch in label.casefold() if ch.isalnum() or ch == " ").strip()


def _button_named(line: str, buttons: list[dict[str, str]]) -> dict[str, str] | None:
    """Typing a button's words (e.g. "tiếp") presses it, as a shortcut to its number."""
    want = _bare(line)
    if not want:
        return None
    return next((b for b in buttons if "callback_data" in b and _bare(b["text"]) == want), None)


def greeting(settings: Settings, prompt: bool = True, channel: str = "telegram") -> str:
    """What the chat shows first; with `prompt`, ends with the first persona's prompt."""
    if channel == "zalo":
        text = (
            "Trợ lý số phường – chat thử như trên Zalo (không cần Zalo). Gõ xin chào để bắt đầu, trả lời bằng số;"
            " :help để xem lệnh thử.\n"
            f"Dữ liệu lưu ở: {settings.database_url}\n"
        )
        return text + _prompt(PERSONAS["zalo"]) if prompt else text
    text = (
        "Trợ lý số phường – chat thử trên máy (không cần Telegram). Gõ /start để bắt đầu, :help để xem lệnh thử.\n"
        f"Dữ liệu lưu ở: {settings.database_url}\n"
    )
    return text + _prompt(PERSONAS["resident"]) if prompt else text


def _prompt(persona: Persona) -> str:
    return f"\n[{persona.label}] > "


async def run_chat(
    settings: Settings,
    script: str | None = None,
    inp: TextIO | None = None,
    out: TextIO | None = None,
    *,
    greeted: bool = False,
    channel: str = "telegram",
) -> int:
    """`greeted`: the caller already showed `greeting(settings)` with its prompt (before the slow imports)."""
    from bot.adapters.localchat.fake_api import FakeBotAPI
    from bot.bootstrap import build_app

    out = out or sys.stdout
    inp = inp or (open(script, encoding="utf-8") if script else sys.stdin)  # noqa: SIM115, ASYNC230 (lives as long as the chat)
    fake = FakeBotAPI(bot_username=settings.bot_username)
    await fake.start()
    settings.telegram_api_url = fake.base_url
    zalo = None
    if channel == "zalo":
        from pydantic import SecretStr

        from bot.adapters.localchat.fake_zalo import FakeZaloAPI

        zalo = FakeZaloAPI()
        await zalo.start()
        settings.zalo_bot_token, settings.zalo_api_url = SecretStr(zalo.token), zalo.base_url
    app = await build_app(settings)
    chat = LocalChat(app, fake, out, zalo)
    await chat.setup()
    if not greeted:
        out.write(greeting(settings, prompt=False, channel=channel))
    interactive = inp.isatty() if hasattr(inp, "isatty") else False
    prompt_shown = greeted
    try:
        loop = asyncio.get_running_loop()
        while True:
            if interactive and not prompt_shown:
                out.write(_prompt(chat.persona))
                out.flush()
            prompt_shown = False
            line = await loop.run_in_executor(None, inp.readline)
            if not line:
                break
            if not interactive:
                out.write(f"{_prompt(chat.persona)}{line}")
            if not await chat.handle(line):
                break
            chat.print_new()
    finally:
        await chat.close()
        if chat.console is not None:
            from bot.adapters.web.server import stop

            await stop(*chat.console)
        await app.close()
        await fake.stop()
        if zalo is not None:
            await zalo.stop()
    return 0
