"""Guide drafts: started from a group of unanswered questions (the group leaves the list), listed per
ward, renamed (≤ 80 characters), downloaded as a YAML skeleton that parses and carries the residents'
questions as examples, discarded after a confirmation (the questions come back). The use case runs on
SQLite and PostgreSQL; the pages on the console harness."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import yaml

from bot.adapters.db.db import Database
from bot.adapters.db.uow import SqlTransactions
from bot.app.guide_drafts import BadTitle, DraftNotFound, GuideDrafts
from bot.app.learning import Learning
from bot.app.residents import Resident, Role
from bot.app.tickets import NotAllowed
from bot.app.unanswered import UnansweredLog
from bot.app.unanswered_desk import GroupGone, UnansweredDesk
from bot.app.web_signin import ConsoleUser
from bot.core.clock import FixedClock
from bot.core.content import Content, load_valid_content
from bot.settings import PROJECT_ROOT
from tests.telegram.test_announcements import ADMIN
from tests.web.console_kit import csrf_of, signed_in
from tests.web.test_unanswered import OTHER_STAFF, asked, two_wards

T0 = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)
ZALO = "cách đổi ảnh đại diện zalo"
ZALO_TOO = "đổi ảnh đại diện trên zalo"


# ---------------------------------------------------------------- the use case, on both databases


@pytest.fixture(scope="module")
def content() -> Content:
    return load_valid_content(PROJECT_ROOT / "content")


async def _person(tx, external_id: int, name: str, roles: set[tuple[str, str]]) -> ConsoleUser:
    row = await tx.users.get_or_create("telegram", external_id, name, T0)
    person = Resident(row.id, "telegram", external_id, name, "vi", None, None, True, False, frozenset(roles))
    role = Role.ADMIN if ("admin", "*") in roles else Role.STAFF
    return ConsoleUser(person, role)


async def _questions(tx, ward: str, *texts: str) -> None:
    for i, text in enumerate(texts):
        await tx.unanswered.add(
            ward_id=ward,
            user_hash=f"h{i}",
            text=text,
            outcome="none",
            topic=None,
            score=0.0,
            created_at=T0 - dt.timedelta(minutes=i),
        )


async def test_a_draft_takes_its_group_off_the_list_and_discarding_brings_it_back(db_url, content):
    db = Database(db_url)
    await db.migrate()
    try:
        uow, clock = SqlTransactions(db), FixedClock(T0)
        desk = UnansweredDesk(uow, clock, UnansweredLog(uow, "salt"), Learning(uow, content, clock, lambda m: None))
        drafts = GuideDrafts(uow, clock, content)
        async with uow() as tx:
            ha = await _person(tx, 2001, "Cán bộ Hà", {("staff", "tay-ho")})
            other = await _person(tx, 2101, "Cán bộ Phú Thượng", {("staff", "phu-thuong")})
            admin = await _person(tx, 9001, "Quản trị", {("admin", "*")})
            await _questions(tx, "tay-ho", ZALO, ZALO, ZALO_TOO, "giá vàng hôm nay")
            await _questions(tx, "phu-thuong", "lịch tiêm phòng dại cho chó")
        assert [g.text for g in await desk.groups(ha, None)] == [ZALO, "giá vàng hôm nay"]

        draft_id = await desk.start_draft(ha, None, ZALO)
        assert [g.text for g in await desk.groups(ha, None)] == ["giá vàng hôm nay"]
        with pytest.raises(GroupGone):  # once only
            await desk.start_draft(ha, None, ZALO)
        with pytest.raises(NotAllowed):
            await desk.start_draft(ha, "phu-thuong", "lịch tiêm phòng dại cho chó")
        clock.advance(minutes=1)
        newer = await desk.start_draft(ha, "tay-ho", "giá vàng hôm nay")

        listed = await drafts.drafts(ha)
        assert [d.id for d in listed] == [newer, draft_id]  # newest first
        draft = await drafts.get(ha, draft_id)
        assert (draft.ward_id, draft.title, draft.questions) == ("tay-ho", ZALO, (ZALO, ZALO_TOO))
        assert (draft.author, draft.status) == ("Cán bộ Hà", "draft")
        assert await drafts.drafts(other) == []
        with pytest.raises(DraftNotFound):
            await drafts.get(other, draft_id)
        with pytest.raises(DraftNotFound):  # another ward's draft: not found before the title is looked at
            await drafts.rename(other, draft_id, "x" * 81)
        assert {d.id for d in await drafts.drafts(admin)} == {draft_id, newer}

        with pytest.raises(BadTitle) as too_long:
            await drafts.rename(ha, draft_id, "x" * 81)
        assert too_long.value.code == "too_long"
        with pytest.raises(BadTitle):
            await drafts.rename(ha, draft_id, "   ")
        assert (await drafts.rename(ha, draft_id, "  Đổi ảnh   đại diện Zalo ")).title == "Đổi ảnh đại diện Zalo"

        exported, text = await drafts.export(ha, draft_id)
        assert exported.status == "exported"
        guide = yaml.safe_load(text)
        assert guide["examples"]["vi"] == [ZALO, ZALO_TOO] and guide["title"]["vi"] == "Đổi ảnh đại diện Zalo"

        assert await drafts.discard(ha, draft_id) == 2  # both phrasings back on the list
        assert [g.text for g in await desk.groups(ha, None)] == [ZALO]  # not a stale cached list
        assert [d.id for d in await drafts.drafts(ha)] == [newer]
        with pytest.raises(DraftNotFound):
            await drafts.get(ha, draft_id)
        async with uow() as tx:
            actions = [a.action for a in await tx.console.audit_log(None, 20)]
        assert actions.count("unanswered_draft_started") == 2
        assert {"guide_draft_renamed", "guide_draft_exported", "guide_draft_discarded"} <= set(actions)
    finally:
        await db.close()


# ---------------------------------------------------------------- the pages


async def _start(web, text: str = ZALO, ward: str = "") -> str:
    page = await web.get("/unanswered")
    assert "Soạn hướng dẫn mới" in page.text
    r = await web.post("/unanswered/draft", data={"csrf": csrf_of(page.text), "ward": ward, "text": text})
    assert r.status_code == 303, r.text
    m = re.fullmatch(r"/drafts/(\d+)\?done=started", r.headers["location"])
    assert m, r.headers["location"]
    return m.group(1)


async def test_staff_start_a_draft_from_a_group_and_download_its_yaml_skeleton(harness):
    await two_wards(harness)
    async with signed_in(harness, 2001) as web:
        draft_id = await _start(web)
        page = await web.get(f"/drafts/{draft_id}?done=started")
        assert page.status_code == 200
        html = page.text
        assert "Đã tạo bản nháp" in html and f"Bản nháp #{draft_id}: {ZALO}" in html
        assert f"<li>“{ZALO}”</li>" in html and f"<li>“{ZALO_TOO}”</li>" in html
        assert 'href="/drafts" aria-current="page">Bản nháp</a>' in html  # in the console's navigation
        assert "Câu người dân đã hỏi (2)" in html and "TODO" in html  # the skeleton, shown before download
        assert "đổi ảnh đại diện" not in (await web.get("/unanswered")).text  # off the open list
        listing = (await web.get("/drafts")).text
        assert f"#{draft_id} {ZALO}" in listing and "Cán bộ Hà" in listing and "Đang soạn" in listing

        r = await web.get(f"/drafts/{draft_id}.yaml")
        assert r.status_code == 200
        assert r.headers["content-type"] == "text/yaml; charset=utf-8"
        assert r.headers["content-disposition"] == f'attachment; filename="guide-draft-{draft_id}.yaml"'
        head = r.text.splitlines()[:14]
        assert all(line.startswith("#") for line in head) and "BẢN NHÁP" in head[0]
        assert any("bot content check" in line for line in head)
        guide = yaml.safe_load(r.text)
        assert guide["examples"]["vi"] == [ZALO, ZALO_TOO]
        assert guide["title"]["vi"] == ZALO
        # nothing invented: every other text is a placeholder for the editor
        assert all(s["text"]["vi"].startswith("TODO") and s["text"]["en"].startswith("TODO") for s in guide["steps"])
        assert guide["sources"] == [{"url": "TODO: https://…", "checked": "TODO: YYYY-MM-DD"}]
        assert guide["summary"]["vi"].startswith("TODO") and guide["keywords"] == ["TODO"]
        assert guide["id"].startswith("TODO") and guide["category"] == "TODO"
        assert "Đã tải tệp YAML" in (await web.get("/drafts")).text
    async with signed_in(harness, ADMIN, "Quản trị") as web:
        audit = (await web.get("/audit")).text
        assert "unanswered_draft_started" in audit and f"{ZALO} → #{draft_id}" in audit
        assert "guide_draft_exported" in audit


async def test_another_wards_draft_is_not_found(harness):
    await two_wards(harness)
    async with signed_in(harness, 2001) as web:
        draft_id = await _start(web)
    async with signed_in(harness, OTHER_STAFF, "Cán bộ Phú Thượng") as web:
        csrf = csrf_of((await web.get("/drafts")).text)
        assert "Chưa có bản nháp nào" in (await web.get("/drafts")).text
        for path in (f"/drafts/{draft_id}", f"/drafts/{draft_id}.yaml", f"/drafts/{draft_id}/discard"):
            r = await web.get(path)
            assert r.status_code == 404 and "Không tìm thấy" in r.text, path
        r = await web.post(f"/drafts/{draft_id}", data={"csrf": csrf, "title": "x" * 100})
        assert r.status_code == 404
        assert (await web.post(f"/drafts/{draft_id}/discard", data={"csrf": csrf})).status_code == 404
    async with signed_in(harness, 2001) as web:
        assert "Đang soạn" in (await web.get("/drafts")).text  # untouched
    async with signed_in(harness, ADMIN, "Quản trị") as web:
        assert f"#{draft_id} {ZALO}" in (await web.get("/drafts")).text  # admins see every ward's


async def test_forged_or_unknown_groups_and_missing_csrf_get_clear_pages(harness):
    await two_wards(harness)
    async with signed_in(harness, 2001) as web:
        csrf = csrf_of((await web.get("/unanswered")).text)
        r = await web.post("/unanswered/draft", data={"csrf": csrf, "ward": "", "text": "không có nhóm này"})
        assert r.status_code == 404 and "đã được xử lý hoặc đã thay đổi" in r.text
        r = await web.post("/unanswered/draft", data={"csrf": csrf, "ward": "", "text": "  "})
        assert r.status_code == 400 and "Chưa chọn nhóm câu hỏi nào" in r.text
        r = await web.post(
            "/unanswered/draft", data={"csrf": csrf, "ward": "phu-thuong", "text": "lịch tiêm phòng dại cho chó"}
        )
        assert r.status_code == 404
        assert (await web.post("/unanswered/draft", data={"ward": "", "text": ZALO})).status_code == 403
        wrong = {"csrf": "x" * 32, "ward": "", "text": ZALO}
        assert (await web.post("/unanswered/draft", data=wrong)).status_code == 403
        assert "Chưa có bản nháp nào" in (await web.get("/drafts")).text
        assert ZALO in (await web.get("/unanswered")).text  # nothing happened
        draft_id = await _start(web)
        assert (await web.post(f"/drafts/{draft_id}", data={"title": "Tiêu đề mới"})).status_code == 403
        assert (await web.post(f"/drafts/{draft_id}/discard", data={})).status_code == 403
        for path in ("/drafts/99999", "/drafts/99999.yaml", "/drafts/abc", "/drafts/0/discard"):
            assert (await web.get(path)).status_code == 404, path
        page = (await web.get(f"/drafts/{draft_id}")).text
        assert "Tiêu đề mới" not in page and "Đang soạn" in page


async def test_a_title_too_long_gives_the_form_back_with_an_error(harness):
    await two_wards(harness)
    async with signed_in(harness, 2001) as web:
        draft_id = await _start(web)
        csrf = csrf_of((await web.get(f"/drafts/{draft_id}")).text)
        long = "Đổi ảnh đại diện " + "x" * 64  # 81 characters
        r = await web.post(f"/drafts/{draft_id}", data={"csrf": csrf, "title": long})
        assert r.status_code == 400
        assert "Tiêu đề dài 81 ký tự, tối đa 80 ký tự" in r.text and f'value="{long}"' in r.text
        assert 'name="title"' in r.text and 'aria-invalid="true"' in r.text
        r = await web.post(f"/drafts/{draft_id}", data={"csrf": csrf, "title": "   "})
        assert r.status_code == 400 and "Tiêu đề không được để trống" in r.text
        assert f"Bản nháp #{draft_id}: {ZALO}" in (await web.get(f"/drafts/{draft_id}")).text  # unchanged
        r = await web.post(f"/drafts/{draft_id}", data={"csrf": csrf, "title": long[:80]})
        assert r.status_code == 303
        page = (await web.get(r.headers["location"])).text
        assert "Đã lưu tiêu đề" in page and f"Bản nháp #{draft_id}: {long[:80]}" in page
        assert yaml.safe_load((await web.get(f"/drafts/{draft_id}.yaml")).text)["title"]["vi"] == long[:80]


async def test_residents_words_and_titles_are_shown_as_text(harness):
    from tests.telegram.test_helpdesk_roundtrip import staff_group

    await staff_group(harness, forum=False)
    evil = "<script>alert('x')</script> <b>đậm</b> mật khẩu"
    await asked(harness, "tay-ho", evil)
    async with signed_in(harness, 2001) as web:
        draft_id = await _start(web, evil)
        html = (await web.get(f"/drafts/{draft_id}")).text
        assert "<script>alert" not in html and "<b>đậm" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &lt;b&gt;đậm&lt;/b&gt; mật khẩu" in html
        r = await web.post(f"/drafts/{draft_id}", data={"csrf": csrf_of(html), "title": '<img src=x onerror="1">'})
        assert r.status_code == 303
        listing = (await web.get("/drafts")).text
        assert "<img src=x" not in listing and "&lt;img src=x onerror=&#34;1&#34;&gt;" in listing
        assert yaml.safe_load((await web.get(f"/drafts/{draft_id}.yaml")).text)["examples"]["vi"] == [evil]


async def test_discarding_asks_first_and_puts_the_questions_back(harness):
    await two_wards(harness)
    async with signed_in(harness, 2001) as web:
        draft_id = await _start(web)
        page = (await web.get(f"/drafts/{draft_id}")).text
        assert f'href="/drafts/{draft_id}/discard"' in page
        confirm = await web.get(f"/drafts/{draft_id}/discard")
        assert confirm.status_code == 200
        assert f"Bỏ bản nháp #{draft_id}?" in confirm.text and f"“{ZALO}”" in confirm.text
        assert "2 câu hỏi của bản nháp sẽ trở lại" in confirm.text
        assert f'action="/drafts/{draft_id}/discard"' in confirm.text and 'name="csrf"' in confirm.text
        assert f"#{draft_id} {ZALO}" in (await web.get("/drafts")).text  # asking changed nothing
        r = await web.post(f"/drafts/{draft_id}/discard", data={"csrf": csrf_of(confirm.text)})
        assert r.status_code == 303 and r.headers["location"] == "/drafts?done=discarded"
        listing = (await web.get(r.headers["location"])).text
        assert "Đã bỏ bản nháp" in listing and "Chưa có bản nháp nào" in listing
        assert (await web.get(f"/drafts/{draft_id}")).status_code == 404
        back = (await web.get("/unanswered")).text
        assert ZALO in back and "3 lần hỏi, 3 người" in back  # the group is open again
    async with signed_in(harness, ADMIN, "Quản trị") as web:
        assert "guide_draft_discarded" in (await web.get("/audit")).text
