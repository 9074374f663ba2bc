"""The Zalo settings are optional and keep the token secret."""

from __future__ import annotations

from pydantic import SecretStr

from bot.settings import Settings


def test_zalo_settings_default_to_off_and_hide_the_token() -> None:
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.zalo_bot_token is None and s.zalo_webhook_url is None and s.zalo_webhook_secret is None
    assert s.zalo_api_url == "https://bot-api.zaloplatforms.com"
    assert 0 < s.zalo_rate_per_second <= 30
    s = Settings(
        _env_file=None,  # type: ignore[call-arg]
        zalo_bot_token=SecretStr("123:abc-xyz"),
        zalo_webhook_secret=SecretStr("s3cret-value"),
    )
    assert s.zalo_bot_token is not None and s.zalo_bot_token.get_secret_value() == "123:abc-xyz"
    assert "abc-xyz" not in repr(s)
