"""`bot web`: the web console in its own process, next to `bot run` on the same database.

Answers typed in the console reach residents through the Bot API with the bot's own token (the same
help-desk sender as the Telegram adapter); notices it schedules are sent by the running bot's worker.
"""

from __future__ import annotations

from bot.settings import Settings


async def run_web(settings: Settings) -> int:
    from bot.adapters.telegram.desk_sender import DeskSender
    from bot.adapters.telegram.official import notifier
    from bot.adapters.web import create_app
    from bot.adapters.web.server import serve
    from bot.bootstrap import build_app, make_bot

    app = await build_app(settings)
    bot = make_bot(settings, app=app)
    app.announcements.notify = notifier(bot)  # approval requests and the like reach officials from here too
    try:
        print(f"Web console: {settings.web_base_url} (listening on {settings.web_host}:{settings.web_port})")
        print("Sign in: send /web to the bot in a private chat.")
        await serve(create_app(app, DeskSender(bot)), settings.web_host, settings.web_port)
    finally:
        await bot.session.close()
        await app.close()
    return 0
