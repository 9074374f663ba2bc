"""Unanswered questions in the console: grouped, most asked first, scoped to the viewer's wards;
assigning a guide suggests the phrasings for review and takes the group off the list; out of scope
too; both audited and CSRF-protected; residents' words shown as text."""

from __future__ import annotations

import datetime as dt

from tests.telegram.test_announcements import ADMIN
from tests.telegram.test_helpdesk_roundtrip import staff_group
from tests.web.console_kit import csrf_of, signed_in

OTHER_GROUP = -1002000000099
OTHER_STAFF = 2101


async def asked(harness, ward: str | None, *texts: str) -> None:
    now = harness.app.clock.now()
    async with harness.app.stats.uow() as tx:
        for i, text in enumerate(texts):
            await tx.unanswered.add(
                ward_id=ward,
                user_hash=f"h{i % 3}",
                text=text,
                outcome="none",
                topic=None,
                score=0.0,
                created_at=now - dt.timedelta(minutes=i),
            )


async def two_wards(harness) -> None:
    await staff_group(harness, forum=False)
    await staff_group(harness, forum=False, chat_id=OTHER_GROUP, ward="phu-thuong", staff_ids=(OTHER_STAFF,))
    await asked(
        harness,
        "tay-ho",
        "cách đổi ảnh đại diện zalo",
        "cách đổi ảnh đại diện zalo",
        "đổi ảnh đại diện trên zalo",
        "giá vàng hôm nay",
    )
    await asked(harness, "phu-thuong", "lịch tiêm phòng dại cho chó", "lịch tiêm phòng dại cho chó")


async def test_staff_see_their_wards_questions_grouped_and_assign_one_to_a_guide(harness):
    await two_wards(harness)
    async with signed_in(harness, 2001) as web:
        page = await web.get("/unanswered")
        assert page.status_code == 200
        html = page.text
        assert html.index("cách đổi ảnh đại diện zalo") < html.index("giá vàng hôm nay")  # most asked first
        assert "3 lần hỏi, 3 người" in html and "“đổi ảnh đại diện trên zalo”" in html  # one group of three
        assert "tiêm phòng dại" not in html  # another ward's
        r = await web.post(
            "/unanswered/assign",
            data={"csrf": csrf_of(html), "ward": "", "text": "cách đổi ảnh đại diện zalo", "guide": "zalo-group"},
        )
        assert r.status_code == 303
        done = await web.get(r.headers["location"])
        assert "Đã gán hướng dẫn" in done.text and "đổi ảnh đại diện" not in done.text
        assert "giá vàng hôm nay" in done.text
        # a stale page acting on the same group again is told it is gone
        again = await web.post(
            "/unanswered/assign",
            data={"csrf": csrf_of(html), "ward": "", "text": "cách đổi ảnh đại diện zalo", "guide": "zalo-group"},
        )
        assert again.status_code == 409 and "đã được xử lý" in again.text
    pending = await harness.app.learning.pending()
    assert {(p.guide_id, p.text) for p in pending} == {
        ("zalo-group", "cách đổi ảnh đại diện zalo"),
        ("zalo-group", "đổi ảnh đại diện trên zalo"),
    }
    async with signed_in(harness, ADMIN, "Quản trị") as web:
        audit = (await web.get("/audit")).text
        assert "unanswered_assigned" in audit and "cách đổi ảnh đại diện zalo → zalo-group" in audit


async def test_out_of_scope_leaves_the_list_of_that_ward_only_and_is_audited(harness):
    await two_wards(harness)
    await asked(harness, "phu-thuong", "giá vàng hôm nay")
    async with signed_in(harness, 2001) as web:
        page = await web.get("/unanswered")
        r = await web.post(
            "/unanswered/out-of-scope", data={"csrf": csrf_of(page.text), "ward": "", "text": "giá vàng hôm nay"}
        )
        assert r.status_code == 303
        assert "giá vàng" not in (await web.get(r.headers["location"])).text
    async with signed_in(harness, OTHER_STAFF, "Cán bộ Phú Thượng") as web:
        assert "giá vàng hôm nay" in (await web.get("/unanswered")).text  # still open in Phú Thượng
    async with signed_in(harness, ADMIN, "Quản trị") as web:
        everywhere = (await web.get("/unanswered")).text
        assert "giá vàng hôm nay" in everywhere and "tiêm phòng dại" in everywhere
        assert "unanswered_out_of_scope" in (await web.get("/audit")).text


async def test_another_wards_questions_are_not_found_and_forms_need_their_csrf_token(harness):
    await two_wards(harness)
    async with signed_in(harness, OTHER_STAFF, "Cán bộ Phú Thượng") as web:
        page = await web.get("/unanswered")
        csrf = csrf_of(page.text)
        assert (await web.get("/unanswered", params={"ward": "tay-ho"})).status_code == 404
        form = {"csrf": csrf, "ward": "tay-ho", "text": "giá vàng hôm nay"}
        assert (await web.post("/unanswered/out-of-scope", data=form)).status_code == 404
        r = await web.post("/unanswered/out-of-scope", data=form | {"ward": ""})
        assert r.status_code == 409  # not in her list
        no_token = {"ward": "", "text": "lịch tiêm phòng dại cho chó"}
        assert (await web.post("/unanswered/out-of-scope", data=no_token)).status_code == 403
        wrong = no_token | {"csrf": "x" * 32, "guide": "zalo-group"}
        assert (await web.post("/unanswered/assign", data=wrong)).status_code == 403
        r = await web.post("/unanswered/assign", data=no_token | {"csrf": csrf, "guide": "no-such-guide"})
        assert r.status_code == 400 and "Không có hướng dẫn này" in r.text
        assert "lịch tiêm phòng dại cho chó" in (await web.get("/unanswered")).text
    async with signed_in(harness, 2001) as web:
        assert "giá vàng hôm nay" in (await web.get("/unanswered")).text


async def test_residents_words_are_shown_as_text(harness):
    await staff_group(harness, forum=False)
    await asked(harness, "tay-ho", "<script>alert('x')</script> <b>đậm</b> mật khẩu")
    async with signed_in(harness, 2001) as web:
        html = (await web.get("/unanswered")).text
        assert "<script>alert" not in html and "<b>đậm" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &lt;b&gt;đậm&lt;/b&gt; mật khẩu" in html
        r = await web.post(
            "/unanswered/out-of-scope",
            data={"csrf": csrf_of(html), "ward": "", "text": "<script>alert('x')</script> <b>đậm</b> mật khẩu"},
        )
        assert r.status_code == 303
        assert "mật khẩu" not in (await web.get("/unanswered")).text
