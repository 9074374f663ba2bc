"""One Settings object, read from the environment / `.env` once in the composition root."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: str | None = None
    # Default: an embedded SQLite file, nothing to install. At scale: postgresql+asyncpg://...
    database_url: str = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'data' / 'bot.db'}"
    # Custom Bot API server (self-hosted, or the fake one in tests); None = api.telegram.org.
    telegram_api_url: str | None = None
    # Redis for FSM storage at scale; None = FSM state kept in memory (guide progress lives in the DB anyway).
    redis_url: str | None = None
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    timezone: str = "Asia/Ho_Chi_Minh"
    content_dir: Path = PROJECT_ROOT / "content"
    default_lang: str = "vi"
    # Salt for hashing user ids in logs that must not identify residents.
    hash_salt: str = "change-me"
    bot_username: str = "TroLySoPhuongBot"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_port: int = 8080
    # Zalo Bot Platform (docs/zalo.md). No token = no Zalo channel.
    zalo_bot_token: SecretStr | None = None
    # Base URL of the Zalo Bot API (a self-hosted proxy, or the fake server in tests).
    zalo_api_url: str = "https://bot-api.zaloplatforms.com"
    # Webhook mode when both are set (secret: 8-256 characters); otherwise long polling.
    zalo_webhook_url: str | None = None
    zalo_webhook_secret: SecretStr | None = None
    # Zalo publishes no send rate (only "429 Quota exceeded"): a conservative default.
    zalo_rate_per_second: float = 5.0

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, v: object) -> object:
        if isinstance(v, str):
            return [int(x) for x in v.replace(";", ",").split(",") if x.strip()]
        if isinstance(v, int):
            return [v]
        return v
