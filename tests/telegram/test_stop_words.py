"""DỪNG stops ward notices; "Đúng" (yes) must never do so; a bare "dung" is asked about first."""

from __future__ import annotations

import pytest

from bot.core.stop_words import StopIntent, stop_intent


@pytest.mark.parametrize(
    "text,intent",
    [
        ("DỪNG", StopIntent.STOP),
        ("dừng", StopIntent.STOP),
        ("Dừng lại!", StopIntent.STOP),
        ("STOP", StopIntent.STOP),
        ("huỷ đăng ký", StopIntent.STOP),
        ("dung lai", StopIntent.STOP),
        ("dung", StopIntent.MAYBE),
        ("DUNG", StopIntent.MAYBE),
        ("Đúng", StopIntent.NONE),
        ("đúng rồi", StopIntent.NONE),
        ("dùng", StopIntent.NONE),
        ("Dũng", StopIntent.NONE),
        ("dừng xe ở đâu", StopIntent.NONE),
        ("", StopIntent.NONE),
    ],
)
def test_stop_intent(text, intent):
    assert stop_intent(text) is intent


async def _subscribed(harness):
    return await harness.onboarded()


async def test_resident_answering_dung_yes_keeps_her_notices(harness):
    a = await _subscribed(harness)
    await a.send("Đúng")
    r = await harness.app.residents.identify("telegram", 1001)
    assert r.subscribed


async def test_bare_dung_without_diacritics_asks_before_stopping(harness):
    a = await _subscribed(harness)
    out = await a.send("dung")
    assert "tắt nhận thông báo" in out[-1].text
    assert (await harness.app.residents.identify("telegram", 1001)).subscribed
    await a.press("Không, vẫn nhận")
    assert (await harness.app.residents.identify("telegram", 1001)).subscribed
    await a.send("DUNG")
    await a.press("Đúng, tắt thông báo")
    assert not (await harness.app.residents.identify("telegram", 1001)).subscribed


async def test_dung_with_diacritics_stops_at_once_even_mid_guide(harness):
    a = await _subscribed(harness)
    await a.send("/start ihanoi-install")
    out = await a.send("DỪNG")
    assert "tắt nhận thông báo" in out[-1].text
    assert not (await harness.app.residents.identify("telegram", 1001)).subscribed
