"""A guide's failure branch on the numbered-text channel: the same ResidentFlow screens, read back by number."""

from __future__ import annotations

from bot.adapters.zalo.render import parse_reply, render


async def test_a_branch_is_a_numbered_choice_and_its_sub_path_returns_to_the_step(harness):
    flow = harness.app.flow
    r = await harness.app.residents.identify("zalo", 7001, "Bác Hoa")
    r = await harness.app.residents.update(r.id, lang="vi", ward_id="tay-ho", onboarded=True)
    steps = harness.app.content.guide("vneid-activate").steps
    otp = next(i for i, s in enumerate(steps) if any(b.label.vi == "Không nhận được mã OTP" for b in s.branches))
    (screen,) = await flow.open_guide(r, harness.app.content.guide("vneid-activate"), otp)
    text = render(screen)
    line = next(ln for ln in text.splitlines() if "Không nhận được mã OTP" in ln)
    number = line.split(".", 1)[0]
    action = parse_reply(number, screen)
    assert action is not None and action.startswith("br:vneid-activate:")
    pressed = await flow.press(r, action)
    assert not pressed.stale and "Không nhận được mã OTP (1/" in render(pressed.screens[-1])
    sub = render(pressed.screens[-1])
    number = next(ln for ln in sub.splitlines() if "↩ Về Bước" in ln).split(".", 1)[0]
    back = parse_reply(number, pressed.screens[-1])
    assert back == f"g:vneid-activate:{otp}"
    pressed = await flow.press(r, back)
    assert f"Bước {otp + 1}/" in render(pressed.screens[-1])
