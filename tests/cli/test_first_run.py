"""The README's `./scripts/start`, tried as a new user would: installs only when pyproject.toml changed,
and the local chat shows its prompt at once and answers what was typed while it loaded."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import sys
import time

from bot.settings import PROJECT_ROOT

FAKE_TOOL = """#!/usr/bin/env bash
echo "$(basename "$0") $*" >> "$(dirname "$0")/../calls.log"
"""


def checkout(tmp_path):
    """scripts/ and pyproject.toml, with a stand-in .venv whose python and bot only log how they are called."""
    (tmp_path / "scripts").mkdir()
    for name in ("start", "_venv.sh"):
        shutil.copy2(PROJECT_ROOT / "scripts" / name, tmp_path / "scripts" / name)
    shutil.copy2(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    for tool in ("python", "bot"):
        (tmp_path / ".venv" / "bin" / tool).write_text(FAKE_TOOL)
        (tmp_path / ".venv" / "bin" / tool).chmod(0o755)
    return tmp_path


def calls(root) -> list[str]:
    log = root / ".venv" / "calls.log"
    lines = log.read_text().splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return lines


def sh(root, command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", command], cwd=root, capture_output=True, text=True, timeout=60, check=True)


PIP = "python -m pip install -q --disable-pip-version-check -e"


def test_start_installs_on_the_first_run_and_when_pyproject_changes_only(tmp_path):
    root = checkout(tmp_path)
    first = sh(root, "./scripts/start --script x")
    assert calls(root) == [f"{PIP} .", "bot start --script x"]
    assert "Installing into .venv (first run, or pyproject.toml changed)" in first.stderr
    second = sh(root, "./scripts/start")
    assert calls(root) == ["bot start"]  # no pip: the stamp matches
    assert second.stderr == ""
    with (root / "pyproject.toml").open("a") as f:
        f.write("\n# a new dependency\n")
    sh(root, "./scripts/start")
    assert calls(root) == [f"{PIP} .", "bot start"]


def test_test_extras_are_installed_once_and_kept_for_start(tmp_path):
    root = checkout(tmp_path)
    sh(root, "./scripts/start")
    calls(root)
    sh(root, ". scripts/_venv.sh && ensure_venv test")  # what ./scripts/test does first
    assert calls(root) == [f"{PIP} .[test]"]
    sh(root, ". scripts/_venv.sh && ensure_venv test")
    assert calls(root) == []
    sh(root, "./scripts/start")  # start needs no extra: the test install satisfies it
    assert calls(root) == ["bot start"]
    sh(root, ". scripts/_venv.sh && ensure_venv test")
    assert calls(root) == []


def test_a_failed_install_is_retried_next_time(tmp_path):
    root = checkout(tmp_path)
    (root / ".venv" / "bin" / "python").write_text(FAKE_TOOL + "exit 1\n")
    failed = subprocess.run(["bash", "scripts/start"], cwd=root, capture_output=True, text=True, timeout=60)
    assert failed.returncode == 1
    assert not (root / ".venv" / ".installed").exists()
    (root / ".venv" / "bin" / "python").write_text(FAKE_TOOL)
    calls(root)
    sh(root, "./scripts/start")
    assert calls(root) == [f"{PIP} .", "bot start"]


def test_local_chat_prompt_comes_first_and_what_was_typed_meanwhile_is_answered(tmp_path):
    """In a terminal the greeting and prompt show before the bot has loaded (aiogram alone takes seconds);
    /start typed at once is answered when it is ready, and the greeting is not shown twice."""
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "DATABASE_URL")}
    env |= {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", "PYTHONPATH": str(PROJECT_ROOT)}
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "start"], cwd=tmp_path, env=env, stdin=slave, stdout=slave, stderr=slave
    )
    os.close(slave)
    screen = b""

    def wait_for(text: str) -> None:
        nonlocal screen
        deadline = time.monotonic() + 300
        while text.encode() not in screen:
            assert time.monotonic() < deadline, screen.decode(errors="replace")
            if select.select([master], [], [], 0.2)[0]:
                try:
                    screen += os.read(master, 65536)
                except OSError:
                    break
        assert text.encode() in screen, screen.decode(errors="replace")

    try:
        wait_for("[Cư dân (bác Lan)] > ")
        assert "🤖" not in screen.decode()
        os.write(master, b"/start\r")
        wait_for("🤖")
        wait_for("[Cư dân (bác Lan)] > ")  # the next prompt after the answer
        os.write(master, b":q\r")
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    text = screen.decode(errors="replace")
    assert text.count("Trợ lý số phường – chat thử trên máy") == 1
    assert (
        text.index("BOT_TOKEN is not set") < text.index("chat thử trên máy") < text.index("/start") < text.index("🤖")
    )
    assert "Traceback" not in text
