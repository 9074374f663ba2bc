"""Runs the real bot: polling by default, a webhook when WEBHOOK_URL is set. With ZALO_BOT_TOKEN set the
Zalo channel runs in the same process (`run_zalo` runs it alone when BOT_TOKEN is not set)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramUnauthorizedError
from aiogram.types import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats

from bot.app.helpdesk import Sender
from bot.bootstrap import (
    App,
    build_app,
    build_dispatcher,
    install_reply_guard,
    make_bot,
    make_fsm_storage,
    zalo_channel,
    zalo_notices,
)
from bot.settings import SettingError, Settings

log = logging.getLogger(__name__)

COMMANDS_VI = [
    ("start", "Bắt đầu"),
    ("menu", "Menu chính"),
    ("help", "Cách dùng"),
    ("settings", "Đổi phường, tổ dân phố"),
    ("lang", "Đổi ngôn ngữ"),
    ("xung_ho", "Đổi cách xưng hô"),
    ("mytickets", "Câu hỏi đã gửi cán bộ"),
    ("hen", "Nhờ người đến nhà hướng dẫn"),
    ("subscribe", "Nhận thông báo phường"),
    ("unsubscribe", "Tắt thông báo phường"),
]
COMMANDS_EN = [
    ("start", "Start"),
    ("menu", "Main menu"),
    ("help", "How to use the bot"),
    ("settings", "Change ward, neighbourhood"),
    ("lang", "Change language"),
    ("mytickets", "Questions sent to ward staff"),
    ("hen", "Ask someone to come and help at home"),
    ("subscribe", "Get ward notices"),
    ("unsubscribe", "Stop ward notices"),
]
# only where the ward also runs the Zalo channel: one resident on both (bot.app.linking)
LINK_COMMANDS = {"vi": ("lienket", "Liên kết với tài khoản Zalo"), "en": ("lienket", "Link with your Zalo account")}


def private_commands(lang: str, zalo: bool) -> list[tuple[str, str]]:
    """The command menu of a private chat, in Vietnamese or English."""
    commands = list(COMMANDS_VI if lang == "vi" else COMMANDS_EN)
    if zalo:
        commands.insert(-2, LINK_COMMANDS[lang])
    return commands


# Shown in groups: staff and admins work there (tickets, bindings); residents never need them.
COMMANDS_GROUP = [
    ("note", "Ghi chú nội bộ vào phiếu (không gửi người dân)"),
    ("guide", "Gửi hướng dẫn cho người dân: /guide <mã>"),
    ("bind_ward", "Admin: gắn nhóm cán bộ với phường"),
    ("bind_group", "Admin: gắn nhóm tổ dân phố"),
    ("unbind_ward", "Admin: bỏ gắn nhóm cán bộ khỏi phường"),
    ("unbind_group", "Admin: bỏ gắn nhóm tổ dân phố"),
    ("grant_staff", "Admin: cấp quyền cán bộ"),
    ("revoke_staff", "Admin: bỏ quyền cán bộ"),
    ("sla", "Admin: thời hạn nhắc việc"),
    ("hours", "Admin: giờ làm việc của phường"),
    ("bind_team", "Admin: gắn nhóm tổ chuyển đổi số với các tổ"),
]


async def start_services(app: App, bot: Bot) -> None:
    for hook in app.extra.get("on_startup", []):
        await hook(bot)


async def stop_services(app: App) -> None:
    for hook in reversed(app.extra.get("on_shutdown", [])):
        await hook()


async def run_bot(settings: Settings) -> int:
    logging.getLogger().setLevel(logging.INFO)
    bot = make_bot(settings)
    try:
        me = await bot.get_me()
    except TelegramUnauthorizedError:
        await bot.session.close()
        raise SettingError(
            "bot_token", "rejected by Telegram (401 Unauthorized): copy it again from @BotFather"
        ) from None
    if me.username:
        settings.bot_username = me.username  # deep links must carry the real username
    app = await build_app(settings)
    install_reply_guard(app, bot)
    dp: Dispatcher = build_dispatcher(app, make_fsm_storage(settings))
    zalo_on = settings.zalo_bot_token is not None
    for lang, code in (("vi", None), ("en", "en")):  # Telegram shows the list of the user's app language
        await bot.set_my_commands(
            [BotCommand(command=c, description=d) for c, d in private_commands(lang, zalo_on)],
            scope=BotCommandScopeAllPrivateChats(),
            language_code=code,
        )
    await bot.set_my_commands(
        [BotCommand(command=c, description=d) for c, d in COMMANDS_GROUP], scope=BotCommandScopeAllGroupChats()
    )
    app.matcher.warm()
    await start_services(app, bot)
    from bot.adapters.telegram.desk_sender import DeskSender

    zalo_stop = asyncio.Event()
    zalo = await start_zalo(app, DeskSender(bot), zalo_stop)
    # Everything loaded so far (content, the index, aiogram's and pydantic's classes) lives as long as
    # the process: out of the collector's way, so full collections during a storm stay short.
    gc.freeze()
    try:
        if settings.webhook_url:
            from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
            from aiohttp import web

            secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
            await bot.set_webhook(
                settings.webhook_url,
                secret_token=secret,
                allowed_updates=dp.resolve_used_update_types(),
            )
            web_app = web.Application()
            SimpleRequestHandler(dp, bot, secret_token=secret, handle_in_background=True).register(web_app, "/webhook")
            setup_application(web_app, dp, bot=bot)
            runner = web.AppRunner(web_app)
            await runner.setup()
            await web.TCPSite(runner, "0.0.0.0", settings.webhook_port).start()
            log.info("webhook listening on :%s", settings.webhook_port)
            await asyncio.Event().wait()
        else:
            await bot.delete_webhook(drop_pending_updates=False)
            log.info("polling as @%s", me.username)
            await dp.start_polling(bot, allowed_updates=dp.resolve_used_update_types(), handle_signals=True)
    finally:
        zalo_stop.set()
        if zalo is not None:
            with contextlib.suppress(Exception):  # its error was logged; Telegram's shutdown goes on
                await zalo
        await stop_services(app)
        await app.close()
        await bot.session.close()
    return 0


async def start_zalo(app: App, staff: Sender, stop: asyncio.Event) -> asyncio.Task[None] | None:
    """The Zalo channel in this process (polling, or its webhook on ZALO_WEBHOOK_PORT), until `stop`."""
    if app.zalo is None:
        return None
    from bot.adapters.zalo.serve import serve

    s = app.settings
    # Zalo subscribers' notices: recovered, then drained in the background; stopped with the other notice workers
    await app.notices.start_channel(zalo_notices(app))
    task = asyncio.create_task(
        serve(
            zalo_channel(app, staff),
            app.zalo.client,
            stop,
            webhook_url=s.zalo_webhook_url,
            webhook_secret=s.zalo_webhook_secret.get_secret_value() if s.zalo_webhook_secret else None,
            port=s.zalo_webhook_port,
        )
    )
    task.add_done_callback(_log_end)
    return task


def _log_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (e := task.exception()) is not None:
        log.error("zalo: the channel stopped: %s", e)


async def run_zalo(settings: Settings) -> int:
    """`bot zalo`: with BOT_TOKEN set, Telegram and Zalo in one process; otherwise Zalo alone, whose
    residents' questions wait (queued) until a Telegram process posts them to the staff group."""
    if settings.bot_token is not None:
        return await run_bot(settings)
    logging.getLogger().setLevel(logging.INFO)
    from bot.adapters.zalo.channel import NoStaffChannel

    app = await build_app(settings)
    app.matcher.warm()
    log.warning("zalo: BOT_TOKEN is not set; questions for staff wait until the Telegram bot runs")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    gc.freeze()
    await app.extra["ward_offices"].start()  # office values edited in the console reach Zalo residents too
    try:
        task = await start_zalo(app, NoStaffChannel(), stop)
        if task is not None:
            await task
    finally:
        await app.extra["ward_offices"].stop()
        await app.notices.stop()
        await app.close()
    return 0
