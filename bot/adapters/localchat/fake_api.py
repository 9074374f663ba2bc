"""A fake Telegram Bot API server over HTTP, for tests, benchmarks and the token-less local chat.

The real aiogram client talks to it exactly as it would to api.telegram.org. It records what
the bot sends, builds the updates a user would cause (text, commands, button presses, stickers),
and can behave like Telegram under load: 429 with retry_after past the rate limits, 403 for a
user who blocked the bot or a group that removed it, and a migrate error for an upgraded group.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

JSON_FIELDS = {
    "reply_markup",
    "entities",
    "caption_entities",
    "media",
    "allowed_updates",
    "link_preview_options",
    "reply_parameters",
    "commands",
    "scope",
}
SEND_METHODS = {
    "sendmessage",
    "sendphoto",
    "senddocument",
    "sendvoice",
    "sendaudio",
    "sendvideo",
    "copymessage",
    "forwardmessage",
    "sendsticker",
    "sendanimation",
    "sendlocation",
}


@dataclass
class Sent:
    """One message the bot sent (or a later edit of it)."""

    method: str
    chat_id: int
    message_id: int
    text: str
    reply_markup: dict[str, Any] | None = None
    thread_id: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    deleted: bool = False
    at: float = 0.0

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        return (self.reply_markup or {}).get("inline_keyboard", [])

    @property
    def button_labels(self) -> list[str]:
        return [b["text"] for row in self.buttons for b in row]


@dataclass
class Limits:
    """Telegram's published flood limits (bots FAQ)."""

    global_per_second: float = 30
    per_chat_interval: float = 1.0
    per_group_per_minute: int = 20


class FakeBotAPI:
    def __init__(self, *, limits: Limits | None = None, bot_id: int = 42, bot_username: str = "TroLySoPhuongBot"):
        self.limits = limits  # None = accept everything (tests of the flow); Limits = behave like Telegram
        self.max_poll_wait = 1.0
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.sent: list[Sent] = []
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.callback_answers: list[dict[str, Any]] = []
        self.blocked: set[int] = set()
        self.kicked: set[int] = set()
        self.migrated: dict[int, int] = {}
        # method -> (code, description[, parameters])
        self.fail_next: dict[str, deque[tuple[Any, ...]]] = defaultdict(deque)
        self.forum_chats: set[int] = set()
        self.topics: dict[int, list[tuple[int, str]]] = defaultdict(list)
        self.too_many: int = 0
        self._msg_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1000))
        self._topic_ids = itertools.count(5000)
        self._global_window: deque[float] = deque()
        self._chat_last: dict[int, float] = {}
        self._group_window: dict[int, deque[float]] = defaultdict(deque)
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._update_ids = itertools.count(1)
        self.lock = asyncio.Lock()

    # --- server lifecycle ---------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        sockets = site._server.sockets  # type: ignore[union-attr]
        self.base_url = f"http://{host}:{sockets[0].getsockname()[1]}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- what tests read ----------------------------------------------------------------

    def messages_to(self, chat_id: int, since: int = 0) -> list[Sent]:
        return [m for m in self.sent[since:] if m.chat_id == chat_id and m.method in SEND_METHODS]

    def last_to(self, chat_id: int) -> Sent:
        msgs = self.messages_to(chat_id)
        if not msgs:
            raise AssertionError(f"the bot sent nothing to chat {chat_id}")
        return msgs[-1]

    def find_message(self, chat_id: int, message_id: int) -> Sent | None:
        for m in reversed(self.sent):
            if m.chat_id == chat_id and m.message_id == message_id:
                return m
        return None

    # --- HTTP handling ------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            form = await request.post()
            for k, v in form.items():
                if isinstance(v, web.FileField):
                    params[k] = {"file_name": v.filename, "size": len(v.file.read())}
                else:
                    params[k] = v
        for k in list(params):
            if k in JSON_FIELDS and isinstance(params[k], str):
                try:
                    params[k] = json.loads(params[k])
                except ValueError:
                    pass
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        self.requests.append((method, params))
        key = method.lower()
        try:
            if self.fail_next.get(key):
                code, desc, *parameters = self.fail_next[key].popleft()  # (code, description[, parameters])
                return self._error(code, desc, parameters[0] if parameters else None)
            if key == "getupdates":
                return await self._get_updates(params)
            handler = getattr(self, f"_m_{key}", None)
            if handler is None:
                return self._ok(True)
            async with self.lock:
                return await handler(params)
        except _ApiError as e:
            return self._error(e.code, e.description, e.parameters)

    @staticmethod
    def _ok(result: Any) -> web.Response:
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _error(code: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=code)

    # --- Telegram behaviour -------------------------------------------------------------

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
        kind = "supergroup" if chat_id < -1_000_000_000_000 else "group"
        chat: dict[str, Any] = {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}
        if chat_id in self.forum_chats:
            chat["is_forum"] = True
        return chat

    def _check_recipient(self, chat_id: int) -> None:
        if chat_id in self.migrated:
            raise _ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrated[chat_id]},
            )
        if chat_id in self.blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id in self.kicked:
            raise _ApiError(403, "Forbidden: bot was kicked from the supergroup chat")

    def _check_flood(self, chat_id: int) -> None:
        if self.limits is None:
            return
        now = time.monotonic()
        lim = self.limits
        gw = self._global_window
        while gw and now - gw[0] >= 1.0:
            gw.popleft()
        retry = 0.0
        if len(gw) >= lim.global_per_second:
            retry = max(retry, 1.0 - (now - gw[0]))
        last = self._chat_last.get(chat_id)
        if last is not None and now - last < lim.per_chat_interval:
            retry = max(retry, lim.per_chat_interval - (now - last))
        if chat_id < 0:
            w = self._group_window[chat_id]
            while w and now - w[0] >= 60.0:
                w.popleft()
            if len(w) >= lim.per_group_per_minute:
                retry = max(retry, 60.0 - (now - w[0]))
        if retry > 0:
            self.too_many += 1
            raise _ApiError(429, f"Too Many Requests: retry after {int(retry) + 1}", {"retry_after": int(retry) + 1})
        gw.append(now)
        self._chat_last[chat_id] = now
        if chat_id < 0:
            self._group_window[chat_id].append(now)

    def _record(self, method: str, params: dict[str, Any], text: str) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        self._check_recipient(chat_id)
        self._check_flood(chat_id)
        mid = next(self._msg_ids[chat_id])
        thread = int(params["message_thread_id"]) if params.get("message_thread_id") else None
        markup = params.get("reply_markup") if isinstance(params.get("reply_markup"), dict) else None
        self.sent.append(Sent(method.lower(), chat_id, mid, text, markup, thread, params, at=time.monotonic()))
        msg: dict[str, Any] = {
            "message_id": mid,
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": {"id": self.bot_id, "is_bot": True, "first_name": "Bot", "username": self.bot_username},
        }
        if method.lower() in ("sendphoto", "senddocument", "sendvoice"):
            if text:
                msg["caption"] = text
        else:
            msg["text"] = text or "…"
        if markup:
            msg["reply_markup"] = markup
        if thread:
            msg["message_thread_id"] = thread
            msg["is_topic_message"] = True
        return msg

    async def _m_getme(self, p: dict[str, Any]) -> web.Response:
        return self._ok(
            {
                "id": self.bot_id,
                "is_bot": True,
                "first_name": "Trợ lý số phường",
                "username": self.bot_username,
                "can_join_groups": True,
            }
        )

    async def _m_sendmessage(self, p: dict[str, Any]) -> web.Response:
        text = str(p.get("text", ""))
        if not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        return self._ok(self._record("sendMessage", p, text))

    async def _m_sendphoto(self, p: dict[str, Any]) -> web.Response:
        if len(str(p.get("caption", ""))) > 1024:
            raise _ApiError(400, "Bad Request: message caption is too long")
        msg = self._record("sendPhoto", p, str(p.get("caption", "")))
        msg["photo"] = [{"file_id": "photo1", "file_unique_id": "u1", "width": 10, "height": 10}]
        return self._ok(msg)

    async def _m_senddocument(self, p: dict[str, Any]) -> web.Response:
        msg = self._record("sendDocument", p, str(p.get("caption", "")))
        msg["document"] = {"file_id": "doc1", "file_unique_id": "d1"}
        return self._ok(msg)

    async def _m_sendvoice(self, p: dict[str, Any]) -> web.Response:
        msg = self._record("sendVoice", p, str(p.get("caption", "")))
        msg["voice"] = {"file_id": "voice1", "file_unique_id": "v1", "duration": 1}
        return self._ok(msg)

    async def _m_copymessage(self, p: dict[str, Any]) -> web.Response:
        msg = self._record("copyMessage", p, str(p.get("caption", "") or f"[copy of {p.get('message_id')}]"))
        return self._ok({"message_id": msg["message_id"]})

    async def _m_forwardmessage(self, p: dict[str, Any]) -> web.Response:
        return self._ok(self._record("forwardMessage", p, f"[forward of {p.get('message_id')}]"))

    async def _edit(self, p: dict[str, Any], text: str | None) -> web.Response:
        chat_id = int(p["chat_id"])
        old = self.find_message(chat_id, int(p["message_id"]))
        if old is None or old.deleted:
            raise _ApiError(400, "Bad Request: message to edit not found")
        markup = p.get("reply_markup") if isinstance(p.get("reply_markup"), dict) else None
        new_text = old.text if text is None else text
        if new_text == old.text and markup == old.reply_markup:
            raise _ApiError(400, "Bad Request: message is not modified")
        old.text, old.reply_markup = new_text, markup
        msg = {
            "message_id": old.message_id,
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "text": new_text or "…",
        }
        if markup:
            msg["reply_markup"] = markup
        return self._ok(msg)

    async def _m_editmessagetext(self, p: dict[str, Any]) -> web.Response:
        return await self._edit(p, str(p.get("text", "")))

    async def _m_editmessagereplymarkup(self, p: dict[str, Any]) -> web.Response:
        return await self._edit(p, None)

    async def _m_deletemessage(self, p: dict[str, Any]) -> web.Response:
        old = self.find_message(int(p["chat_id"]), int(p["message_id"]))
        if old is None or old.deleted:
            raise _ApiError(400, "Bad Request: message to delete not found")
        old.deleted = True
        return self._ok(True)

    async def _m_answercallbackquery(self, p: dict[str, Any]) -> web.Response:
        self.callback_answers.append(p)
        return self._ok(True)

    async def _m_createforumtopic(self, p: dict[str, Any]) -> web.Response:
        chat_id = int(p["chat_id"])
        self._check_recipient(chat_id)
        if chat_id not in self.forum_chats:
            raise _ApiError(400, "Bad Request: the chat is not a forum")
        tid = next(self._topic_ids)
        self.topics[chat_id].append((tid, str(p.get("name", ""))))
        return self._ok({"message_thread_id": tid, "name": p.get("name", ""), "icon_color": 7322096})

    async def _m_getchat(self, p: dict[str, Any]) -> web.Response:
        """A ChatFullInfo: the chat plus the fields Bot API 9 always sends."""
        chat_id = int(p["chat_id"])
        self._check_recipient(chat_id)
        gifts = dict.fromkeys(
            ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription", "gifts_from_channels"), False
        )
        full = {"accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}
        return self._ok(self._chat(chat_id) | full)

    async def _m_getchatmember(self, p: dict[str, Any]) -> web.Response:
        """The bot is a plain member of every group it was not kicked from."""
        chat_id = int(p["chat_id"])
        self._check_recipient(chat_id)
        user = {"id": int(p["user_id"]), "is_bot": True, "first_name": "Bot"}
        return self._ok({"status": "member", "user": user})

    async def _get_updates(self, p: dict[str, Any]) -> web.Response:
        # Telegram holds a long poll up to `timeout` seconds; this one at most a second (an empty answer
        # early is allowed), so a bot stopping polling is not kept waiting for the rest of it
        timeout = min(float(p.get("timeout", 0) or 0), self.max_poll_wait)
        items: list[dict[str, Any]] = []
        try:
            items.append(await asyncio.wait_for(self.updates.get(), timeout=max(timeout, 0.01)))
        except TimeoutError:
            pass
        while not self.updates.empty():
            items.append(self.updates.get_nowait())
        return self._ok(items)


class _ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        self.code, self.description, self.parameters = code, description, parameters
        super().__init__(description)
