"""Webhook mode: Zalo POSTs each update to our HTTPS URL with the secret set by setWebhook in
the ``X-Bot-Api-Secret-Token`` header.

The header is compared in constant time before anything else; a wrong or missing secret gets
401 and the body is not even read. A good request is parsed into a typed
:class:`~bot.adapters.zalo.client.Update` and handed to the injected async callback; the same
``(event_name, message_id)`` seen again within the replay window is acknowledged and dropped.
"""

from __future__ import annotations

import hmac
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.adapters.zalo.client import SECRET_MAX, SECRET_MIN, Update, parse_update

SECRET_HEADER = "X-Bot-Api-Secret-Token"
DEFAULT_PATH = "/zalo/webhook"

UpdateCallback = Callable[[Update], Awaitable[None]]
log = logging.getLogger(__name__)


class RecentKeys:
    """A bounded set of recently seen update keys (Zalo updates have no update_id)."""

    def __init__(self, size: int = 5000) -> None:
        self.size = size
        self._keys: OrderedDict[tuple[str, str], None] = OrderedDict()

    def seen(self, key: tuple[str, str] | None) -> bool:
        """True if ``key`` was seen before; remembers it otherwise."""
        if key is None:
            return False
        if key in self._keys:
            self._keys.move_to_end(key)
            return True
        self._keys[key] = None
        if len(self._keys) > self.size:
            self._keys.popitem(last=False)
        return False

    def forget(self, key: tuple[str, str] | None) -> None:
        if key is not None:
            self._keys.pop(key, None)


def secret_matches(given: str | None, secret: str) -> bool:
    return hmac.compare_digest((given or "").encode(), secret.encode())


class ZaloWebhook:
    """The aiohttp handler. ``await ZaloWebhook(secret, cb).handle(request)``, or mount
    :meth:`app` / :meth:`add_to`."""

    def __init__(self, secret: str, on_update: UpdateCallback, *, replay_window: int = 5000) -> None:
        if not SECRET_MIN <= len(secret) <= SECRET_MAX:
            raise ValueError(f"the webhook secret must be {SECRET_MIN}-{SECRET_MAX} characters")
        self._secret = secret
        self._on_update = on_update
        self.recent = RecentKeys(replay_window)
        self.rejected = 0  # requests refused for the secret (a number to watch in logs)

    async def handle(self, request: web.Request) -> web.Response:
        if not secret_matches(request.headers.get(SECRET_HEADER), self._secret):
            self.rejected += 1
            return web.json_response({"message": "Unauthorized"}, status=401)
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"message": "Bad Request"}, status=400)
        update = parse_update(body)
        if update is None:
            return web.json_response({"message": "Bad Request"}, status=400)
        if self.recent.seen(update.key):
            return web.json_response({"message": "Success"})
        try:
            await self._on_update(update)
        except Exception:
            log.exception("zalo webhook: handling %s failed", update.event_name)
            self.recent.forget(update.key)  # a redelivery may succeed
            return web.json_response({"message": "Error"}, status=500)
        return web.json_response({"message": "Success"})

    def add_to(self, app: web.Application, path: str = DEFAULT_PATH) -> None:
        app.router.add_post(path, self.handle)

    def app(self, path: str = DEFAULT_PATH) -> web.Application:
        application = web.Application(client_max_size=1024 * 1024)
        self.add_to(application, path)
        return application
