"""The Zalo settings are optional, keep the token secret, and refuse what Zalo would refuse."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from bot.settings import SettingError, Settings, describe_errors


def test_zalo_settings_default_to_off_and_hide_the_token() -> None:
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.zalo_bot_token is None and s.zalo_webhook_url is None and s.zalo_webhook_secret is None
    assert s.zalo_api_url == "https://bot-api.zaloplatforms.com"
    assert 0 < s.zalo_rate_per_second <= 30
    assert s.zalo_webhook_port != s.webhook_port  # both webhooks can listen in one process
    s = Settings(
        _env_file=None,  # type: ignore[call-arg]
        zalo_bot_token=SecretStr("123:abc-xyz"),
        zalo_webhook_secret=SecretStr("s3cret-value"),
        hash_salt=SecretStr("a-real-salt"),
    )
    assert s.zalo_bot_token is not None and s.zalo_bot_token.get_secret_value() == "123:abc-xyz"
    assert "abc-xyz" not in repr(s)


def test_an_empty_zalo_token_means_not_set() -> None:
    s = Settings(_env_file=None, zalo_bot_token="  ", zalo_webhook_url="")  # type: ignore[call-arg]
    assert s.zalo_bot_token is None and s.zalo_webhook_url is None


def test_a_real_zalo_bot_needs_a_salt() -> None:
    with pytest.raises(SettingError, match="HASH_SALT"):
        Settings(_env_file=None, zalo_bot_token=SecretStr("123:abc-xyz"))  # type: ignore[call-arg]


def test_bad_zalo_values_are_named_and_the_token_never_echoed() -> None:
    with pytest.raises(ValidationError) as e:
        Settings(_env_file=None, zalo_bot_token=SecretStr("no colon here"), hash_salt="x")  # type: ignore[call-arg]
    line = describe_errors(e.value)
    assert line.startswith("ZALO_BOT_TOKEN: not a Zalo bot token") and "no colon" not in line
    with pytest.raises(ValidationError) as e:
        Settings(_env_file=None, zalo_webhook_secret=SecretStr("short"))  # type: ignore[call-arg]
    assert describe_errors(e.value) == "ZALO_WEBHOOK_SECRET: must be 8-256 characters (Zalo's setWebhook rule)"


def test_a_zalo_webhook_needs_https_and_a_secret() -> None:
    with pytest.raises(SettingError, match="ZALO_WEBHOOK_SECRET: required"):
        Settings(_env_file=None, zalo_webhook_url="https://phuong.example/zalo/webhook")  # type: ignore[call-arg]
    with pytest.raises(SettingError, match="ZALO_WEBHOOK_URL: must be an https"):
        Settings(  # type: ignore[call-arg]
            _env_file=None, zalo_webhook_url="http://phuong.example/zalo/webhook", zalo_webhook_secret="s3cret-value"
        )
