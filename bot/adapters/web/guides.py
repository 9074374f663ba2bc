"""The Guides pages: every guide as residents see it (both languages, steps, branches), its usage,
its deep link and QR code, and the printable A4 posters (one per guide, one per ward).

Everyone signed in sees the guides and prints a guide's poster (it holds no figures); the usage
numbers and the ward poster (its 8 most used guides) follow the overview's rule in bot.app.stats:
officials see their own wards, admins every ward."""

from __future__ import annotations

import re
from urllib.parse import quote

import segno
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, Response

from bot.adapters.pictures import as_png
from bot.adapters.web.charts import funnel_chart
from bot.adapters.web.overview import HIDDEN, Range, chosen_ward, parse_range, stats_wards
from bot.adapters.web.pages import current_user, lang_of, render, web
from bot.adapters.web.posters import WARD_POSTER_GUIDES, PosterError, PosterGuide, guide_link, guide_poster, ward_poster
from bot.app.residents import Role
from bot.app.stats import GuideUse, StatsError
from bot.app.web_signin import ConsoleUser
from bot.core.content import Guide
from bot.core.i18n import LANGS

router = APIRouter()
GuideId = Query(max_length=120)


def qr_svg(link: str, title: str) -> str:
    """The deep link's QR code as inline SVG (segno escapes the title)."""
    return str(segno.make(link, error="m").svg_inline(scale=5, title=title, dark="#000", light="#fff"))


def _guide(request: Request, guide_id: str) -> Guide | None:
    return web(request).services.content.guide(guide_id)


def _lang(request: Request, lang: str) -> str:
    return lang if lang in LANGS else lang_of(request)


def _pdf(data: bytes, name: str) -> Response:
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "poster"
    return Response(
        data, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{safe}.pdf"'}
    )


async def _usage(
    request: Request, user: ConsoleUser, ward: str, start: str, end: str
) -> tuple[Range | None, dict[str, GuideUse], str | None]:
    """The usage figures the user may see (none for staff only), the form they came from, a problem code."""
    if not user.may(Role.OFFICIAL):
        return None, {}, None
    wards = stats_wards(request, user)
    ward_id = chosen_ward(user, wards, ward)
    try:
        first, last = parse_range(request, start, end)
        uses = await web(request).services.stats.guide_usage(user.person, ward_id, first, last)
    except StatsError as e:
        return Range(ward_id or "", start, end), {}, e.code
    return Range(ward_id or "", first.isoformat(), last.isoformat()), {u.guide_id: u for u in uses}, None


@router.get("/guides")
async def guides(
    request: Request,
    ward: str = Query("", max_length=40),
    start: str = Query("", alias="from", max_length=10),
    end: str = Query("", alias="to", max_length=10),
    user: ConsoleUser = Depends(current_user),
) -> Response:
    s = web(request).services
    form, uses, problem = await _usage(request, user, ward, start, end)
    if problem in HIDDEN:
        return render(request, "error.html", 404, user=user, message_key="err_404")
    by_category = [(c, [g for g in s.content.guides.values() if g.category == c.id]) for c in s.content.categories]
    return render(
        request,
        "guides.html",
        400 if problem else 200,
        user=user,
        by_category=[(c, gs) for c, gs in by_category if gs],
        uses=uses,
        form=form,
        wards=stats_wards(request, user),
        problem=problem,
        poster_guides=WARD_POSTER_GUIDES,
    )


@router.get("/guides/poster.pdf")
async def guide_poster_pdf(
    request: Request,
    guide: str = GuideId,
    ward: str = Query("", max_length=40),
    lang: str = Query("", max_length=5),
    user: ConsoleUser = Depends(current_user),
) -> Response:
    s = web(request).services
    g = _guide(request, guide)
    if g is None:
        return render(request, "error.html", 404, user=user, message_key="err_404")
    mine = sorted(user.person.wards_for(Role.STAFF) | user.person.wards_for(Role.OFFICIAL))
    ward_id = ward if ward and (user.is_admin or ward in mine) else (mine[0] if mine else None)
    place = s.content.ward(ward_id) if ward_id else None
    link = guide_link(s.settings.bot_username, g.id)
    try:
        data = guide_poster(PosterGuide(g, link), place, s.texts, _lang(request, lang))
    except PosterError as e:
        return render(request, "error.html", 500, user=user, message_key="err_500", detail=str(e))
    return _pdf(data, f"poster-{g.id}")


@router.get("/guides/ward-poster.pdf")
async def ward_poster_pdf(
    request: Request,
    ward: str = Query("", max_length=40),
    start: str = Query("", alias="from", max_length=10),
    end: str = Query("", alias="to", max_length=10),
    lang: str = Query("", max_length=5),
    user: ConsoleUser = Depends(current_user),
) -> Response:
    s = web(request).services
    form, uses, problem = await _usage(request, user, ward, start, end)
    place = s.content.ward(form.ward) if form is not None and form.ward else None
    if form is None:  # staff only: no figures, so no "most used"
        return render(request, "error.html", 403, user=user, message_key="err_403_role")
    if problem in HIDDEN:
        return render(request, "error.html", 404, user=user, message_key="err_404")
    if place is None or problem:
        return render(request, "error.html", 400, user=user, message_key="poster_pick_ward")
    # the most used first; a ward with fewer than 8 used guides fills the sheet in the menu's order
    order = list(uses) + [gid for gid in s.content.guides if gid not in uses and "/" not in gid]
    items = [PosterGuide(s.content.guides[gid], guide_link(s.settings.bot_username, gid)) for gid in order]
    try:
        data = ward_poster(place, items[:WARD_POSTER_GUIDES], s.texts, _lang(request, lang))
    except PosterError as e:
        return render(request, "error.html", 500, user=user, message_key="err_500", detail=str(e))
    return _pdf(data, f"poster-{place.id}")


@router.get("/guide-pictures/{guide_id:path}")
async def guide_picture(
    request: Request,
    guide_id: str,
    step: int = Query(1, ge=1, le=99),
    user: ConsoleUser = Depends(current_user),
) -> Response:
    """A step's picture as PNG (drawn from its source in content/pictures and cached)."""
    g = _guide(request, guide_id[:120])
    if g is None or step > len(g.steps) or not g.steps[step - 1].image:
        return render(request, "error.html", 404, user=user, message_key="err_404")
    image = str(g.steps[step - 1].image)
    png = as_png(str(web(request).services.content.root / image))
    return FileResponse(png, media_type="image/png")


@router.get("/guides/{guide_id:path}")
async def guide(
    request: Request,
    guide_id: str,
    ward: str = Query("", max_length=40),
    start: str = Query("", alias="from", max_length=10),
    end: str = Query("", alias="to", max_length=10),
    user: ConsoleUser = Depends(current_user),
) -> Response:
    s = web(request).services
    g = _guide(request, guide_id[:120])
    if g is None:
        return render(request, "error.html", 404, user=user, message_key="err_404")
    lang = lang_of(request)
    form, uses, problem = await _usage(request, user, ward, start, end)
    if problem in HIDDEN:
        return render(request, "error.html", 404, user=user, message_key="err_404")
    svg = None
    if form is not None and not problem:
        first, last = parse_range(request, form.start, form.end)
        funnel = await s.stats.funnel(user.person, form.ward or None, first, last, g.id)
        svg = funnel_chart(funnel, g.title.get(lang), s.texts, lang)
    else:
        funnel = None
    link = guide_link(s.settings.bot_username, g.id)
    return render(
        request,
        "guide.html",
        400 if problem else 200,
        user=user,
        g=g,
        use=uses.get(g.id),
        form=form,
        wards=stats_wards(request, user),
        problem=problem,
        funnel=funnel,
        funnel_svg=svg,
        link=link,
        qr=qr_svg(link, g.title.get(lang)),
        poster_q=quote(g.id, safe=""),
        related=[r for r in (s.content.guide(x) for x in g.related) if r is not None],
        children=[c for c in s.content.guides.values() if c.id.startswith(g.id + "/")],
        parent=s.content.guide(g.id.rsplit("/", 1)[0]) if "/" in g.id else None,
    )
