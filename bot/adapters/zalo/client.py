"""A small typed async client for the Zalo Bot Platform HTTP API (bots made with Zalo Bot Creator).

Every call is ``POST {api_url}/bot{token}/{method}`` with a JSON body; the answer is always
``{"ok": bool, "result": ..., "error_code": int, "description": str}``. Zalo has been seen to
answer errors with HTTP 200 and ``ok: false``, so the ``ok`` field decides, not the HTTP status
(the status is only a fallback when the body is not JSON). Facts, sources and what is not
confirmed: docs/zalo.md.

Differences from Telegram that callers must know:
- ``getUpdates`` takes only ``timeout`` (no offset): one call returns ONE update, or error 408
  when nothing arrived in time. Updates carry no update_id; de-duplicate on
  ``(event_name, message_id)`` (see :meth:`Update.key`).
- ids are strings; message dates are milliseconds since the epoch.
- text and captions are 1-2,000 characters: :meth:`ZaloClient.send_text` splits longer text.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import aiohttp

from bot.core.text_split import split_text

DEFAULT_API_URL = "https://bot-api.zaloplatforms.com"
MAX_TEXT = 2000  # sendMessage text and sendPhoto caption: 1-2,000 characters
SECRET_MIN, SECRET_MAX = 8, 256  # setWebhook secret_token length

EVENT_TEXT = "message.text.received"
EVENT_IMAGE = "message.image.received"
EVENT_STICKER = "message.sticker.received"
EVENT_UNSUPPORTED = "message.unsupported.received"

CHAT_PRIVATE = "PRIVATE"
CHAT_GROUP = "GROUP"


# --- errors -------------------------------------------------------------------------------


class ZaloError(Exception):
    """An error answer from the API (or no usable answer at all)."""

    def __init__(self, method: str, code: int | None, description: str) -> None:
        self.method, self.code, self.description = method, code, description
        super().__init__(f"zalo {method}: {code} {description}".strip())


class ZaloNetworkError(ZaloError):
    """No answer: connection refused or reset, timeout, or a body that is not the API's JSON."""


class ZaloBadRequest(ZaloError):
    """400 / 404: wrong method or parameters (text too long, unknown chat...). Do not retry."""


class ZaloUnauthorized(ZaloError):
    """401: the bot token is wrong or was reset. Fatal until the token is fixed."""


class ZaloForbidden(ZaloError):
    """403: the documented meaning is vague ("Internal server error"); treated as "this chat
    does not accept messages from the bot" (blocked, or never talked to the bot)."""


class ZaloRateLimited(ZaloError):
    """429 "Quota exceeded". ``retry_after`` is set only if the server said how long to wait."""

    def __init__(self, method: str, code: int | None, description: str, retry_after: float | None) -> None:
        super().__init__(method, code, description)
        self.retry_after = retry_after


class ZaloPollTimeout(ZaloError):
    """408 from getUpdates: no update within the timeout (normal for long polling)."""


# --- typed results ------------------------------------------------------------------------


@dataclass(frozen=True)
class BotInfo:
    id: str
    account_name: str
    account_type: str
    can_join_groups: bool


@dataclass(frozen=True)
class Chat:
    id: str
    chat_type: str  # "PRIVATE" or "GROUP"

    @property
    def is_private(self) -> bool:
        return self.chat_type == CHAT_PRIVATE


@dataclass(frozen=True)
class Sender:
    id: str
    display_name: str | None = None
    is_bot: bool = False


@dataclass(frozen=True)
class Message:
    message_id: str
    chat: Chat
    sender: Sender | None
    date_ms: int
    text: str | None = None
    photo_url: str | None = None
    caption: str | None = None
    sticker: str | None = None

    @property
    def date(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.date_ms / 1000, tz=dt.UTC)


@dataclass(frozen=True)
class Update:
    event_name: str
    message: Message | None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def text(self) -> str | None:
        return self.message.text if self.message and self.event_name == EVENT_TEXT else None

    @property
    def key(self) -> tuple[str, str] | None:
        """What identifies one delivery (Zalo updates have no update_id)."""
        return (self.event_name, self.message.message_id) if self.message else None


@dataclass(frozen=True)
class SentMessage:
    message_id: str
    date_ms: int


@dataclass(frozen=True)
class WebhookInfo:
    url: str
    updated_at_ms: int | None


# --- parsing ------------------------------------------------------------------------------


def _str(v: object) -> str | None:
    return None if v is None else str(v)


def _int(v: object) -> int:
    try:
        return int(v)  # type: ignore[call-overload,no-any-return]
    except (TypeError, ValueError):
        return 0


def parse_message(data: object) -> Message | None:
    if not isinstance(data, Mapping):
        return None
    chat = data.get("chat")
    if not isinstance(chat, Mapping) or chat.get("id") is None or data.get("message_id") is None:
        return None
    frm = data.get("from")
    sender = (
        Sender(str(frm["id"]), _str(frm.get("display_name") or frm.get("name")), bool(frm.get("is_bot", False)))
        if isinstance(frm, Mapping) and frm.get("id") is not None
        else None
    )
    return Message(
        message_id=str(data["message_id"]),
        chat=Chat(str(chat["id"]), str(chat.get("chat_type") or CHAT_PRIVATE)),
        sender=sender,
        date_ms=_int(data.get("date")),
        text=_str(data.get("text")),
        photo_url=_str(data.get("photo_url") or data.get("photo")),
        caption=_str(data.get("caption")),
        sticker=_str(data.get("sticker")),
    )


def parse_update(data: object) -> Update | None:
    """An update from getUpdates' ``result`` or a webhook body, wrapped (``{"ok": true,
    "result": {...}}``, as documented) or bare (``{"event_name": ...}``, as some report)."""
    if not isinstance(data, Mapping):
        return None
    inner = data.get("result")
    if isinstance(inner, Mapping) and "event_name" not in data:
        data = inner
    name = data.get("event_name")
    if not isinstance(name, str) or not name:
        return None
    return Update(name, parse_message(data.get("message")), dict(data))


# --- the client ---------------------------------------------------------------------------


class ZaloClient:
    """One bot token, one aiohttp session (created lazily, or passed in and then not closed)."""

    def __init__(
        self,
        token: str,
        *,
        api_url: str = DEFAULT_API_URL,
        session: aiohttp.ClientSession | None = None,
        request_timeout: float = 30.0,
    ) -> None:
        if not token:
            raise ValueError("a Zalo bot token is required")
        self._token = token
        self.api_url = api_url.rstrip("/")
        self._session = session
        self._own_session = session is None
        self.request_timeout = request_timeout

    async def __aenter__(self) -> ZaloClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
            self._own_session = True
        return self._session

    async def call(self, method: str, payload: Mapping[str, Any] | None = None, *, wait: float | None = None) -> Any:
        """POST one method; the ``result`` on success, a :class:`ZaloError` subclass otherwise.
        The token is in the URL: no error message built here contains the URL."""
        url = f"{self.api_url}/bot{self._token}/{method}"
        limit = aiohttp.ClientTimeout(total=wait if wait is not None else self.request_timeout)
        try:
            async with self._get_session().post(url, json=dict(payload or {}), timeout=limit) as resp:
                status = resp.status
                retry_header = resp.headers.get("Retry-After")
                raw = await resp.read()
        except (aiohttp.ClientError, TimeoutError) as e:
            raise ZaloNetworkError(method, None, type(e).__name__) from None
        try:
            body = json.loads(raw.decode("utf-8", "replace"))
        except ValueError:
            body = None
        if not isinstance(body, Mapping):
            code = status if status >= 400 else None
            if code is None:
                raise ZaloNetworkError(method, None, f"not a JSON object (HTTP {status})")
            body = {"ok": False, "error_code": code, "description": f"HTTP {status}"}
        if body.get("ok") is True:
            return body.get("result")
        code = _int(body.get("error_code")) or (status if status >= 400 else 0) or None
        desc = str(body.get("description") or "")
        raise _error(method, code, desc, body.get("parameters"), retry_header)

    # --- methods --------------------------------------------------------------------------

    async def get_me(self) -> BotInfo:
        r = await self.call("getMe")
        if not isinstance(r, Mapping):
            raise ZaloNetworkError("getMe", None, "no bot info in the answer")
        return BotInfo(
            id=str(r.get("id", "")),
            account_name=str(r.get("account_name", "")),
            account_type=str(r.get("account_type", "")),
            can_join_groups=bool(r.get("can_join_groups", False)),
        )

    async def get_updates(self, wait: int = 30) -> Update | None:
        """Long poll: the next update, or None when none came within ``wait`` seconds."""
        try:
            # documented as a String; the HTTP wait must outlast the server's
            r = await self.call("getUpdates", {"timeout": str(wait)}, wait=wait + 10)
        except ZaloPollTimeout:
            return None
        return parse_update(r) if r else None

    async def set_webhook(self, url: str, secret_token: str) -> WebhookInfo:
        if not SECRET_MIN <= len(secret_token) <= SECRET_MAX:
            raise ValueError(f"the webhook secret must be {SECRET_MIN}-{SECRET_MAX} characters")
        return _webhook_info(await self.call("setWebhook", {"url": url, "secret_token": secret_token}))

    async def get_webhook_info(self) -> WebhookInfo:
        return _webhook_info(await self.call("getWebhookInfo"))

    async def delete_webhook(self) -> WebhookInfo:
        return _webhook_info(await self.call("deleteWebhook"))

    async def send_message(self, chat_id: str, text: str) -> SentMessage:
        """Exactly one message; ``text`` must be 1-2,000 characters (see :meth:`send_text`)."""
        if not text.strip() or len(text) > MAX_TEXT:
            raise ValueError(f"Zalo text must be 1-{MAX_TEXT} characters, got {len(text)}")
        return _sent(await self.call("sendMessage", {"chat_id": chat_id, "text": text}))

    async def send_text(self, chat_id: str, text: str) -> list[SentMessage]:
        """Any length: split at paragraph, then line, then word boundaries with "(1/2)" markers."""
        return [await self.send_message(chat_id, part) for part in split_text(text, MAX_TEXT)]

    async def send_photo(self, chat_id: str, photo_url: str, caption: str | None = None) -> SentMessage:
        """A photo by URL (the API takes a link, not an upload); caption up to 2,000 characters."""
        payload: dict[str, Any] = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            if len(caption) > MAX_TEXT:
                raise ValueError(f"Zalo caption must be at most {MAX_TEXT} characters, got {len(caption)}")
            payload["caption"] = caption
        return _sent(await self.call("sendPhoto", payload))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})


def _error(method: str, code: int | None, desc: str, params: object, retry_header: str | None) -> ZaloError:
    if code == 429:
        retry: float | None = None
        if isinstance(params, Mapping) and params.get("retry_after") is not None:
            retry = float(_int(params.get("retry_after"))) or None
        elif retry_header:
            try:
                retry = float(retry_header)
            except ValueError:
                retry = None
        return ZaloRateLimited(method, code, desc, retry)
    kinds: dict[int, type[ZaloError]] = {
        400: ZaloBadRequest,
        404: ZaloBadRequest,
        401: ZaloUnauthorized,
        403: ZaloForbidden,
        408: ZaloPollTimeout,
    }
    cls = kinds.get(code or 0)
    if cls is not None:
        return cls(method, code, desc)
    return ZaloNetworkError(method, code, desc) if code is None or code >= 500 else ZaloError(method, code, desc)


def _sent(r: object) -> SentMessage:
    if not isinstance(r, Mapping):
        return SentMessage("", 0)
    return SentMessage(str(r.get("message_id", "")), _int(r.get("date")))


def _webhook_info(r: object) -> WebhookInfo:
    if not isinstance(r, Mapping):
        return WebhookInfo("", None)
    ts = r.get("updated_at")
    return WebhookInfo(str(r.get("url") or ""), _int(ts) if ts is not None else None)
