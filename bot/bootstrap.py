"""Composition root: settings → database → content → services → dispatcher. Nothing else builds these."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage

from bot.adapters.db.db import Database
from bot.adapters.db.uow import SqlTransactions
from bot.app.admin_digest import AdminDigest
from bot.app.admin_ops import AdminOps
from bot.app.announcements import AnnouncementService
from bot.app.console import Console
from bot.app.console_notices import ConsoleNotices
from bot.app.guide_drafts import GuideDrafts
from bot.app.helpdesk import HelpDesk
from bot.app.learning import Learning
from bot.app.linking import Linking
from bot.app.ports import UnitOfWork
from bot.app.ports.notices import SendLimiter
from bot.app.replies import StoredReplies
from bot.app.resident_flow import ResidentFlow
from bot.app.residents import Resident, ResidentService
from bot.app.stats import StatsService
from bot.app.tickets import NoTicketCache, TicketService
from bot.app.unanswered import UnansweredLog
from bot.app.unanswered_desk import UnansweredDesk
from bot.app.usage import UsageLog
from bot.app.ward_offices import WardOffices
from bot.app.ward_settings import WardSettings
from bot.app.web_signin import WebSignIn
from bot.core.clock import Clock, FixedClock, SystemClock
from bot.core.content import Content, load_valid_content_cached
from bot.core.flood import FloodCounter, MemoryFloodCounter
from bot.core.i18n import Texts
from bot.core.matching import Matcher, MatchResult
from bot.core.rate_limit import RateLimiter
from bot.settings import CACHE_DIR, Settings
from bot.workers.admin_digest import AdminDigestWorker
from bot.workers.learning import LearningWorker
from bot.workers.notices import NoticeRunner, OffsetClock
from bot.workers.replies import ReplyWorker
from bot.workers.sla import SlaWorker
from bot.workers.ward_offices import WardOfficesWorker

if TYPE_CHECKING:
    from bot.adapters.zalo.channel import ZaloChannel
    from bot.adapters.zalo.serve import ZaloSide
    from bot.app.delivery import DeliveryWorker
    from bot.app.helpdesk import Sender

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    clock: Clock
    db: Database
    content: Content
    texts: Texts
    residents: ResidentService
    matcher: Matcher
    flow: ResidentFlow
    announcements: AnnouncementService
    notices: NoticeRunner  # the schedule tick and the outbox's delivery worker
    tickets: TicketService
    helpdesk: HelpDesk
    sla: SlaWorker
    flood: FloodCounter  # inbound flood control: per process, or in Redis across instances
    learning: Learning  # phrasings staff taught the bot; rebuilds `matcher` when accepted ones change
    stats: StatsService  # the ward overview (web console)
    signin: WebSignIn  # the web console's one-time sign-in links (`/web` in a private chat)
    console: Console  # the web console's ticket use cases (bot.adapters.web)
    console_notices: ConsoleNotices  # the web console's notices: reports, compose, approve, recall
    replies: StoredReplies  # replies Telegram would not take in time, sent later by the reply worker
    unanswered_desk: UnansweredDesk  # the web console's unanswered questions: assign a guide, out of scope
    ward_settings: WardSettings  # the web console's ward settings: office, staff group health, roles
    guide_drafts: GuideDrafts  # the web console's guide drafts, started from unanswered questions
    zalo: ZaloSide | None = None  # the Zalo channel's parts when ZALO_BOT_TOKEN is set
    extra: dict[str, Any] = field(default_factory=dict)

    def deps(self) -> dict[str, Any]:
        """What handlers may ask for by name (aiogram injects by parameter name)."""
        return {
            "settings": self.settings,
            "clock": self.clock,
            "db": self.db,
            "content": self.content,
            "texts": self.texts,
            "residents": self.residents,
            "matcher": self.matcher,
            "flow": self.flow,
            "announcements": self.announcements,
            "tickets": self.tickets,
            "helpdesk": self.helpdesk,
            "signin": self.signin,
            **self.extra,
        }

    async def close(self) -> None:
        close = getattr(self.flood, "close", None)
        if close is not None:
            await close()
        if self.zalo is not None:
            await self.zalo.client.close()
        await self.db.close()


_MATCHERS: dict[str, Matcher] = {}


def _matcher(content: Content) -> Matcher:
    """The matcher of the guides, built once per content fingerprint in this process (a matcher never
    changes once built; learned phrasings make a new one). One process builds one; the tests, a hundred."""
    if not content.fingerprint:
        return Matcher.build(content.guides.values())
    if content.fingerprint not in _MATCHERS:
        _MATCHERS.clear()  # content changed: the old one is not needed again
        _MATCHERS[content.fingerprint] = Matcher.build(content.guides.values())
    return _MATCHERS[content.fingerprint]


IDENTIFY_CACHE = dt.timedelta(seconds=10)  # how long a single instance trusts what it read of a person


async def build_app(settings: Settings, clock: Clock | None = None, *, migrate: bool = True) -> App:
    """Refuses to start on invalid content (ContentError names the file and line)."""
    clock = clock or SystemClock()
    content = load_valid_content_cached(settings.content_dir, CACHE_DIR)
    db = Database(settings.database_url)
    if migrate:
        await db.migrate()
    texts = Texts()
    transactions = SqlTransactions(db)
    # ward office values edited in the console, over content/wards.yaml's (kept as the base)
    offices = WardOffices(transactions, content)
    await offices.refresh()
    # one instance (no Redis) makes every change to users and roles itself: it may remember who wrote
    residents = ResidentService(
        transactions, clock, settings.admin_ids, cache_for=dt.timedelta(0) if settings.redis_url else IDENTIFY_CACHE
    )
    matcher = _matcher(content)
    unanswered = UnansweredLog(transactions, settings.hash_salt.get_secret_value())
    usage = UsageLog(settings.hash_salt.get_secret_value())

    async def log_unanswered(tx: UnitOfWork, r: Resident, result: MatchResult) -> None:
        await unanswered.add(tx, r.ward_id, f"{r.channel}:{r.external_id}", result, clock.now())

    flow = ResidentFlow(
        uow=transactions,
        content=content,
        matcher=matcher,
        residents=residents,
        texts=texts,
        clock=clock,
        deep_link_base=f"https://t.me/{settings.bot_username}",
        on_unanswered=log_unanswered,
        usage=usage,
    )
    # ward notices: the local chat's `:tick` moves an offset clock; tests move their FixedClock
    notice_clock: Clock = clock if isinstance(clock, FixedClock) else OffsetClock(clock)
    announcements = AnnouncementService(transactions, notice_clock, texts, content)
    notices = NoticeRunner(announcements, notice_clock, limiter=make_send_limiter(settings))
    # Help desk. The "no ticket" cache saves a query per message; it is only correct when this process
    # sees every ticket its residents open, so it is off when instances share Redis.
    tickets = TicketService(transactions, clock, NoTicketCache(enabled=not settings.redis_url), usage=usage)
    app: App | None = None

    def use_matcher(m: Matcher) -> None:  # learned phrasings accepted: every user of the matcher gets the new one
        flow.matcher = m
        if app is not None:
            app.matcher = m

    learning = Learning(transactions, content, clock, on_matcher=use_matcher)
    helpdesk = HelpDesk(
        tickets=tickets,
        residents=residents,
        content=content,
        texts=texts,
        clock=clock,
        admin_ids=settings.admin_ids,
        flow=flow,
        learning=learning,
    )
    sla = SlaWorker(helpdesk)
    app = App(
        settings=settings,
        clock=clock,
        db=db,
        content=content,
        texts=texts,
        residents=residents,
        matcher=matcher,
        flow=flow,
        announcements=announcements,
        notices=notices,
        tickets=tickets,
        helpdesk=helpdesk,
        sla=sla,
        flood=make_flood_counter(settings),
        learning=learning,
        stats=StatsService(transactions, clock, content),
        signin=WebSignIn(transactions, clock, residents),
        console=Console(transactions, clock, helpdesk),
        console_notices=ConsoleNotices(transactions, announcements, tickets),
        replies=StoredReplies(transactions, clock),
        unanswered_desk=UnansweredDesk(transactions, clock, unanswered, learning),
        ward_settings=WardSettings(transactions, clock, content, residents, offices),
        guide_drafts=GuideDrafts(transactions, clock, content),
    )
    await learning.refresh()  # phrasings accepted before this start
    _install_learning(app)
    _install_ward_offices(app, offices)
    _install_visits(app)
    _install_helpdesk(app)
    _install_admin(app, transactions)
    _install_notices(app)
    _install_consultations(app)
    _install_replies(app)
    _install_linking(app, transactions)
    if settings.zalo_bot_token is not None:
        from bot.adapters.zalo.serve import ZaloSide

        app.zalo = ZaloSide.build(
            settings.zalo_bot_token.get_secret_value(), settings.zalo_api_url, db, transactions, texts
        )
        helpdesk.channels["zalo"] = app.zalo.desk  # staff answers reach Zalo residents from any process
        announcements.private_channels.append("zalo")  # Zalo subscribers' rows wait for the Zalo sender
        announcements.zalo_link = settings.zalo_bot_link
        app.extra["linking"].channels["zalo"] = app.zalo.desk  # "linked" / "unlinked" reach the Zalo chat
    return app


def zalo_channel(app: App, staff: Sender) -> ZaloChannel:
    """The Zalo update handler on the same use cases; `staff` reaches the Telegram staff group."""
    if app.zalo is None:
        raise RuntimeError("ZALO_BOT_TOKEN is not set")
    return app.zalo.channel(
        residents=app.residents,
        flow=app.flow,
        helpdesk=app.helpdesk,
        texts=app.texts,
        staff=staff,
        flood=app.flood,
        announcements=app.announcements,
        linking=app.extra["linking"],
        consultations=app.extra.get("consultations"),
    )


def zalo_notices(app: App) -> DeliveryWorker:
    """The Zalo subscribers' delivery worker on the shared outbox, at ZALO_RATE_PER_SECOND."""
    from bot.adapters.zalo.notices import zalo_limiter

    if app.zalo is None:
        raise RuntimeError("ZALO_BOT_TOKEN is not set")
    limiter = zalo_limiter(app.settings.zalo_rate_per_second)
    return app.notices.add_channel("zalo", app.zalo.notice_sender(), limiter, app.announcements.render_zalo)


def make_send_limiter(settings: Settings) -> SendLimiter:
    """Telegram's send limits: in this process, or in Redis shared by every instance when REDIS_URL is set."""
    if settings.redis_url:
        from bot.adapters.redis.send_limits import RedisSendLimiter

        return RedisSendLimiter.from_url(settings.redis_url, per_chat_interval=settings.telegram_chat_interval)
    return RateLimiter(per_chat_interval=settings.telegram_chat_interval)


def make_flood_counter(settings: Settings) -> FloodCounter:
    """Inbound flood control: in this process, or in Redis so a person counts once across instances."""
    if settings.redis_url:
        from bot.adapters.redis.flood import RedisFloodCounter

        return RedisFloodCounter.from_url(settings.redis_url)
    return MemoryFloodCounter()


def _install_notices(app: App) -> None:
    """Ward notices' background (tick + delivery worker, started with the bot) and local-chat steps."""
    from bot.adapters.localchat import notices_demo
    from bot.adapters.telegram.official import notifier
    from bot.adapters.telegram.sender import TelegramSender

    async def on_startup(bot: Bot) -> None:
        await app.notices.start(TelegramSender(bot), notifier(bot))

    app.extra.setdefault("on_startup", []).append(on_startup)
    app.extra.setdefault("on_shutdown", []).append(app.notices.stop)
    app.extra.setdefault("localchat_demo", []).append(notices_demo.demo)
    app.extra.setdefault("localchat_tick", []).append(notices_demo.tick)


def _install_visits(app: App) -> None:
    """Home visits by the community digital teams: the service, its router, the 48 h reminder loop."""
    from bot.adapters.db.visits import SqlVisitTransactions
    from bot.adapters.localchat import visits_demo
    from bot.adapters.telegram import visits as visit_router
    from bot.app.visits import VisitService
    from bot.workers.visits import VisitReminderWorker

    visits = VisitService(SqlVisitTransactions(app.db), app.clock, app.texts, app.content)
    worker = VisitReminderWorker(visits)

    async def start(bot: Bot) -> None:
        await worker.start(visit_router.VisitSender(bot))

    app.extra["visits"] = visits
    app.extra["visit_reminders"] = worker
    app.extra.setdefault("routers", []).append(visit_router.make_router)
    app.extra.setdefault("on_startup", []).append(start)
    app.extra.setdefault("on_shutdown", []).append(worker.stop)
    app.extra.setdefault("localchat_demo", []).append(visits_demo.demo)
    app.extra.setdefault("localchat_tick", []).append(visits_demo.tick)


def _install_consultations(app: App) -> None:
    """Consultations (lấy ý kiến): the service, its router, the closing worker, the local chat's steps."""
    from bot.adapters.db.consultations import SqlConsultations
    from bot.adapters.localchat import consult_demo
    from bot.adapters.telegram import consultations as consult_router
    from bot.adapters.telegram.official import notifier
    from bot.app.consultations import ConsultationService
    from bot.workers.consultations import ConsultationWorker

    service = ConsultationService(
        SqlConsultations(app.db),
        app.announcements,
        app.announcements.clock,  # the notices' clock: the local chat's `:tick` moves both
        app.texts,
        app.content,
        deep_link_base=f"https://t.me/{app.settings.bot_username}",
    )
    visits = app.extra.get("visits")
    if visits is not None:  # turnout against the adults per tổ the ward imported for its teams
        service.adult_counts = visits.adults_per_to
    worker = ConsultationWorker(service)

    async def start(bot: Bot) -> None:
        await worker.start(notifier(bot))

    app.extra["consultations"] = service
    app.announcements.zalo_text = service.zalo_text  # the notice on Zalo says «y kien <id>», not the t.me link
    app.extra["consultation_worker"] = worker
    app.extra.setdefault("routers", []).append(consult_router.make_router)
    app.extra.setdefault("on_startup", []).append(start)
    app.extra.setdefault("on_shutdown", []).append(worker.stop)
    app.extra.setdefault("localchat_demo", []).append(consult_demo.demo)
    app.extra.setdefault("localchat_tick", []).append(consult_demo.tick)


def _install_learning(app: App) -> None:
    worker = LearningWorker(app.learning)

    async def start(bot: Bot) -> None:
        await worker.start()

    async def tick(chat: Any, rest: str) -> None:  # the local chat's `:tick`: the worker's minute passes
        if await app.learning.refresh():
            chat.out.write("— Bot đã học các cách hỏi mới được duyệt.\n")

    app.extra.setdefault("on_startup", []).append(start)
    app.extra.setdefault("on_shutdown", []).append(worker.stop)
    app.extra.setdefault("localchat_tick", []).append(tick)


def _install_ward_offices(app: App, offices: WardOffices) -> None:
    """Office values edited in another instance's console reach this one within 30 s."""
    worker = WardOfficesWorker(offices)

    async def start(bot: Bot) -> None:
        await worker.start()

    async def tick(chat: Any, rest: str) -> None:  # the local chat's `:tick`
        if await offices.refresh():
            chat.out.write("— Thông tin phường đã sửa trên trang quản trị được áp dụng.\n")

    app.extra["ward_offices"] = worker
    app.extra.setdefault("on_startup", []).append(start)
    app.extra.setdefault("on_shutdown", []).append(worker.stop)
    app.extra.setdefault("localchat_tick", []).append(tick)


def _install_replies(app: App) -> None:
    """The reply worker: sends what the reply guard stored (`make_bot(..., app)` installs the guard)."""
    from bot.adapters.telegram.replies import resender

    worker = ReplyWorker(app.replies)

    async def start(bot: Bot) -> None:
        await worker.start(resender(bot))

    app.extra.setdefault("on_startup", []).append(start)
    app.extra.setdefault("on_shutdown", []).append(worker.stop)


def _install_linking(app: App, transactions: SqlTransactions) -> None:
    """Linking a resident's Telegram and Zalo with a one-time code (/lienket, /huylienket)."""
    from bot.adapters.telegram import linking

    salt = app.settings.hash_salt.get_secret_value()
    app.extra["linking"] = Linking(transactions, app.clock, app.residents, app.texts, app.content, salt)
    app.extra.setdefault("routers", []).append(linking.make_router)


def _install_helpdesk(app: App) -> None:
    """The help desk's background loop and local-chat steps (its routers: `build_dispatcher`)."""
    from bot.adapters.localchat import helpdesk_demo  # `bot chat`: :demo and :tick steps
    from bot.adapters.telegram.desk_sender import DeskSender

    async def start_sla(bot: Bot) -> None:
        await app.sla.start(DeskSender(bot))

    app.extra.setdefault("on_startup", []).append(start_sla)
    app.extra.setdefault("on_shutdown", []).append(app.sla.stop)
    app.extra.setdefault("localchat_demo", []).append(helpdesk_demo.demo)
    app.extra.setdefault("localchat_tick", []).append(helpdesk_demo.tick)


def _install_admin(app: App, transactions: SqlTransactions) -> None:
    """Admins' confirmed commands (/unbind_ward, /unbind_group, /revoke_…) and their daily digest."""
    from bot.adapters.telegram import admin
    from bot.adapters.telegram.desk_sender import DeskSender

    app.extra["admin_ops"] = AdminOps(transactions, app.clock, app.tickets, app.residents, app.content, app.texts)
    digest = AdminDigestWorker(AdminDigest(transactions, app.clock, app.content, app.texts, app.settings.admin_ids))
    app.extra["admin_digest"] = digest

    async def start(bot: Bot) -> None:
        await digest.start(DeskSender(bot))

    async def tick(chat: Any, rest: str) -> None:  # the local chat's `:tick`: is today's digest due?
        if n := await digest.tick(DeskSender(chat.bot)):
            chat.out.write(f"— Bản tin hằng ngày cho quản trị viên: {n} tin.\n")

    app.extra.setdefault("routers", []).append(admin.make_router)
    app.extra.setdefault("on_startup", []).append(start)
    app.extra.setdefault("on_shutdown", []).append(digest.stop)
    app.extra.setdefault("localchat_tick", []).append(tick)


def make_bot(settings: Settings, token: str | None = None, app: App | None = None) -> Bot:
    """With `app`, every send goes through the reply guard (`install_reply_guard`)."""
    session = None
    if settings.telegram_api_url:
        api = TelegramAPIServer.from_base(settings.telegram_api_url.rstrip("/"))
        if settings.telegram_api_url.startswith("http://"):
            from bot.adapters.telegram.session import PlainHttpSession

            session = PlainHttpSession(api=api)
        else:
            session = AiohttpSession(api=api)
    bot = Bot(token or settings.token(), session=session, default=DefaultBotProperties(link_preview_is_disabled=True))
    if app is not None:
        install_reply_guard(app, bot)
    return bot


def install_reply_guard(app: App, bot: Bot) -> None:
    """One send path: every send of `bot` takes its slot from the app's shared limiter, waits out 429s and
    network errors, and a reply still unsent is stored for the reply worker."""
    from bot.adapters.telegram.replies import ReplyGuard

    guard = ReplyGuard(app.notices.limiter, app.replies)
    bot.session.middleware(guard)
    app.extra["reply_guard"] = guard


def make_fsm_storage(settings: Settings) -> BaseStorage:
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.redis_url, state_ttl=7 * 86400, data_ttl=7 * 86400)
    return MemoryStorage()


def build_dispatcher(app: App, storage: BaseStorage | None = None, *, flood_control: bool = True) -> Dispatcher:
    """`flood_control=False` only for the local chat, whose scripts type faster than any person."""
    from bot.adapters.telegram import audience, errors, helpdesk, ignored, official, resident, staff, web_link
    from bot.adapters.telegram.middlewares import EditsAsNew, FloodMiddleware, IdentifyMiddleware
    from bot.adapters.telegram.response_types import pin_response_types
    from bot.adapters.telegram.sequencing import PerChatSequence

    pin_response_types()
    dp = Dispatcher(storage=storage or MemoryStorage(), **app.deps())
    dp.update.outer_middleware(PerChatSequence())  # one person's updates one at a time, in order
    dp.update.outer_middleware(EditsAsNew())
    identify = IdentifyMiddleware(app.residents)
    flood = FloodMiddleware(app.flood)
    for observer in (dp.message, dp.callback_query, dp.my_chat_member):
        if flood_control:
            observer.outer_middleware(flood)
        observer.outer_middleware(identify)
    # Order matters: role routers (staff, officials) come before the resident catch-alls.
    # app.extra["routers"] holds router factories added by features.
    # Notice routers come first of all feature routers: DỪNG / STOP must work at any point.
    features = (
        audience.make_router,
        official.make_router,
        web_link.make_router,
        *app.extra.get("routers", []),
        helpdesk.make_router,
        staff.make_router,
    )
    for make_router in (
        errors.make_router,
        ignored.make_router,
        *features,
        resident.make_router,
        ignored.make_last_router,
    ):
        dp.include_router(make_router())
    return dp
