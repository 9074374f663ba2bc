"""The Overview page: a ward's (or, for admins, every ward's) figures over a range of days, each chart
followed by a table with its numbers. The figures and who may see them come from bot.app.stats."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from bot.adapters.web.charts import funnel_chart, questions_chart
from bot.adapters.web.pages import HANOI, current_user, lang_of, render, require, web
from bot.app.residents import Role
from bot.app.stats import StatsError
from bot.app.web_signin import ConsoleUser
from bot.core.content import Ward

router = APIRouter()
DEFAULT_DAYS = 30
# another ward's figures are answered as if the ward did not exist (as another ward's ticket is)
HIDDEN = frozenset({"not_allowed", "unknown_ward", "unknown_guide"})


@dataclass(frozen=True)
class Range:
    """The page's GET form: ward ("" = all wards, admins only) and the days, as typed."""

    ward: str
    start: str
    end: str


def stats_wards(request: Request, user: ConsoleUser) -> list[Ward]:
    """The wards whose figures the user may see (officials: theirs; admins: all)."""
    allowed = user.wards(Role.OFFICIAL)
    return [w for w in web(request).services.content.wards.values() if allowed is None or w.id in allowed]


def default_range(request: Request) -> tuple[dt.date, dt.date]:
    today = web(request).services.clock.now().astimezone(HANOI).date()
    return today - dt.timedelta(days=DEFAULT_DAYS - 1), today


def parse_range(request: Request, start: str, end: str) -> tuple[dt.date, dt.date]:
    """The form's days; StatsError("bad_date") for what is not a date."""
    first, last = default_range(request)
    try:
        return (dt.date.fromisoformat(start) if start else first, dt.date.fromisoformat(end) if end else last)
    except ValueError:
        raise StatsError("bad_date") from None


def chosen_ward(user: ConsoleUser, wards: list[Ward], ward: str) -> str | None:
    """The ward asked for; an official who asked for none gets their first ward, an admin all wards."""
    if ward:
        return ward
    return None if user.is_admin or not wards else wards[0].id


@router.get("/overview")
async def overview(
    request: Request,
    ward: str = Query("", max_length=40),
    start: str = Query("", alias="from", max_length=10),
    end: str = Query("", alias="to", max_length=10),
    user: ConsoleUser = Depends(current_user),
) -> Response:
    require(user, Role.OFFICIAL)
    s = web(request).services
    lang = lang_of(request)
    wards = stats_wards(request, user)
    ward_id = chosen_ward(user, wards, ward)
    try:
        first, last = parse_range(request, start, end)
        o = await s.stats.overview(user.person, ward_id, first, last)
    except StatsError as e:
        if e.code in HIDDEN:
            return render(request, "error.html", 404, user=user, message_key="err_404")
        form = Range(ward_id or "", start, end)
        return render(request, "overview.html", 400, user=user, wards=wards, form=form, o=None, problem=e.code)
    titles = {g.guide_id: s.content.guides[g.guide_id].title.get(lang) for g in o.top_guides}
    funnels = [(f, titles[f.guide_id], funnel_chart(f, titles[f.guide_id], s.texts, lang)) for f in o.funnels]
    return render(
        request,
        "overview.html",
        user=user,
        wards=wards,
        form=Range(ward_id or "", first.isoformat(), last.isoformat()),
        o=o,
        titles=titles,
        questions_svg=questions_chart(o.days, s.texts, lang),
        funnels=funnels,
        ward_names={w.id: w.name.get(lang) for w in s.content.wards.values()},
    )
