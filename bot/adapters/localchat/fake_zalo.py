"""A fake Zalo Bot API server over HTTP (aiohttp), for tests and local try-outs.

It behaves as docs/zalo.md describes the real one: ``POST /bot{token}/{method}`` with a JSON
(or form / query) body, answers ``{"ok": ..., "result": ..., "error_code", "description"}``
with HTTP 200 even for errors (as Zalo was seen to do; ``error_http_status=True`` sends the
code as the HTTP status instead), one update per getUpdates call and 408 when none came.

It records what the bot sent, enforces the 1-2,000 character text limit, a per-second send
limit (429 "Quota exceeded"), 403 for chats that blocked the bot, the webhook secret (8-256
characters) and can push queued updates to a webhook with the ``X-Bot-Api-Secret-Token`` header.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

SECRET_HEADER = "X-Bot-Api-Secret-Token"
SEND_METHODS = {"sendmessage", "sendphoto", "sendsticker"}


@dataclass
class ZaloSent:
    method: str
    chat_id: str
    message_id: str
    text: str
    params: dict[str, Any] = field(default_factory=dict)
    at: float = 0.0


class FakeZaloAPI:
    def __init__(
        self,
        *,
        token: str = "12345:test-token",
        rate_per_second: float | None = None,
        retry_after: int | None = None,
        error_http_status: bool = False,
        bot_id: str = "1459232241454765289",
    ) -> None:
        self.token = token
        self.rate_per_second = rate_per_second  # None = no limit
        self.retry_after = retry_after  # sent with 429 in "parameters" if set (undocumented for Zalo)
        self.error_http_status = error_http_status
        self.bot_id = bot_id
        self.sent: list[ZaloSent] = []
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.actions: list[tuple[str, str]] = []  # (chat_id, action)
        self.blocked: set[str] = set()
        self.fail_next: dict[str, deque[tuple[int, str]]] = defaultdict(deque)
        self.too_many = 0
        self.webhook_url = ""
        self.webhook_secret = ""
        self.webhook_updated_at = 0
        self.max_poll_wait = 1.0  # the fake never holds a getUpdates longer than this
        self.updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._ids = itertools.count(1)
        self._window: deque[float] = deque()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
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

    # --- what tests read ------------------------------------------------------------------

    def messages_to(self, chat_id: str) -> list[ZaloSent]:
        return [m for m in self.sent if m.chat_id == chat_id]

    def texts_to(self, chat_id: str) -> list[str]:
        return [m.text for m in self.messages_to(chat_id)]

    def last_to(self, chat_id: str) -> ZaloSent:
        msgs = self.messages_to(chat_id)
        if not msgs:
            raise AssertionError(f"the bot sent nothing to chat {chat_id}")
        return msgs[-1]

    # --- what a resident does -------------------------------------------------------------

    def make_update(
        self,
        chat_id: str,
        text: str | None = None,
        *,
        event_name: str | None = None,
        display_name: str = "Bác Hoa",
        chat_type: str = "PRIVATE",
        photo_url: str | None = None,
        message_id: str | None = None,
    ) -> dict[str, Any]:
        """A webhook-style update body, as documented: ``{"ok": true, "result": {...}}``."""
        message: dict[str, Any] = {
            "from": {"id": chat_id, "display_name": display_name, "is_bot": False},
            "chat": {"id": chat_id, "chat_type": chat_type},
            "message_id": message_id or f"m{next(self._ids):016x}",
            "date": int(time.time() * 1000),
        }
        if text is not None:
            message["text"] = text
        if photo_url is not None:
            message["photo_url"] = photo_url
        name = event_name or ("message.image.received" if photo_url else "message.text.received")
        return {"ok": True, "result": {"event_name": name, "message": message}}

    def push_text(self, chat_id: str, text: str, **kw: Any) -> dict[str, Any]:
        """Queue a text message for the next getUpdates."""
        update = self.make_update(chat_id, text, **kw)
        self.updates.put_nowait(update["result"])
        return update

    async def deliver(self, update: dict[str, Any], *, secret: str | None = None) -> int:
        """POST an update to the webhook set with setWebhook; the HTTP status it answered."""
        if not self.webhook_url:
            raise AssertionError("no webhook is set")
        headers = {SECRET_HEADER: self.webhook_secret if secret is None else secret}
        async with (
            aiohttp.ClientSession() as s,
            s.post(self.webhook_url, json=update, headers=headers) as resp,
        ):
            await resp.read()
            return resp.status

    # --- HTTP -----------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    params.update(body)
            else:
                params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        self.requests.append((method, params))
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        key = method.lower()
        if self.fail_next.get(key):
            code, desc = self.fail_next[key].popleft()
            return self._error(code, desc)
        try:
            if key == "getupdates":
                return await self._get_updates(params)
            handler = getattr(self, f"_m_{key}", None)
            if handler is None:
                return self._error(404, "Not found")
            result = handler(params)
            return web.json_response({"ok": True, "result": result} if result is not None else {"ok": True})
        except _ApiError as e:
            return self._error(e.code, e.description)

    def _error(self, code: int, description: str) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if code == 429 and self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return web.json_response(body, status=code if self.error_http_status else 200)

    # --- Zalo behaviour -------------------------------------------------------------------

    def _check_send(self, chat_id: str) -> None:
        if not chat_id:
            raise _ApiError(400, "chat_id is required")
        if chat_id in self.blocked:
            raise _ApiError(403, "Forbidden: the user does not accept messages from this bot")
        if self.rate_per_second is None:
            return
        now = time.monotonic()
        while self._window and now - self._window[0] >= 1.0:
            self._window.popleft()
        if len(self._window) >= self.rate_per_second:
            self.too_many += 1
            raise _ApiError(429, "Quota exceeded")
        self._window.append(now)

    def _record(self, method: str, p: dict[str, Any], text: str) -> dict[str, Any]:
        chat_id = str(p.get("chat_id") or "")
        self._check_send(chat_id)
        mid = f"{next(self._ids):020x}"
        self.sent.append(ZaloSent(method, chat_id, mid, text, dict(p), time.monotonic()))
        return {"message_id": mid, "date": int(time.time() * 1000)}

    def _m_getme(self, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "account_name": "bot.TroLySoPhuong",
            "account_type": "BASIC",
            "can_join_groups": False,
        }

    def _m_sendmessage(self, p: dict[str, Any]) -> dict[str, Any]:
        text = str(p.get("text") or "")
        if not 1 <= len(text) <= 2000:
            raise _ApiError(400, "text must be 1-2000 characters")
        return self._record("sendMessage", p, text)

    def _m_sendphoto(self, p: dict[str, Any]) -> dict[str, Any]:
        photo = str(p.get("photo") or "")
        if not photo.startswith(("http://", "https://")):
            raise _ApiError(400, "photo must be a URL")
        caption = str(p.get("caption") or "")
        if len(caption) > 2000:
            raise _ApiError(400, "caption must be at most 2000 characters")
        return self._record("sendPhoto", p, caption)

    def _m_sendsticker(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._record("sendSticker", p, f"[sticker {p.get('sticker')}]")

    def _m_sendchataction(self, p: dict[str, Any]) -> None:
        if p.get("action") not in ("typing", "upload_photo"):
            raise _ApiError(400, "unknown action")
        self.actions.append((str(p.get("chat_id")), str(p.get("action"))))
        return None

    def _m_setwebhook(self, p: dict[str, Any]) -> dict[str, Any]:
        url, secret = str(p.get("url") or ""), str(p.get("secret_token") or "")
        loopback = url.startswith(("http://127.0.0.1", "http://localhost"))
        if not (url.startswith("https://") or loopback):
            raise _ApiError(400, "url must be HTTPS")
        if not 8 <= len(secret) <= 256:
            raise _ApiError(400, "secret_token must be 8-256 characters")
        self.webhook_url, self.webhook_secret = url, secret
        self.webhook_updated_at = int(time.time() * 1000)
        return {"url": url, "updated_at": self.webhook_updated_at}

    def _m_getwebhookinfo(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook_url, "updated_at": self.webhook_updated_at}

    def _m_deletewebhook(self, p: dict[str, Any]) -> dict[str, Any]:
        self.webhook_url, self.webhook_secret = "", ""
        self.webhook_updated_at = int(time.time() * 1000)
        return {"url": "", "updated_at": self.webhook_updated_at}

    async def _get_updates(self, p: dict[str, Any]) -> web.Response:
        if self.webhook_url:
            return self._error(400, "getUpdates does not work while a webhook is set")
        try:
            wait = float(p.get("timeout", 30) or 30)
        except ValueError:
            wait = 30.0
        try:
            update = await asyncio.wait_for(self.updates.get(), timeout=max(0.01, min(wait, self.max_poll_wait)))
        except TimeoutError:
            return self._error(408, "Request timeout")
        return web.json_response({"ok": True, "result": update})


class _ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        self.code, self.description = code, description
        super().__init__(description)
