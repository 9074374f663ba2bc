"""One Settings object, read from the environment / `.env` once in the composition root.

A bad value is reported as one line naming the setting (`SettingError`, or `describe_errors` for what
pydantic rejects); `bot.cli` prints it and exits with status 2. What can only be checked by talking to
the outside (the database answers, Telegram accepts the token) is checked in `bot.preflight`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Derived data that is safe to delete (the parsed content, keyed by the content files' hashes).
CACHE_DIR = PROJECT_ROOT / "data" / "cache"
DEFAULT_HASH_SALT = "change-me"
SECRETS = frozenset({"bot_token", "webhook_secret", "hash_salt", "zalo_bot_token", "zalo_webhook_secret"})

# The drivers the bot runs on; a URL without a driver gets the async one.
_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}
_URL_RE = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<rest>.*)$")
# What aiogram (and Telegram) accept: "<bot id>:<secret>", no spaces.
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
# Zalo Bot Creator's token is "<bot id>:<secret>" too (docs/zalo.md); the secret's alphabet is not documented.
_ZALO_TOKEN_RE = re.compile(r"^\d+:\S+$")


class SettingError(Exception):
    """A setting that keeps the bot from starting; `str()` is the one line shown to the operator."""

    def __init__(self, setting: str, problem: str):
        self.setting, self.problem = setting.upper(), problem
        super().__init__(f"{self.setting}: {problem}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # From @BotFather; None = no real bot (`bot start` opens the local chat instead).
    bot_token: SecretStr | None = None
    # Default: an embedded SQLite file, nothing to install. At scale: postgresql+asyncpg://...
    database_url: str = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'data' / 'bot.db'}"
    # Custom Bot API server (self-hosted, or the fake one in tests); None = api.telegram.org.
    telegram_api_url: str | None = None
    # Redis for FSM storage at scale; None = FSM state kept in memory (guide progress lives in the DB anyway).
    redis_url: str | None = None
    # Seconds between two sends to one chat (Telegram asks for about one per second in a chat, 20 a minute in
    # a group). Keep the default against Telegram; the tests set 0 against the fake Bot API, which has no limits
    # unless a test turns them on.
    telegram_chat_interval: float = Field(default=1.05, ge=0, le=60)
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    content_dir: Path = PROJECT_ROOT / "content"
    # Salt for hashing user ids in logs that must not identify residents; the real bot refuses the default.
    hash_salt: SecretStr = SecretStr(DEFAULT_HASH_SALT)
    bot_username: str = "TroLySoPhuongBot"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_port: int = Field(default=8080, ge=1, le=65535)

    @field_validator(
        "bot_token",
        "webhook_secret",
        "telegram_api_url",
        "redis_url",
        "webhook_url",
        "zalo_bot_token",
        "zalo_webhook_url",
        "zalo_webhook_secret",
        "zalo_bot_link",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, v: object) -> object:
        """`BOT_TOKEN=` in .env means "not set", as it reads."""
        return None if isinstance(v, str) and not v.strip() else v

    # The web console (`bot web`): where it listens, and the address people open (sign-in links point there;
    # https:// makes the session cookie Secure; behind a reverse proxy, the proxy's public address).
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8088, ge=1, le=65535)
    web_base_url: str = "http://127.0.0.1:8088"

    # Zalo Bot Platform (docs/zalo.md). No token = no Zalo channel.
    zalo_bot_token: SecretStr | None = None
    # Base URL of the Zalo Bot API (a self-hosted proxy, or the fake server in tests).
    zalo_api_url: str = "https://bot-api.zaloplatforms.com"
    # Webhook mode when both are set (secret: 8-256 characters); otherwise long polling.
    zalo_webhook_url: str | None = None
    zalo_webhook_secret: SecretStr | None = None
    zalo_webhook_port: int = Field(default=8081, ge=1, le=65535)  # beside Telegram's WEBHOOK_PORT
    # Zalo publishes no send rate (only "429 Quota exceeded"): a conservative default.
    zalo_rate_per_second: float = 5.0
    # The bot's Zalo address as Zalo Bot Creator shows it, for the text officials paste into tổ Zalo groups
    # (no Zalo URL format is assumed: not set = no link line).
    zalo_bot_link: str | None = None

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, v: object) -> object:
        if isinstance(v, str):
            ids = []
            for part in v.replace(";", ",").split(","):
                if not part.strip():
                    continue
                if not part.strip().isdigit():
                    raise ValueError(f"{part.strip()!r} is not a Telegram user id (numbers separated by commas)")
                ids.append(int(part))
            return ids
        if isinstance(v, int):
            return [v]
        return v

    @field_validator("bot_token")
    @classmethod
    def _token_format(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and not _TOKEN_RE.match(v.get_secret_value().strip()):
            raise ValueError("not a bot token: expected <digits>:<letters, digits, - or _> as @BotFather gives it")
        return SecretStr(v.get_secret_value().strip()) if v is not None else None

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, v: str) -> str:
        m = _URL_RE.match(v.strip())
        if not m:
            raise ValueError(
                "not a database URL: expected sqlite+aiosqlite:///path/bot.db or postgresql+asyncpg://user:pass@host/db"
            )
        scheme = m["scheme"].lower()
        if scheme not in _DRIVERS:
            raise ValueError(f"unsupported database {scheme!r}: use sqlite+aiosqlite:///… or postgresql+asyncpg://…")
        return f"{_DRIVERS[scheme]}://{m['rest']}"

    @field_validator("telegram_api_url", "webhook_url", "redis_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is not None and not _URL_RE.match(v.strip()):
            raise ValueError(f"not a URL: {v!r}")
        return v.strip() if v is not None else None

    @field_validator("zalo_bot_token")
    @classmethod
    def _zalo_token_format(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and not _ZALO_TOKEN_RE.match(v.get_secret_value().strip()):
            raise ValueError(
                "not a Zalo bot token: expected <digits>:<letters, digits, - or _> as Zalo Bot Creator sends it"
            )
        return SecretStr(v.get_secret_value().strip()) if v is not None else None

    @field_validator("zalo_webhook_secret")
    @classmethod
    def _zalo_secret_length(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and not 8 <= len(v.get_secret_value()) <= 256:
            raise ValueError("must be 8-256 characters (Zalo's setWebhook rule)")
        return v

    @field_validator("zalo_api_url", "zalo_webhook_url", "zalo_bot_link")
    @classmethod
    def _zalo_url(cls, v: str | None) -> str | None:
        if v is not None and not _URL_RE.match(v.strip()):
            raise ValueError(f"not a URL: {v!r}")
        return v.strip() if v is not None else None

    @model_validator(mode="after")
    def _production_needs_a_salt(self) -> Settings:
        if self.zalo_webhook_url is not None:
            if not self.zalo_webhook_url.startswith("https://"):
                raise SettingError("zalo_webhook_url", "must be an https:// address (Zalo posts only to HTTPS)")
            if self.zalo_webhook_secret is None:
                raise SettingError("zalo_webhook_secret", "required with ZALO_WEBHOOK_URL: 8-256 random characters")
        real = self.bot_token is not None or self.zalo_bot_token is not None
        if real and self.hash_salt.get_secret_value() == DEFAULT_HASH_SALT:
            raise SettingError(
                "hash_salt",
                f"still the default {DEFAULT_HASH_SALT!r}; the real bot needs a secret value, e.g. "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`",
            )
        return self

    def token(self) -> str:
        """The bot token as a plain string, for the Bot API client only."""
        return self.bot_token.get_secret_value() if self.bot_token else ""


def describe_errors(err: ValidationError) -> str:
    """pydantic's report on Settings as one line: `NAME: what is wrong[; NAME: …]`, secrets never echoed."""
    parts: list[str] = []
    for e in err.errors():
        loc = e.get("loc") or ("settings",)
        name = str(loc[0])
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] not in ("value_error", "assertion_error") and name not in SECRETS:
            msg = f"{msg} (got {e.get('input')!r})"
        parts.append(f"{name.upper()}: {msg}")
    return "; ".join(parts)
