"""The content check's rules, one small fixture each: the check fails with file:line and the reason."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot.core.content import load_content
from bot.core.content_rules import numbers, sentences, step_length
from bot.settings import PROJECT_ROOT

CONTENT = PROJECT_ROOT / "content"

GUIDE = """\
id: {id}
category: ihanoi
title: {{vi: "Hướng dẫn thử", en: "A test guide"}}
summary: {{vi: "Một hướng dẫn để thử bộ kiểm tra.", en: "A guide to try the checker."}}
keywords: [thử]
examples:
  vi: ["hướng dẫn thử"]
steps:
  - text:
      vi: "{step_vi}"
      en: "{step_en}"
{extra_step}sources:
{sources}reviewed: 2026-12-07
"""
SOURCE = "  - url: https://dichvucong.gov.vn/p/home/dvc-trang-chu.html\n    checked: 2026-12-07\n"


@pytest.fixture
def root(tmp_path) -> Path:
    """A content folder with the real categories, wards and allowed domains, and no guides yet."""
    r = tmp_path / "content"
    (r / "guides").mkdir(parents=True)
    for name in ("categories.yaml", "wards.yaml", "allowed_domains.yaml"):
        shutil.copy(CONTENT / name, r / name)
    return r


def write_guide(root: Path, gid: str = "thu", **kw: str) -> Path:
    values = {
        "id": gid,
        "step_vi": "Bác mở ứng dụng iHanoi.",
        "step_en": "Open the iHanoi app.",
        "extra_step": "",
        "sources": SOURCE,
        **kw,
    }
    f = root / "guides" / (gid.replace("/", "__") + ".yaml")
    f.write_text(GUIDE.format(**values), encoding="utf-8")
    return f


def line_of(f: Path, needle: str) -> int:
    return next(i for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def errors(root: Path) -> list[str]:
    return [str(p) for p in load_content(root).errors]


def test_a_clean_fixture_passes(root):
    write_guide(root)
    assert errors(root) == []


def test_a_key_given_twice_is_an_error_at_the_second_one(root):
    twice = '    check: {vi: "Được chưa?", en: "Did it work?"}\n    check: {vi: "A?", en: "B?"}\n'
    f = write_guide(root, extra_step=twice)
    line = line_of(f, 'check: {vi: "A?"')
    assert f"content/guides/thu.yaml:{line}: steps.0.check: duplicate key (first given at line {line - 1})" in errors(
        root
    )


def test_a_step_with_three_sentences_is_an_error_at_its_line(root):
    long_vi = "Bác mở ứng dụng. Bác bấm Đăng nhập. Bác gõ mật khẩu."
    f = write_guide(root, step_vi=long_vi)
    line = line_of(f, long_vi)
    assert any(
        p.startswith(f"content/guides/thu.yaml:{line}:") and "steps.0.text.vi: 3 sentences" in p and "split it" in p
        for p in errors(root)
    ), errors(root)


def test_a_source_without_a_date_is_an_error(root):
    f = write_guide(root, sources="  - https://dichvucong.gov.vn/p/home/dvc-trang-chu.html\n")
    line = line_of(f, "  - https://dichvucong.gov.vn")
    assert any(p.startswith(f"content/guides/thu.yaml:{line}:") and "has no date" in p for p in errors(root))


def test_a_guide_without_sources_is_an_error(root):
    f = write_guide(root, sources="")
    f.write_text(f.read_text(encoding="utf-8").replace("sources:\n", "sources: []\n"), encoding="utf-8")
    line = line_of(f, "sources: []")
    assert any(p.startswith(f"content/guides/thu.yaml:{line}:") and "sources" in p for p in errors(root))


def test_a_phone_number_that_differs_between_vi_and_en_is_an_error(root):
    f = write_guide(root, step_vi="Bác gọi tổng đài 1900 1009.", step_en="Call 1900 1090.")
    line = line_of(f, "Call 1900 1090")
    assert (
        f"content/guides/thu.yaml:{line}: steps.0.text: vi and en give different numbers (vi 19001009; en 19001090)"
        in errors(root)
    )


def test_a_branch_whose_en_lacks_the_number_is_an_error_at_the_branch(root):
    branch = (
        "    branches:\n"
        "      - label: {vi: Không nhận được mã OTP, en: The OTP did not arrive}\n"
        "        steps:\n"
        '          - text: {vi: "Bác gọi 1022 nhánh 8.", en: "Call the help line."}\n'
        "        then: staff\n"
    )
    f = write_guide(root, extra_step=branch)
    line = line_of(f, "Call the help line")
    assert any(
        p.startswith(f"content/guides/thu.yaml:{line}:")
        and "steps.0.branches.0.steps.0.text: vi and en give different numbers" in p
        for p in errors(root)
    ), errors(root)


def test_a_branch_missing_its_english_is_an_error(root):
    branch = (
        "    branches:\n"
        "      - label: {vi: Không nhận được mã OTP}\n"
        "        steps:\n"
        '          - text: {vi: "Bác chờ một lát.", en: "Wait a moment."}\n'
    )
    f = write_guide(root, extra_step=branch)
    line = line_of(f, "label: {vi: Không nhận")
    assert f"content/guides/thu.yaml:{line}: steps.0.branches.0.label.en: is missing" in errors(root)


def test_a_child_whose_parent_does_not_exist_is_an_error(root):
    f = write_guide(root, "khong-co/con")
    assert f"content/guides/khong-co__con.yaml:{line_of(f, 'id:')}: parent guide 'khong-co' does not exist" in errors(
        root
    )


def test_a_link_off_the_allow_list_or_not_https_is_an_error(root):
    f = write_guide(root, extra_step="    link: http://dichvucong-gov.com/nop\n")
    line = line_of(f, "link: http://")
    found = errors(root)
    assert f"content/guides/thu.yaml:{line}: steps.0.link: link http://dichvucong-gov.com/nop is not https" in found
    assert (
        f"content/guides/thu.yaml:{line}: steps.0.link: dichvucong-gov.com is not an official domain "
        "(content/allowed_domains.yaml)" in found
    )


def test_an_address_written_in_a_text_must_be_official_too(root):
    f = write_guide(root, step_vi="Bác vào trang dichvucong-online.vn.", step_en="Go to dichvucong-online.vn.")
    line = line_of(f, "Bác vào trang")
    assert any(
        p.startswith(f"content/guides/thu.yaml:{line}:") and "dichvucong-online.vn is not an official domain" in p
        for p in errors(root)
    ), errors(root)


def test_an_official_subdomain_is_allowed(root):
    write_guide(
        root,
        step_vi="Bác vào dichvucong.baohiemxahoi.gov.vn.",
        step_en="Go to dichvucong.baohiemxahoi.gov.vn.",
        extra_step="    link: https://dichvucong.baohiemxahoi.gov.vn\n",
    )
    assert errors(root) == []


def test_sources_older_than_12_months_are_reported_as_warnings(root):
    old = "  - url: https://dichvucong.gov.vn/p/home/dvc-trang-chu.html\n    checked: 2025-10-01\n"
    dated = "  - url: https://vneid.gov.vn\n    checked: 2026-12-07\n    published: 2023-09-01\n"
    f = write_guide(root, sources=old + dated)
    content = load_content(root, today=dt.date(2026, 12, 7))
    assert content.errors == []
    warnings = [str(w) for w in content.warnings]
    assert any(
        w.startswith(f"content/guides/thu.yaml:{line_of(f, 'dvc-trang-chu')}:")
        and "source checked 2025-10-01, more than 12 months ago" in w
        for w in warnings
    ), warnings
    assert any(
        w.startswith(f"content/guides/thu.yaml:{line_of(f, 'vneid.gov.vn')}:") and "published 2023-09-01" in w
        for w in warnings
    )
    assert not load_content(root).warnings or all("12 months" not in str(w) for w in load_content(root).warnings)


def test_a_missing_allow_list_is_an_error(root):
    (root / "allowed_domains.yaml").unlink()
    write_guide(root)
    assert any("allowed_domains.yaml:1: file is missing" in p for p in errors(root))


def test_sentences_count_lines_and_ignore_a_lone_exclamation():
    assert sentences("Xong! Bác đã cài iHanoi. Bác mở nó ra.") == 2
    assert sentences("Bác mở kho ứng dụng:\n• Android: CH Play.\n• iPhone: App Store.") == 1  # one list
    assert sentences("• Tây Hồ: 657 Lạc Long Quân.\n• Phú Thượng: 58 Phú Xá.\nBác hỏi lại. Rồi đi.") == 3
    assert sentences("Ví điện tử (như MoMo, VNPT Money…) là dịch vụ trung gian.") == 1
    assert sentences("Bác gõ dichvucong.gov.vn, 024.1022 nhánh 7.") == 1
    assert step_length("Bác nhập mã OTP.\n⚠️ Không đọc cho ai. Công an không xin OTP.") is None


def test_numbers_compare_digits_whatever_the_separators():
    assert numbers("500.000 đồng, gọi 024.1022 hoặc 1900 1009") == numbers("500,000 dong, call 024.1022 or 1900 1009")
    assert numbers("8 đến 20 ký tự") == []


def test_a_branch_step_too_long_is_an_error_too(root):
    long_en = "Wait. Then wait again. Then call."
    branch = (
        "    branches:\n"
        "      - label: {vi: Chưa có mã, en: No code yet}\n"
        "        steps:\n"
        f'          - text: {{vi: "Bác chờ một lát.", en: "{long_en}"}}\n'
    )
    f = write_guide(root, extra_step=branch)
    line = line_of(f, long_en)
    assert any(
        p.startswith(f"content/guides/thu.yaml:{line}:") and "branches.0.steps.0.text.en: 3 sentences" in p
        for p in errors(root)
    ), errors(root)


def test_an_unpaired_bold_marker_is_an_error(root):
    f = write_guide(root, step_vi="Bác bấm **Kích hoạt tài khoản.", step_en="Tap **Kích hoạt tài khoản**.")
    line = line_of(f, "Bác bấm **")
    assert any(p.startswith(f"content/guides/thu.yaml:{line}:") and "a ** without its pair" in p for p in errors(root))


SHARED = """\
branches:
  otp:
    label: {vi: "Không nhận được mã OTP", en: "The OTP code did not arrive"}
    steps:
      - text: {vi: "Bác tắt máy, bật lại rồi chờ tin nhắn.", en: "Turn the phone off and on, then wait."}
    then: staff
"""
USE = "    branches:\n      - use: {name}\n"


def test_a_step_can_use_a_shared_branch(root):
    (root / "branches.yaml").write_text(SHARED, encoding="utf-8")
    write_guide(root, extra_step=USE.format(name="otp"))
    content = load_content(root)
    assert content.errors == []
    (branch,) = content.guides["thu"].steps[0].branches
    assert branch.label.vi == "Không nhận được mã OTP" and branch.then == "staff"


def test_using_an_unknown_shared_branch_is_an_error_at_its_line(root):
    (root / "branches.yaml").write_text(SHARED, encoding="utf-8")
    f = write_guide(root, extra_step=USE.format(name="no-such"))
    line = line_of(f, "use: no-such")
    assert f"content/guides/thu.yaml:{line}: no shared branch 'no-such' in content/branches.yaml" in errors(root)


def test_a_broken_shared_branch_is_an_error_in_the_shared_file(root):
    (root / "branches.yaml").write_text(SHARED.replace("    then: staff\n", "    then: nowhere\n"), encoding="utf-8")
    write_guide(root)
    line = line_of(root / "branches.yaml", "then: nowhere")
    assert any(p.startswith(f"content/branches.yaml:{line}: branches.otp.then:") for p in errors(root)), errors(root)


def test_a_step_picture_that_does_not_exist_is_an_error_at_its_line(root):
    f = write_guide(root, extra_step="    image: pictures/missing.yaml\n")
    line = line_of(f, "image: pictures/missing.yaml")
    assert f"content/guides/thu.yaml:{line}: image not found: pictures/missing.yaml" in " ".join(errors(root)), errors(
        root
    )
    (root / "pictures").mkdir()
    (root / "pictures" / "missing.yaml").write_text('buttons: ["Đăng nhập"]\n', encoding="utf-8")
    assert errors(root) == []
