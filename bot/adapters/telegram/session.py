"""The HTTP session to a Bot API server reached over plain http (a self-hosted server beside the bot, the
local chat's and the tests' fake one)."""

from __future__ import annotations

from aiogram.client.session.aiohttp import AiohttpSession


class PlainHttpSession(AiohttpSession):
    """aiogram waits 250 ms on close for SSL connections to shut down (aiohttp's graceful shutdown); over
    plain http there are none, so closing is immediate (the tests close a bot a thousand times)."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
