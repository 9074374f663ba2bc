"""The web console for ward staff, officials and admins: FastAPI + Jinja2, rendered on the server.

Pages work without JavaScript. Sign-in is a one-time link from `/web` in a private chat with the bot
(bot.app.web_signin); the session is a signed cookie (session.py). Routes call the same use cases as
the Telegram adapter (bot.app.console, bot.app.helpdesk, bot.app.announcements).

    app.py       create_app: the FastAPI application, error pages, the session and access-log middleware
    pages.py     what every route shares: the signed-in user, CSRF-checked forms, rendering a template
    auth.py      sign-in, sign-out, language switch
    tickets.py   the inbox, a ticket's page, answer / note / close
    overview.py  the ward's figures: questions, guides, where residents get stuck, tickets vs SLA, notices
    guides.py    every guide as residents see it, its usage, deep link, QR code and A4 posters
    unanswered.py  unanswered questions grouped: assign a guide, mark out of scope
    admin.py     the audit log
    server.py    `bot web`: uvicorn serving it
"""

from bot.adapters.web.app import create_app

__all__ = ["create_app"]
