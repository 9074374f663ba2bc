"""Ward notices to Zalo subscribers: the outbox's `Sender` on Zalo, and Zalo's send limits.

The same outbox rows and exactly-once protocol as Telegram (`bot.app.delivery`); only the rows whose
`channel` is "zalo" come here. Zalo publishes no send rate (only "429 Quota exceeded"), so the pace is
`ZALO_RATE_PER_SECOND` (a conservative default) and a 429 backs off like Telegram's flood control.
Zalo has no method to delete a sent message, so a withdrawn notice stays on Zalo (reported as not
deleted); a photo or file attached on Telegram (a Telegram file id) cannot be sent, only the text.
"""

from __future__ import annotations

from bot.adapters.db.chat_keys import ChatKeys
from bot.adapters.zalo.client import (
    ZaloBadRequest,
    ZaloClient,
    ZaloError,
    ZaloForbidden,
    ZaloNetworkError,
    ZaloRateLimited,
    ZaloUnauthorized,
)
from bot.adapters.zalo.out import LastScreens, message_number
from bot.adapters.zalo.render import render
from bot.app.delivery import Blocked, Outgoing, Rejected, RetryAfter, Transient
from bot.core.rate_limit import RateLimiter

DEFAULT_BACKOFF = 5.0  # seconds after a 429 when Zalo did not say how long


def zalo_limiter(per_second: float) -> RateLimiter:
    """Zalo's pace: `per_second` overall, one message a second to one chat (as for Telegram)."""
    rate = max(0.1, per_second)
    return RateLimiter(per_second=max(1, int(rate)), pace=rate, per_chat_interval=1.05, reserve=0)


class ZaloNoticeSender:
    def __init__(self, client: ZaloClient, chat_keys: ChatKeys, screens: LastScreens) -> None:
        self.client, self.chat_keys, self.screens = client, chat_keys, screens

    async def send(self, chat_id: int, message: Outgoing) -> int:
        key = await self.chat_keys.key_for(chat_id)
        if key is None:
            raise Blocked("never wrote to the bot on Zalo")
        try:
            sent = await self.client.send_text(key, render(message.screen, "vi"))
        except ZaloRateLimited as e:
            raise RetryAfter(e.retry_after or DEFAULT_BACKOFF) from e
        except ZaloForbidden as e:
            raise Blocked(e.description or "forbidden") from e
        except (ZaloBadRequest, ZaloUnauthorized) as e:
            raise Rejected(e.description or "bad request") from e
        except (ZaloNetworkError, ZaloError) as e:
            raise Transient(e.description or "zalo error") from e
        self.screens.put(key, message.screen)  # "1" under the notice is its "Đã hiểu"
        return message_number(sent[-1].message_id) if sent else 0

    async def delete(self, chat_id: int, message_id: int) -> None:
        raise Rejected("Zalo cannot delete a sent message")
