"""Inbound flood control kept in Redis, so a person's updates count once across every instance.

A fixed window per person (`INCR` then `EXPIRE … NX` in one round trip): coarser than the in-process
sliding window, but one cheap call per update and nothing to sweep: Redis forgets idle people itself.
"""

from __future__ import annotations

import time

from redis.asyncio import Redis

from bot.core.flood import FLOOD_LIMIT, FLOOD_WINDOW


class RedisFloodCounter:
    """Implements `bot.core.flood.FloodCounter` on Redis."""

    def __init__(
        self,
        redis: Redis,
        prefix: str = "tro-ly-so-phuong:flood",
        limit: int = FLOOD_LIMIT,
        window: float = FLOOD_WINDOW,
    ):
        self.redis, self.prefix, self.limit, self.window = redis, prefix, limit, window

    @classmethod
    def from_url(cls, url: str, prefix: str = "tro-ly-so-phuong:flood", **kw: int | float) -> RedisFloodCounter:
        return cls(Redis.from_url(url), prefix, **kw)  # type: ignore[arg-type]

    async def hit(self, user_id: int) -> int:
        bucket = int(time.time() // self.window)
        key = f"{self.prefix}:{user_id}:{bucket}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, int(self.window) + 1, nx=True)
            count, _ = await pipe.execute()
        return int(count)

    def clear(self) -> None:
        """Redis forgets by itself at the end of each window; nothing is kept here."""

    async def close(self) -> None:
        await self.redis.aclose()
