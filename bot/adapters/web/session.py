"""The console's session: a signed, HttpOnly, SameSite=Lax cookie that expires after 12 hours idle.

The cookie holds the user id, the role signed in with and the CSRF token of every form; itsdangerous
signs it (with a key derived from HASH_SALT) and stamps the time. Each response signs it again, so
the 12 hours count from the last request. The cookie's value is never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "tlsp_console"
IDLE = 12 * 3600  # seconds


@dataclass(frozen=True)
class Session:
    user_id: int
    role: str
    csrf: str

    def csrf_ok(self, sent: object) -> bool:
        return isinstance(sent, str) and hmac.compare_digest(sent.encode(), self.csrf.encode())


def new_session(user_id: int, role: str) -> Session:
    return Session(user_id, role, secrets.token_urlsafe(24))


class SessionCodec:
    def __init__(self, secret: str):
        key = hmac.new(secret.encode(), b"web-console-session", hashlib.sha256).hexdigest()
        self._s = URLSafeTimedSerializer(key, salt="session")

    def dump(self, s: Session) -> str:
        return self._s.dumps({"u": s.user_id, "r": s.role, "c": s.csrf})

    def load(self, value: str | None) -> Session | None:
        if not value or len(value) > 1000:
            return None
        try:
            data = self._s.loads(value, max_age=IDLE)
        except BadSignature:  # also SignatureExpired: idle for more than 12 hours
            return None
        try:
            return Session(int(data["u"]), str(data["r"]), str(data["c"]))
        except (KeyError, TypeError, ValueError):
            return None
