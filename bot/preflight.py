"""Start-up checks that need the outside world: the database answers, Telegram accepts the token.

A failure is a `SettingError` naming the setting (shown as one line by `bot.cli`, exit status 2), or
`Unreachable` when nothing the operator set is wrong (the network is down: exit status 1).
Nothing here imports aiogram, so a bad setting is reported in about a second.
"""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from bot.settings import SettingError

TELEGRAM = "https://api.telegram.org"


class Unreachable(Exception):
    """The outside world did not answer; no setting is to blame."""


def masked(url: str) -> str:
    """The URL as it may be printed: the password replaced by ***."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        scheme, sep, rest = url.partition("://")
        return f"{scheme}{sep}…@{rest.rpartition('@')[2]}" if "@" in rest else url


def _reason(exc: BaseException) -> str:
    """A short, human reason from a driver's exception (walks the `orig` / cause chain)."""
    seen: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and e not in seen:
        seen.append(e)
        e = getattr(e, "orig", None) or e.__cause__ or e.__context__
    for e in seen:
        name = type(e).__name__
        if isinstance(e, ConnectionRefusedError) or "Connect call failed" in str(e):
            return "connection refused"
        if isinstance(e, socket.gaierror):
            return "unknown host"
        if isinstance(e, TimeoutError):
            return "no answer (timed out)"
        if name == "InvalidPasswordError":
            return "password authentication failed"
        if name == "InvalidCatalogNameError":
            return "the database does not exist"
    first = seen[-1]
    text = str(first).strip().splitlines()[0] if str(first).strip() else type(first).__name__
    return text[:200]


async def check_database(url: str, wait: float = 10.0) -> None:
    """Connect once and run `SELECT 1`; a bad DATABASE_URL is reported before anything else starts."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    try:
        u = make_url(url)
    except Exception as e:
        raise SettingError("database_url", f"cannot parse {masked(url)} ({_reason(e)})") from None
    shown = u.render_as_string(hide_password=True)
    connect_args: dict[str, object] = {}
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            folder = Path(u.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise SettingError(
                    "database_url", f"cannot create the folder {folder} for the SQLite file ({e.strerror})"
                ) from None
    else:
        connect_args["timeout"] = wait
    try:
        engine = create_async_engine(u, connect_args=connect_args)
    except Exception as e:
        raise SettingError("database_url", f"cannot use {shown} ({_reason(e)})") from None
    try:
        async with asyncio.timeout(wait + 1), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as e:
        raise SettingError("database_url", f"cannot connect to {shown} ({_reason(e)})") from None
    finally:
        await engine.dispose()


async def check_bot_token(token: str, api_url: str | None, wait: float = 20.0) -> str | None:
    """Ask the Bot API who we are; returns the bot's username. A revoked or mistyped token is a 401."""
    import aiohttp

    base = (api_url or TELEGRAM).rstrip("/")
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=wait)) as session,
            session.get(f"{base}/bot{token}/getMe") as resp,
        ):
            status = resp.status
            body = await resp.json(content_type=None) if status == 200 else {}
    except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as e:
        if api_url:
            raise SettingError("telegram_api_url", f"cannot reach {base} ({_reason(e)})") from None
        raise Unreachable(f"cannot reach {TELEGRAM} ({_reason(e)}): is this machine online?") from None
    if status in (401, 404):
        raise SettingError(
            "bot_token",
            f"rejected by Telegram (HTTP {status} {'Unauthorized' if status == 401 else 'Not Found'}): "
            "copy the token again from @BotFather",
        )
    if status != 200:
        raise Unreachable(f"{base} answered getMe with HTTP {status}; try again later")
    result = body.get("result") if isinstance(body, dict) else None
    return result.get("username") if isinstance(result, dict) else None


async def check_zalo_token(token: str, api_url: str, wait: float = 20.0) -> None:
    """Ask the Zalo Bot API who we are. Zalo answers a bad token with `ok: false, error_code: 401`
    (with HTTP 200 or 401: the body decides, docs/zalo.md)."""
    import aiohttp

    base = api_url.rstrip("/")
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=wait)) as session,
            session.post(f"{base}/bot{token}/getMe", json={}) as resp,
        ):
            status = resp.status
            body = await resp.json(content_type=None)
    except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as e:
        raise Unreachable(f"cannot reach {base} ({_reason(e)}): is this machine online?") from None
    ok = isinstance(body, dict) and body.get("ok") is True
    code = body.get("error_code") if isinstance(body, dict) else None
    if not ok and (code in (401, 404) or status in (401, 404)):
        raise SettingError(
            "zalo_bot_token", "rejected by Zalo (401 Unauthorized): copy the token again from Zalo Bot Creator"
        )
    if not ok:
        raise Unreachable(f"{base} answered getMe with HTTP {status} ({code}); try again later")
