"""Without PostgreSQL or Redis, their tests skip with the reason on a developer's machine and fail in CI.

Runs pytest in a subprocess on a small probe file that uses the shared fixtures, with PG_DSN and
TEST_REDIS_URL pointing at ports where nothing listens.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from bot.settings import PROJECT_ROOT

PROBE = """
async def test_uses_postgres(pg_url):
    assert pg_url


async def test_storage_on_both(db_url):
    assert db_url


def test_uses_redis(redis_url):
    assert redis_url
"""


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_probe(tmp_path, ci: str | None) -> tuple[int, str]:
    (tmp_path / "test_probe.py").write_text(PROBE)
    pg_port, redis_port = closed_port(), closed_port()
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_XDIST_WORKER", "PYTEST_ADDOPTS")}
    env |= {
        "PYTHONPATH": str(PROJECT_ROOT),
        "PG_DSN": f"postgresql://postgres@127.0.0.1:{pg_port}/test",
        "TEST_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
    }
    if ci is not None:
        env["CI"] = ci
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.conftest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-o",
            "asyncio_mode=auto",
            "-o",
            "asyncio_default_fixture_loop_scope=function",
            "-rsf",
            "--strict-markers",
            "-o",
            "markers=postgres\nredis",
            str(tmp_path / "test_probe.py"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = proc.stdout + proc.stderr
    return proc.returncode, out.replace(str(pg_port), "PG").replace(str(redis_port), "REDIS")


def test_missing_services_skip_with_the_reason_outside_ci(tmp_path):
    status, out = run_probe(tmp_path, ci=None)
    assert status == 0, out
    assert "1 passed, 3 skipped" in out  # the SQLite half of the storage test still runs
    assert out.count("PostgreSQL not reachable at 127.0.0.1:PG") == 2
    assert "Redis not reachable at 127.0.0.1:REDIS" in out


@pytest.mark.parametrize("ci", ["1", "true"])
def test_missing_services_fail_in_ci(tmp_path, ci):
    status, out = run_probe(tmp_path, ci=ci)
    assert status == 1, out
    assert "3 failed, 1 passed" in out or "1 passed, 3 errors" in out or "3 errors" in out, out
    assert "PostgreSQL not reachable at 127.0.0.1:PG (CI is set: this test must run, start the service)" in out
    assert "Redis not reachable at 127.0.0.1:REDIS (CI is set" in out
    assert "skipped" not in out


def test_ci_false_is_not_ci(tmp_path):
    status, out = run_probe(tmp_path, ci="false")
    assert status == 0, out
    assert "3 skipped" in out
