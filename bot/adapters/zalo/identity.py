"""Who a Zalo user is to the use cases: `("zalo", external_id)`, like `("telegram", user id)`.

Zalo ids are strings (hex-looking, ``6ede9afa66b88fe6d6a9``: up to 80 bits, more than a BIGINT holds),
while users, tickets and the outbox address people by an integer. The integer is a stable hash of the
string (63 bits: a clash between two residents is about 1 in 10^13 for a million of them), and the
string itself is kept in `chat_keys` so the bot can write back to the chat.
"""

from __future__ import annotations

import hashlib

CHANNEL = "zalo"


def external_id(chat_id: str) -> int:
    """The positive 63-bit integer that stands for a Zalo chat id (the same on every instance)."""
    digest = hashlib.blake2b(chat_id.encode(), digest_size=8, person=b"zalo-chat").digest()
    return (int.from_bytes(digest, "big") & (2**63 - 1)) or 1
