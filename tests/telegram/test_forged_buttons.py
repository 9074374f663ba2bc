"""Forged or stale buttons (issue 14 #5): every press that cannot be read, or is about something gone, is
answered "Nút này không còn dùng được": never a traceback, never a spinning button, under flood control too."""

from __future__ import annotations

import logging

import pytest

from tests.telegram.test_announcements import ADMIN, OFFICIAL, ward_with_groups
from tests.telegram.test_helpdesk_roundtrip import GROUP, staff_group

GONE = "Nút này không còn dùng được"


def _no_errors(caplog) -> None:
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]


@pytest.mark.parametrize("data", ["g:zzz:999", "g:ihanoi-install:abc", "cat:unknown", "done:x:7", "lang:fr", "zzz"])
async def test_a_forged_guide_button_is_answered_and_she_gets_a_fresh_menu(harness, caplog, data):
    lan = await harness.onboarded()
    before = len(harness.fake.callback_answers)
    out = await lan.press_data(data)
    assert [a.get("text") for a in harness.fake.callback_answers[before:]] == [GONE]
    assert "Bác cần giúp gì" in out[-1].text
    _no_errors(caplog)


async def test_the_officials_wizard_answers_bad_choices_and_goes_on(harness, caplog):
    await ward_with_groups(harness)
    await harness.actor(ADMIN, "Quản trị").send(f"/grant_official {OFFICIAL} phu-thuong")
    o = harness.actor(OFFICIAL, "Chủ tịch phường")
    await o.send("/thongbao")
    await o.send("Họp tổ tối nay.")
    await o.press_data("an:w:mars")  # a ward that is not hers
    assert harness.fake.callback_answers[-1].get("text") == GONE
    await o.press("Tây Hồ")
    await o.press_data("an:aud:nowhere")
    assert harness.fake.callback_answers[-1].get("text") == GONE
    await o.press("Cả phường")
    for data in ("an:when:yearly", "an:when:", "an:when:now:1"):
        await o.press_data(data)
        assert harness.fake.callback_answers[-1].get("text") == GONE, data
    out = await o.press("Gửi ngay")
    assert "Người dân sẽ thấy như sau" in "\n".join(m.text for m in out)
    _no_errors(caplog)


@pytest.mark.parametrize("data", ["an:cancel:999", "an:wd:99999999999999999999", "an:appr:0", "an:edit:-1"])
async def test_a_button_about_a_notice_that_does_not_exist_is_answered(harness, caplog, data):
    await ward_with_groups(harness)
    o = harness.actor(OFFICIAL, "Chủ tịch phường")
    await o.send("/start")
    await o.press_data(data)
    assert harness.fake.callback_answers[-1].get("text") == GONE
    _no_errors(caplog)


@pytest.mark.parametrize("data", ["g:zzz:1", "zzz", "menu", "an:when:now", ""])
async def test_a_forged_button_in_a_group_is_answered(harness, caplog, data):
    await staff_group(harness)
    ha = harness.actor(2001, "Cán bộ Hà", chat_id=GROUP)
    before = len(harness.fake.callback_answers)
    sent = len(harness.fake.sent)
    await ha.press_data(data)
    assert [a.get("text") for a in harness.fake.callback_answers[before:]] == [GONE]
    assert harness.fake.sent[sent:] == []
    _no_errors(caplog)


async def test_flood_control_answers_every_button_press_it_drops(harness):
    lan = await harness.onboarded()
    before = len(harness.fake.callback_answers)
    for _ in range(30):
        await lan.press_data("menu")
    answers = harness.fake.callback_answers[before:]
    assert len(answers) == 30  # no button left spinning
    assert sum("nhanh quá" in (a.get("text") or "") for a in answers) == 1
