"""Inbound flood control counts a person once across every instance that shares Redis."""

from __future__ import annotations

import random

import pytest

from bot.core.flood import FLOOD_LIMIT
from bot.core.i18n import Texts
from tests.conftest import make_settings
from tests.harness import Harness


@pytest.mark.postgres
@pytest.mark.redis
async def test_two_instances_count_one_flooding_person_together(pg_url, redis_url, fake, clock):
    one = await Harness(make_settings(pg_url, redis_url=redis_url), fake, clock).start()
    two = await Harness(make_settings(pg_url, redis_url=redis_url), fake, clock).start()
    try:
        uid = random.randint(10**9, 2 * 10**9)  # keys of its own in the shared Redis
        slow_down = Texts()("vi", "common.slow_down")
        halves = (one.actor(uid), two.actor(uid))
        for i in range(FLOOD_LIMIT + 4):  # alternating instances, as a load balancer would
            await halves[i % 2].send(f"cài ihanoi thế nào {i}")
        to_them = [m.text for m in fake.sent if m.chat_id == uid]
        # each instance saw only 12: counted apart, neither would have stopped them
        assert to_them.count(slow_down) == 1  # the 21st update, whichever instance got it
        assert to_them[-1] == slow_down  # nothing after it was handled
        before = len(fake.sent)
        await halves[0].send("cài ihanoi thế nào nữa")
        assert [m for m in fake.sent[before:] if m.chat_id == uid] == []  # still dropped on either instance
    finally:
        await one.stop()
        await two.stop()
