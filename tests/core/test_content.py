"""The content checker: the real content passes; a broken copy fails with file:line messages."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.content import CONTRACT_IDS, ContentError, load_content, load_valid_content
from bot.settings import PROJECT_ROOT

CONTENT = PROJECT_ROOT / "content"


def test_real_content_is_valid_and_covers_every_contract_topic():
    content = load_content(CONTENT, CONTRACT_IDS)
    assert content.errors == []
    assert set(CONTRACT_IDS) <= set(content.guides)
    for g in content.guides.values():
        assert all(s.text.vi and s.text.en for s in g.steps)


def test_unknown_ward_facts_are_warnings_not_errors():
    content = load_content(CONTENT, CONTRACT_IDS)
    assert any("office hours not known" in str(w) for w in content.warnings)


@pytest.fixture
def broken(tmp_path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_missing_english_step_text_points_at_the_line(broken):
    f = broken / "guides" / "ihanoi-install.yaml"
    _edit(f, '      en: "Tap the search box, type iHanoi and search."\n', "")
    line = _line_of(f, 'vi: "Bác bấm vào ô tìm kiếm')
    problems = [str(p) for p in load_content(broken, CONTRACT_IDS).errors]
    assert any(
        p.startswith("content/guides/ihanoi-install.yaml:") and "steps.2.text.en: is missing" in p for p in problems
    ), problems
    assert any(f":{line - 1}:" in p or f":{line}:" in p for p in problems)


def test_bad_link_unknown_related_unknown_field_and_yaml_error(broken):
    g = broken / "guides"
    _edit(g / "dvc-login.yaml", "related: [", "related: [no-such-guide, ")
    (g / "ihanoi-install.yaml").write_text(
        (g / "ihanoi-install.yaml").read_text(encoding="utf-8") + "colour: blue\n", encoding="utf-8"
    )
    (g / "broken.yaml").write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
    text = (g / "dvc-pay.yaml").read_text(encoding="utf-8")
    (g / "dvc-pay.yaml").write_text(text.replace("link: https://", "link: htp:/", 1), encoding="utf-8")
    problems = [str(p) for p in load_content(broken, CONTRACT_IDS).errors]
    joined = "\n".join(problems)
    assert "dvc-login.yaml" in joined and "related guide 'no-such-guide' does not exist" in joined
    assert "ihanoi-install.yaml" in joined and "colour: is not a known field" in joined
    assert "broken.yaml:" in joined and "not valid YAML" in joined
    assert "dvc-pay.yaml" in joined and "not a well-formed http(s) URL" in joined


def test_duplicate_id_and_missing_contract_topic(broken):
    g = broken / "guides"
    shutil.copy(g / "epay-qr.yaml", g / "epay-qr-copy.yaml")
    (g / "ask-staff.yaml").unlink()
    problems = [str(p) for p in load_content(broken, CONTRACT_IDS).errors]
    assert any(
        "duplicate guide id 'epay-qr'" in p and "epay-qr-copy.yaml" in p and "epay-qr.yaml" in p for p in problems
    )
    assert any("contract topic 'ask-staff' has no guide" in p for p in problems)


def test_bot_refuses_to_start_on_invalid_content_naming_the_file(broken):
    _edit(broken / "guides" / "epay-qr.yaml", "category: epay", "category: nowhere")
    with pytest.raises(ContentError) as err:
        load_valid_content(broken)
    assert "epay-qr.yaml" in str(err.value) and "unknown category 'nowhere'" in str(err.value)


def test_check_command_exit_codes(broken):
    ok = subprocess.run(
        [sys.executable, "-m", "bot", "content", "check"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    _edit(broken / "guides" / "epay-qr.yaml", "reviewed:", "reviewed: not-a-date\nx_reviewed:")
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "content", "check", "--dir", str(broken)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert "content/guides/epay-qr.yaml:" in bad.stderr


def test_every_button_label_in_the_real_content_and_locales_fits_40_characters():
    content = load_content(CONTENT, CONTRACT_IDS)
    assert not [p for p in content.errors if "button" in str(p)]
    for g in content.guides.values():
        for lang in ("vi", "en"):
            assert len(f"📘 {g.label(lang)}") <= 40 and len(f"▶ Làm tiếp: {g.label(lang)}") <= 40, g.id


def test_a_title_too_long_for_a_button_needs_a_short_title(broken):
    f = broken / "guides" / "phone-basics.yaml"
    text = f.read_text(encoding="utf-8")
    start = text.index("short_title:")
    end = text.index("summary:")
    f.write_text(text[:start] + text[end:], encoding="utf-8")  # the 59-character title, on buttons again
    line = _line_of(f, 'vi: "Dùng điện thoại cơ bản: chữ to')
    problems = [str(p) for p in load_content(broken, CONTRACT_IDS).errors]
    assert f"content/guides/phone-basics.yaml:{line}: button '▶ Làm tiếp: Dùng điện thoại cơ bản" in "\n".join(problems)
    assert any("add a short_title" in p for p in problems)
    _edit(
        f,
        "title:\n",
        'short_title:\n  vi: "Dùng điện thoại: chữ to, Wi-Fi, ứng dụng, bộ nhớ"\n  en: "Phone basics"\ntitle:\n',
    )
    problems = [str(p) for p in load_content(broken, CONTRACT_IDS).errors]
    assert any("shorten short_title" in p and "Dùng điện thoại: chữ to" in p for p in problems), problems
