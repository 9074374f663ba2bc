"""Failure branches in the content schema: short button labels, short sub-paths, known endings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.content import CONTRACT_IDS, load_content
from bot.settings import PROJECT_ROOT

CONTENT = PROJECT_ROOT / "content"
GUIDE = "guides/vneid-activate.yaml"


@pytest.fixture
def copy(tmp_path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    return root


def _edit(root: Path, old: str, new: str) -> Path:
    f = root / GUIDE
    text = f.read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, new, 1), encoding="utf-8")
    return f


def _line_of(f: Path, needle: str) -> int:
    return next(i for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_real_guides_have_branches_that_parse():
    content = load_content(CONTENT, CONTRACT_IDS)
    step = content.guides["vneid-activate"].steps[7]
    (otp,) = [b for b in step.branches if b.label.vi == "Không nhận được mã OTP"]
    assert otp.then == "staff" and len(otp.steps) >= 2 and otp.label.en


def test_a_branch_label_longer_than_a_button_is_an_error_at_its_line(copy):
    f = _edit(copy, 'vi: "Không nhận được mã OTP"', 'vi: "Không nhận được mã OTP dù đã chờ rất lâu rồi ạ cháu ơi"')
    errors = [str(p) for p in load_content(copy).errors]
    line = _line_of(f, "dù đã chờ rất lâu")
    assert any(
        p.startswith(f"content/{GUIDE}:{line - 1}:") and "label.vi is 54 characters" in p and "at most 40" in p
        for p in errors
    ), errors


def test_a_branch_must_end_by_going_back_or_to_staff(copy):
    f = _edit(copy, "        then: staff\n", "        then: somewhere\n")
    errors = [str(p) for p in load_content(copy).errors]
    line = _line_of(f, "then: somewhere")
    assert any(p.startswith(f"content/{GUIDE}:{line}:") and "then" in p and "'back'" in p for p in errors), errors


def test_a_branch_without_steps_or_with_an_unknown_field_is_an_error(copy):
    _edit(copy, "        then: staff\n", "        then: staff\n        hotline: 1900\n")
    errors = [str(p) for p in load_content(copy).errors]
    assert any("branches.0.hotline: is not a known field" in p for p in errors), errors
