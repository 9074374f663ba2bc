"""Consultations through the use cases, on SQLite and PostgreSQL: 200 residents of two tổ vote, some
change their answer, some answer after the close; per-tổ results and turnout are exact; a resident of
another ward cannot vote; forged option ids are refused; an unknown link gets a clear message."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from bot.adapters.db.consultations import SqlConsultations
from bot.app.consultations import ConsultationService, ConsultDraft, ConsultError, Scope, vote_id
from bot.app.residents import Resident
from bot.core.i18n import Texts
from bot.core.screens import Screen
from tests.notice_kit import WARD, World, close_world, content, make_world

LINK = "https://t.me/TroLySoPhuongBot"
OPTIONS = ("Đồng ý", "Không đồng ý", "Ý kiến khác")
ENDED = "Cuộc lấy ý kiến đã kết thúc"
GONE = "Nút này không còn dùng được"


@pytest.fixture
async def world(db_url, fake, clock) -> AsyncIterator[World]:
    w = await make_world(db_url, fake, clock)
    yield w
    await close_world(w)


def service(w: World, adults: dict[str, int] | None = None) -> tuple[ConsultationService, list[tuple[int, str]]]:
    async def adult_counts(ward_id: str) -> dict[str, int]:
        return dict(adults or {}) if ward_id == WARD else {}

    s = ConsultationService(
        SqlConsultations(w.db), w.service, w.clock, Texts(), content(), deep_link_base=LINK, adult_counts=adult_counts
    )
    notes: list[tuple[int, str]] = []

    async def notify(chat_id: int, screen: Screen) -> None:
        notes.append((chat_id, screen.text))

    s.notify = notify
    return s, notes


def draft(w: World, **kw: object) -> ConsultDraft:
    values: dict[str, object] = {
        "ward_id": WARD,
        "question": "Bác có đồng ý lắp thêm đèn đường ngõ 12 không?",
        "options": OPTIONS,
        "scope": Scope.WARD,
        "neighbourhoods": (),
        "closes_at": w.clock.now() + dt.timedelta(days=2),
        "allow_change": True,
        "show_results": True,
        **kw,
    }
    return ConsultDraft(**values)  # type: ignore[arg-type]


async def residents(w: World, first: int, n: int, tdp: str, ward: str = WARD) -> list[Resident]:
    return [await w.resident(first + i, tdp=tdp, ward=ward) for i in range(n)]


async def test_two_hundred_residents_vote_change_and_come_late_and_the_counts_are_exact(world):
    w = world
    s, notes = service(w, adults={"5": 150})  # tổ 7 has no adult count: turnout shown as voters only
    created = await s.create(draft(w), w.official)
    c = created.consultation
    assert not created.notice_pending
    notice = await w.service.get(c.notice_id or 0)
    assert notice is not None and f"{LINK}?start=vote_{c.id}" in notice.text
    assert vote_id(f"vote_{c.id}") == c.id

    t5 = await residents(w, 10_000, 120, "5")
    t7 = await residents(w, 20_000, 80, "7")
    expected: dict[str, Counter[int]] = {"5": Counter(), "7": Counter()}
    for i, r in enumerate(t5 + t7):
        option = i % 3 + 1
        if i % 10 == 9:  # every tenth resident stays silent
            continue
        screen = await s.open_vote(r, c.id)
        assert [b.label for row in screen.buttons for b in row] == list(OPTIONS)
        voted = await s.vote(r, c.id, option)
        assert not voted.stale and "cảm ơn bác" in voted.screen.text.lower()
        expected[r.neighbourhood or ""][option] += 1
    changers = [r for i, r in enumerate(t5) if i % 3 == 0 and i % 10 != 9][:20]  # they chose option 1
    for r in changers:
        voted = await s.vote(r, c.id, 2)
        assert "đã đổi" in voted.screen.text
        expected["5"][1] -= 1
        expected["5"][2] += 1
    again = await s.vote(changers[0], c.id, 2)
    assert "đã chọn «Không đồng ý» rồi" in again.screen.text

    # a second press of the same option, and the ballot shows her choice
    ballot = await s.open_vote(changers[1], c.id)
    assert "Bác đã chọn: «Không đồng ý»" in ballot.text

    w.clock.advance(days=2)  # the deadline passes; the worker has not run yet
    silent = [r for i, r in enumerate(t5 + t7) if i % 10 == 9]
    assert len(silent) == 20
    for r in silent[:10]:  # the silent ones come late
        voted = await s.vote(r, c.id, 1)
        assert ENDED in voted.screen.text
        assert ENDED in (await s.open_vote(r, c.id)).text
    assert ENDED in (await s.vote(changers[2], c.id, 3)).screen.text  # no change after the close either
    assert await s.close_due() == [c.id]
    assert await s.close_due() == []  # closed once, told once
    assert len(notes) == 1 and notes[0][0] == w.official.external_id
    assert "Kết quả cuối cùng" in notes[0][1]
    for r in silent[10:]:  # after the worker closed it
        assert ENDED in (await s.vote(r, c.id, 3)).screen.text

    res = await s.results(c.id)
    assert res is not None
    by = {row.neighbourhood: row for row in res.by_tdp}
    assert set(by) == {"5", "7"}
    for tdp in ("5", "7"):
        assert by[tdp].votes == tuple(expected[tdp][o] for o in (1, 2, 3))
    assert by["5"].voters == 108 and by["7"].voters == 72  # 120 − 12 silent, 80 − 8 silent
    assert by["5"].adults == 150 and by["5"].turnout == pytest.approx(108 / 150)
    assert by["7"].adults is None and by["7"].turnout is None
    assert res.overall.voters == 180 and res.overall.adults is None  # not every tổ's adults are known
    assert res.overall.votes == tuple(expected["5"][o] + expected["7"][o] for o in (1, 2, 3))

    text = s.results_text(res, "vi")
    assert "Tổng cộng: 180 người trả lời" in text
    assert "108/150 người trưởng thành (72,0%)" in text
    assert "72 người trả lời" in text

    table = list(csv.reader(io.StringIO(await s.csv(c.id) or "")))
    assert table[0] == ["to_dan_pho", *OPTIONS, "nguoi_tra_loi", "nguoi_truong_thanh", "ti_le_tham_gia"]
    assert table[1] == ["5", *(str(expected["5"][o]) for o in (1, 2, 3)), "108", "150", "72.0"]
    assert table[2] == ["7", *(str(expected["7"][o]) for o in (1, 2, 3)), "72", "", ""]
    assert table[3][0] == "tong" and table[3][4] == "180"

    # results shown to residents after the close (the official allowed it)
    after = await s.open_vote(t5[0], c.id)
    assert "Kết quả:" in after.text and "Đồng ý" in after.text
    assert "Theo tổ dân phố" not in after.text  # overall only: a small tổ would show who voted what


async def test_a_resident_of_another_ward_or_tdp_cannot_vote_and_nothing_is_counted(world):
    w = world
    s, _ = service(w)
    c = (await s.create(draft(w, scope=Scope.NEIGHBOURHOODS, neighbourhoods=("5",)), w.official)).consultation
    other_ward = await w.resident(30_001, tdp="5", ward="phu-thuong")
    other_tdp = await w.resident(30_002, tdp="9")
    stranger = await w.residents.identify("telegram", 30_003, "Khách")  # never chose a ward
    assert "chỉ dành cho cư dân" in (await s.open_vote(other_ward, c.id)).text
    assert "chỉ dành cho cư dân" in (await s.vote(other_ward, c.id, 1)).screen.text
    assert "tổ dân phố 5" in (await s.vote(other_tdp, c.id, 1)).screen.text
    assert "/start" in (await s.vote(stranger, c.id, 1)).screen.text
    res = await s.results(c.id)
    assert res is not None and res.overall.voters == 0
    assert [r.neighbourhood for r in res.by_tdp] == ["5"]  # the audience's tổ, shown with no vote yet


async def test_forged_option_ids_and_unknown_consultations_are_refused(world):
    w = world
    s, _ = service(w)
    c = (await s.create(draft(w), w.official)).consultation
    r = await w.resident(40_001)
    for option in (0, 4, 99):
        voted = await s.vote(r, c.id, option)
        assert voted.stale and voted.screen.text == GONE
    assert (await s.vote(r, 999_999, 1)).stale
    for unknown in (999_999, 0):
        assert "không tìm thấy cuộc lấy ý kiến" in (await s.open_vote(r, unknown)).text
    assert vote_id("vote_abc") == 0 and vote_id("ihanoi-install") is None
    res = await s.results(c.id)
    assert res is not None and res.overall.voters == 0


async def test_no_change_allowed_keeps_the_first_answer(world):
    w = world
    s, _ = service(w)
    c = (await s.create(draft(w, allow_change=False, show_results=False), w.official)).consultation
    r = await w.resident(50_001)
    await s.vote(r, c.id, 1)
    refused = await s.vote(r, c.id, 2)
    assert "không cho đổi" in refused.screen.text
    assert (await s.open_vote(r, c.id)).buttons == ()  # her answer shown, no buttons to press
    w.clock.advance(days=3)
    closed = await s.open_vote(r, c.id)
    assert ENDED in closed.text and "Kết quả:" not in closed.text  # results not shown to residents
    res = await s.results(c.id)
    assert res is not None and res.overall.votes == (1, 0, 0)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"options": ("Có",)}, "option_count"),
        ({"options": tuple(f"P{i}" for i in range(7))}, "option_count"),
        ({"options": ("Có", "có")}, "option_duplicate"),
        ({"options": ("Có", "x" * 41)}, "option_length"),
        ({"question": "  "}, "empty_question"),
        ({"scope": Scope.NEIGHBOURHOODS}, "no_neighbourhoods"),
        ({"closes_at": "soon"}, "closes_too_soon"),
        ({"closes_at": "far"}, "closes_too_far"),
        ({"ward_id": "mars"}, "unknown_ward"),
    ],
)
async def test_bad_drafts_are_refused_with_a_reason(world, change, code):
    w = world
    s, _ = service(w)
    if change.get("closes_at") == "soon":
        change = {"closes_at": w.clock.now() + dt.timedelta(minutes=5)}
    elif change.get("closes_at") == "far":
        change = {"closes_at": w.clock.now() + dt.timedelta(days=91)}
    with pytest.raises(ConsultError) as e:
        await s.create(draft(w, **change), w.official)
    assert e.value.code == code
    assert Texts()("vi", f"consult.err_{code}")


async def test_only_officials_of_the_ward_create_or_see_results(world):
    w = world
    s, _ = service(w)
    c = (await s.create(draft(w), w.official)).consultation
    r = await w.resident(60_001)
    with pytest.raises(ConsultError) as e:
        await s.create(draft(w), r)
    assert e.value.code == "not_allowed"
    with pytest.raises(ConsultError):
        await s.live(r, c.id, "vi")
    live = await s.live(w.official, c.id, "vi")
    assert "kết quả tạm thời" in live.text and live.buttons


async def test_taps_at_the_same_moment_count_one_vote(world):
    w = world
    s, _ = service(w)
    c = (await s.create(draft(w), w.official)).consultation
    r = await w.resident(80_001)
    outcomes = await asyncio.gather(*(s.vote(r, c.id, o) for o in (1, 2, 3, 1, 2)))
    assert not any(v.stale for v in outcomes)
    res = await s.results(c.id)
    assert res is not None and res.overall.voters == 1
