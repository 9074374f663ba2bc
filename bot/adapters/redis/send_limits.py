"""Telegram's send limits kept in Redis, so N processes of one bot together stay under them.

One Lua script per send decides and takes the slot atomically on Redis's own clock (no clock skew
between processes): the chat's spacing and a group's per-minute window first (a chat-only wait lets
the worker try another chat), then the overall sliding one-second window and even pacing. Broadcasts
leave `reserve` of the per-second budget to interactive replies while people are chatting (an
interactive send in the last `reserve_hold` seconds). Same answers as `bot.core.rate_limit.RateLimiter`,
which stays the embedded default.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from bot.core.rate_limit import Slot

_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local p, chat = ARGV[1], ARGV[2]
local is_group, interactive = ARGV[3] == '1', ARGV[4] == '1'
local per_second, window, spacing = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local chat_iv, per_group, gwin = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local reserve, hold = tonumber(ARGV[11]), tonumber(ARGV[12])
local function num(key, default)
  local v = redis.call('GET', key)
  if v then return tonumber(v) end
  return default
end
local function f(x) return string.format('%.6f', x) end
-- the chat's own wait
local d = num(p .. ':cblock:' .. chat, 0) - now
local last = num(p .. ':clast:' .. chat, nil)
-- a reply in a private chat may burst; only the chat's own 429 holds it back
if last and (is_group or not interactive) then d = math.max(d, last + chat_iv - now) end
local gk = p .. ':grp:' .. chat
if is_group then
  redis.call('ZREMRANGEBYSCORE', gk, '-inf', f(now - gwin))
  if redis.call('ZCARD', gk) >= per_group then
    local first = redis.call('ZRANGE', gk, 0, 0, 'WITHSCORES')
    d = math.max(d, tonumber(first[2]) + gwin - now)
  end
end
if d > 0 then return {1, f(d)} end
-- everyone's wait
local g = p .. ':global'
redis.call('ZREMRANGEBYSCORE', g, '-inf', f(now - window))
d = num(p .. ':gblock', 0) - now
local limit = per_second
if not interactive then
  d = math.max(d, num(p .. ':next', 0) - now)
  if now - num(p .. ':ilast', -1e12) < hold then limit = math.max(1, per_second - reserve) end
end
local n = redis.call('ZCARD', g)
if n >= limit then
  local e = redis.call('ZRANGE', g, n - limit, n - limit, 'WITHSCORES')
  d = math.max(d, tonumber(e[2]) + window - now, 0.001)
end
if d > 0 then return {0, f(d)} end
-- take it
local seq = redis.call('INCR', p .. ':seq')
redis.call('ZADD', g, f(now), tostring(seq))
redis.call('PEXPIRE', g, math.ceil(window * 1000) + 1000)
redis.call('SET', p .. ':clast:' .. chat, f(now), 'PX', math.ceil(chat_iv * 1000) + 1000)
if is_group then
  redis.call('ZADD', gk, f(now), tostring(seq))
  redis.call('PEXPIRE', gk, math.ceil(gwin * 1000) + 1000)
end
if interactive then
  redis.call('SET', p .. ':ilast', f(now), 'PX', math.ceil(hold * 1000) + 1000)
else
  local ns = math.max(num(p .. ':next', 0), now - spacing) + spacing
  redis.call('SET', p .. ':next', f(ns), 'PX', 5000)
end
return {2, '0'}
"""

_PENALISE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local p, chat, seconds, everyone = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4] == '1'
local ms = math.ceil(seconds * 1000) + 1000
local function bump(key)
  local v = tonumber(redis.call('GET', key) or '0')
  if now + seconds > v then redis.call('SET', key, string.format('%.6f', now + seconds), 'PX', ms) end
end
bump(p .. ':cblock:' .. chat)
if everyone then bump(p .. ':gblock') end
return 1
"""


class RedisSendLimiter:
    """Implements `bot.app.ports.notices.SendLimiter` on Redis."""

    def __init__(
        self,
        redis: Redis,
        prefix: str = "tro-ly-so-phuong:send",
        *,
        per_second: int = 29,
        window: float = 1.0,
        pace: float = 29.0,
        per_chat_interval: float = 1.05,
        per_group: int = 20,
        group_window: float = 61.0,
        reserve: int = 5,
        reserve_hold: float = 10.0,
    ):
        self.redis, self.prefix = redis, prefix
        self.args: list[Any] = [per_second, window, 1.0 / pace, per_chat_interval, per_group, group_window]
        self.args += [reserve, reserve_hold]
        self._acquire = redis.register_script(_ACQUIRE)
        self._penalise = redis.register_script(_PENALISE)

    @classmethod
    def from_url(cls, url: str, prefix: str = "tro-ly-so-phuong:send", **kw: Any) -> RedisSendLimiter:
        return cls(Redis.from_url(url), prefix, **kw)

    async def acquire(self, chat_id: int, is_group: bool, *, interactive: bool = False) -> Slot:
        kind, wait = await self._acquire(
            keys=[], args=[self.prefix, chat_id, int(is_group), int(interactive), *self.args]
        )
        if int(kind) == 2:
            return Slot()
        return Slot(max(float(wait), 0.0005), chat_only=int(kind) == 1)

    async def retry_after(self, chat_id: int, seconds: float, *, everyone: bool) -> None:
        await self._penalise(keys=[], args=[self.prefix, chat_id, seconds, int(everyone)])

    async def close(self) -> None:
        await self.redis.aclose()
