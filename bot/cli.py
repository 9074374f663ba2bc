"""Command line: `bot chat` (try it without a token), `bot run`, `bot content check`, `bot match`, ...

A bad setting ends the command with exit status 2 and one line on stderr naming it
(`DATABASE_URL: cannot connect to …`), never a traceback. Heavy imports (aiogram takes seconds to
import) come after the settings and the database are checked.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from pydantic import ValidationError
from pydantic_settings import SettingsError

from bot.settings import CACHE_DIR, SettingError, Settings, describe_errors


def _content_check(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.clock import SystemClock
    from bot.core.content import CONTRACT_IDS, load_content
    from bot.core.working_hours import HANOI

    root = Path(args.dir) if args.dir else settings.content_dir
    today = SystemClock().now().astimezone(HANOI).date()
    content = load_content(root, CONTRACT_IDS, today=today)
    for p in content.problems:
        print(p, file=sys.stderr if not p.warning else sys.stdout)
    n_err, n_warn = len(content.errors), len(content.warnings)
    old = sum(1 for p in content.warnings if "more than 12 months ago" in p.message)
    print(f"{len(content.guides)} guides, {len(content.wards)} wards: {n_err} errors, {n_warn} warnings")
    pictures = [(gid, i + 1, st.image) for gid, g in content.guides.items() for i, st in enumerate(g.steps) if st.image]
    print(f"{len(pictures)} step pictures:")
    for gid, n, image in pictures:
        print(f"  {gid} step {n}: {image}")
    print(f"{old} sources checked or published more than 12 months before {today.isoformat()} (warnings above)")
    return 1 if n_err else 0


def _match(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_match import run_match

    return run_match(settings.content_dir, args.json, sys.stdin, sys.stdout)


def _stats(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_stats import run_ticket_stats

    return asyncio.run(run_ticket_stats(settings.database_url, sys.stdout))


def _reply_stats(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_stats import run_reply_stats

    return asyncio.run(run_reply_stats(settings.database_url, sys.stdout, args.days))


def _visit_stats(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_visits import run_visit_stats

    return asyncio.run(run_visit_stats(settings, sys.stdout, sys.stderr, args.ward, args.csv))


def _visits(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_visits import run_import_targets, run_set_targets

    if args.visits_cmd == "import-targets":
        return asyncio.run(run_import_targets(settings, sys.stdout, sys.stderr, args.ward, args.file))
    return asyncio.run(run_set_targets(settings, sys.stdout, sys.stderr, args.ward, args.smartphone, args.epay))


def _check_content(settings: Settings) -> None:
    """Refuse invalid content before anything slow starts (raises ContentError naming file and line)."""
    from bot.core.content import load_valid_content_cached

    load_valid_content_cached(settings.content_dir, CACHE_DIR)


def _chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.chat import greeting, run_chat
    from bot.preflight import check_database

    asyncio.run(check_database(settings.database_url))
    _check_content(settings)
    channel = getattr(args, "channel", "telegram")
    greeted = not args.script and sys.stdin.isatty()
    if greeted:  # the prompt shows at once; what is typed while the bot loads is answered when it is ready
        sys.stdout.write(greeting(settings, channel=channel))
        sys.stdout.flush()
    return asyncio.run(run_chat(settings, script=args.script, greeted=greeted, channel=channel))


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.preflight import check_bot_token, check_database

    if settings.bot_token is None:
        raise SettingError(
            "bot_token", "not set: put BOT_TOKEN=… (from @BotFather) in .env to run the real bot, or try `bot chat`"
        )

    async def preflight() -> None:
        await check_database(settings.database_url)
        _check_content(settings)
        username = await check_bot_token(settings.token(), settings.telegram_api_url)
        if username:
            settings.bot_username = username
        if settings.zalo_bot_token is not None:  # Zalo runs in this process too
            from bot.preflight import check_zalo_token

            await check_zalo_token(settings.zalo_bot_token.get_secret_value(), settings.zalo_api_url)

    asyncio.run(preflight())
    from bot.run import run_bot

    return asyncio.run(run_bot(settings))


def _zalo(settings: Settings, args: argparse.Namespace) -> int:
    """The Zalo channel (and Telegram in the same process when BOT_TOKEN is set too)."""
    from bot.preflight import check_bot_token, check_database, check_zalo_token

    if settings.zalo_bot_token is None:
        raise SettingError(
            "zalo_bot_token", "not set: put ZALO_BOT_TOKEN=… (sent by Zalo Bot Creator) in .env to run the Zalo bot"
        )

    async def preflight() -> None:
        await check_database(settings.database_url)
        _check_content(settings)
        assert settings.zalo_bot_token is not None
        await check_zalo_token(settings.zalo_bot_token.get_secret_value(), settings.zalo_api_url)
        if settings.bot_token is not None:
            username = await check_bot_token(settings.token(), settings.telegram_api_url)
            if username:
                settings.bot_username = username

    asyncio.run(preflight())
    from bot.run import run_zalo

    return asyncio.run(run_zalo(settings))


def _web(settings: Settings, args: argparse.Namespace) -> int:
    from bot.preflight import check_bot_token, check_database

    if settings.bot_token is None:
        raise SettingError(
            "bot_token",
            "not set: the console answers residents through the bot; without a token, open it from the local chat "
            "(`bot chat`, then :demo, :as staff-dm and :web)",
        )

    async def preflight() -> None:
        await check_database(settings.database_url)
        _check_content(settings)
        username = await check_bot_token(settings.token(), settings.telegram_api_url)
        if username:
            settings.bot_username = username

    asyncio.run(preflight())
    from bot.web_run import run_web

    return asyncio.run(run_web(settings))


def _start(settings: Settings, args: argparse.Namespace) -> int:
    """The main job: the real bot when BOT_TOKEN is set, otherwise the local chat.
    `--channel zalo`: the Zalo bot when ZALO_BOT_TOKEN is set, otherwise the local chat as a Zalo resident."""
    if getattr(args, "channel", "telegram") == "zalo":
        if settings.zalo_bot_token:
            return _zalo(settings, args)
        print("ZALO_BOT_TOKEN is not set: starting the local chat as a Zalo resident (no Zalo needed).\n")
        return _chat(settings, args)
    if settings.bot_token:
        return _run(settings, args)
    print("BOT_TOKEN is not set: starting the local chat (no Telegram needed).\n")
    return _chat(settings, args)


def _consult(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_consult import run_consult_results

    return asyncio.run(
        run_consult_results(
            settings.database_url, settings.content_dir, CACHE_DIR, args.id, args.csv, sys.stdout, sys.stderr
        )
    )


def _unanswered(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_unanswered import run_assign, run_review, run_unanswered

    if args.action == "assign":
        return asyncio.run(run_assign(settings, sys.stdout, args.number, args.guide, args.limit))
    if args.action == "review":
        return asyncio.run(run_review(settings, sys.stdout, args.accept or [], args.reject or []))
    return asyncio.run(run_unanswered(settings, sys.stdout, args.limit))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bot", description="Trợ lý số phường")
    sub = p.add_subparsers(dest="cmd")
    s = sub.add_parser("start", help="the real bot if BOT_TOKEN is set, else the local chat (default)")
    s.add_argument("--script", help="feed chat input from a file (one line per input)")
    s.add_argument("--channel", choices=("telegram", "zalo"), default="telegram", help="the resident's channel")
    s.set_defaults(func=_start)
    sub.add_parser("web", help="serve the web console (WEB_HOST, WEB_PORT, WEB_BASE_URL)").set_defaults(func=_web)
    s = sub.add_parser("chat", help="talk to the bot in this terminal, no token needed")
    s.add_argument("--script", help="feed input from a file (one line per input)")
    s.add_argument("--channel", choices=("telegram", "zalo"), default="telegram", help="the resident's channel")
    s.set_defaults(func=_chat)
    sub.add_parser(
        "run", help="run the Telegram bot (needs BOT_TOKEN; Zalo too if ZALO_BOT_TOKEN is set)"
    ).set_defaults(func=_run)
    sub.add_parser(
        "zalo", help="run the Zalo bot (needs ZALO_BOT_TOKEN; Telegram too if BOT_TOKEN is set)"
    ).set_defaults(func=_zalo)
    c = sub.add_parser("content", help="content tools")
    csub = c.add_subparsers(dest="content_cmd", required=True)
    chk = csub.add_parser("check", help="validate content/ (exit 1 on errors)")
    chk.add_argument("--dir", help="content directory (default: settings.content_dir)")
    chk.set_defaults(func=_content_check)
    m = sub.add_parser("match", help="match questions from stdin to guides")
    m.add_argument("--json", action="store_true", help="one JSON object per line (contract in shared/topics.md)")
    m.set_defaults(func=_match)
    st = sub.add_parser("stats", help="usage statistics")
    stsub = st.add_subparsers(dest="stats_cmd", required=True)
    stsub.add_parser("tickets", help="help-desk tickets by ward and status, median time to first answer").set_defaults(
        func=_stats
    )
    sr = stsub.add_parser("replies", help="replies that could not be sent at once: stored, sent later, given up")
    sr.add_argument("--days", type=int, default=7)
    sr.set_defaults(func=_reply_stats)
    sv = stsub.add_parser("visits", help="home visits per tổ against the ward's targets (issue 13)")
    sv.add_argument("--ward", required=True, help="ward id (content/wards.yaml)")
    sv.add_argument("--csv", action="store_true", help="CSV instead of a table")
    sv.set_defaults(func=_visit_stats)
    v = sub.add_parser("visits", help="community digital teams: households per tổ and the ward's targets")
    vsub = v.add_subparsers(dest="visits_cmd", required=True)
    vi = vsub.add_parser("import-targets", help="households and adults per tổ from a CSV (to,households,adults)")
    vi.add_argument("--ward", required=True)
    vi.add_argument("file")
    vi.set_defaults(func=_visits)
    vt = vsub.add_parser("targets", help="set the ward's targets in % (defaults 80 smartphone, 50 e-payment)")
    vt.add_argument("--ward", required=True)
    vt.add_argument("--smartphone", type=int)
    vt.add_argument("--epay", type=int)
    vt.set_defaults(func=_visits)
    cs = sub.add_parser("consult", help="consultations (lấy ý kiến cư dân)")
    cssub = cs.add_subparsers(dest="consult_cmd", required=True)
    res = cssub.add_parser("results", help="results per option, per tổ and overall, with turnout")
    res.add_argument("id", type=int, help="the consultation's number")
    res.add_argument("--csv", action="store_true", help="CSV: one line per tổ and one for the total")
    res.set_defaults(func=_consult)
    u = sub.add_parser("unanswered", help="most frequent questions the bot could not answer, grouped")
    u.add_argument("--limit", type=int, default=20)
    u.set_defaults(func=_unanswered, action=None)
    actions = u.add_subparsers(dest="action")
    a = actions.add_parser("assign", help="suggest group <n> of the report as phrasings for a guide")
    a.add_argument("number", type=int)
    a.add_argument("guide")
    r = actions.add_parser("review", help="list phrasings waiting for review, or accept / reject them")
    r.add_argument("--accept", nargs="+", metavar="ID", help="phrasing ids, or 'all'")
    r.add_argument("--reject", nargs="+", metavar="ID", help="phrasing ids, or 'all'")
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        args = parser.parse_args(["start", *(argv or sys.argv[1:])])
    from bot.core.content import ContentError
    from bot.preflight import Unreachable

    try:
        settings = Settings()
        return int(args.func(settings, args) or 0)
    except ValidationError as e:
        return _fail(describe_errors(e), 2)
    except SettingsError as e:  # a value pydantic-settings could not even parse (e.g. JSON for a list)
        return _fail(str(e).replace("error parsing value for field", "cannot parse").replace('"', ""), 2)
    except SettingError as e:
        return _fail(str(e), 2)
    except Unreachable as e:
        return _fail(str(e), 1)
    except ContentError as e:
        return _fail(f"{e}\nThe bot does not start on invalid content: fix the lines above (`bot content check`).", 1)
    except KeyboardInterrupt:
        return 130


def _fail(message: str, status: int) -> int:
    print(message, file=sys.stderr)
    return status
