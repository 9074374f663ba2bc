"""How fast the local chat appears: time from process start to the chat prompt, and to the first answer.

Runs the README's command (`./scripts/start`, token-less, so the local chat) in a pseudo-terminal, as a
person would: waits for the prompt, types /start, waits for the bot's answer, types :q.

    .venv/bin/python benchmarks/startup_bench.py              # warm: 1 warm-up run, then 3 measured runs
    .venv/bin/python benchmarks/startup_bench.py --runs 5
    .venv/bin/python benchmarks/startup_bench.py --fresh      # first run on a fresh copy (creates .venv: minutes)
    .venv/bin/python benchmarks/startup_bench.py --cmd ".venv/bin/bot chat"

"prompt" = the `[Cư dân (bác Lan)] > ` prompt is on screen and typing is accepted;
"answer" = the answer to /start typed right at the prompt is on screen (the bot has fully loaded).
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROMPT = b"] > "
ANSWER = "🤖".encode()


@dataclass
class Run:
    prompt: float
    answer: float
    total: float


def measure(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float) -> Run:
    master, slave = pty.openpty()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    seen = b""
    t_prompt = t_answer = None

    def read_until(marker: bytes, start: int) -> int:
        nonlocal seen
        while True:
            if (i := seen.find(marker, start)) >= 0:
                return i
            left = timeout - (time.perf_counter() - t0)
            if left <= 0 or (proc.poll() is not None and not select.select([master], [], [], 0)[0]):
                tail = seen[-600:].decode(errors="replace")
                proc.kill()
                raise SystemExit(f"no {marker!r} after {time.perf_counter() - t0:.1f}s; output ends with:\n{tail}")
            ready, _, _ = select.select([master], [], [], min(left, 0.5))
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    chunk = b""
                seen += chunk

    i = read_until(PROMPT, 0)
    t_prompt = time.perf_counter() - t0
    os.write(master, b"/start\r")
    read_until(ANSWER, i)
    t_answer = time.perf_counter() - t0
    os.write(master, b":q\r")
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    t_total = time.perf_counter() - t0
    os.close(master)
    return Run(t_prompt, t_answer, t_total)


def fresh_copy(dest: Path) -> None:
    """The tracked files of this checkout (with uncommitted changes), as a fresh clone would have them."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for f in filter(None, files):
        src = ROOT / f.decode()
        if src.is_file():
            (dest / f.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f.decode())


def report(label: str, runs: list[Run]) -> None:
    def fig(xs: list[float]) -> str:
        return f"median {statistics.median(xs):5.2f}s  min {min(xs):5.2f}s  max {max(xs):5.2f}s"

    print(f"{label} ({len(runs)} run{'s' if len(runs) > 1 else ''})")
    print(f"  to the chat prompt:  {fig([r.prompt for r in runs])}")
    print(f"  to the first answer: {fig([r.answer for r in runs])}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cmd", default="./scripts/start", help="command to time (run from the checkout)")
    ap.add_argument("--runs", type=int, default=3, help="warm runs in this checkout (0: none)")
    ap.add_argument("--fresh", action="store_true", help="also time the first run on a fresh copy (no .venv)")
    ap.add_argument("--timeout", type=float, default=900)
    args = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "DATABASE_URL", "VIRTUAL_ENV")}
    env["TERM"] = "dumb"
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f}; command: {args.cmd}")
    with tempfile.TemporaryDirectory(prefix="startup-bench-") as tmp:
        env["DATABASE_URL"] = f"sqlite+aiosqlite:///{Path(tmp) / 'bot.db'}"
        if args.fresh:
            clone = Path(tmp) / "clone"
            fresh_copy(clone)
            first = measure(shlex.split(args.cmd), clone, env, args.timeout)
            report("first run on a fresh copy (creates .venv, installs)", [first])
            again = measure(shlex.split(args.cmd), clone, env, args.timeout)
            report("second run on that copy", [again])
        if args.runs > 0:
            measure(shlex.split(args.cmd), ROOT, env, args.timeout)  # warm-up: database created, caches filled
            runs = [measure(shlex.split(args.cmd), ROOT, env, args.timeout) for _ in range(args.runs)]
            report("warm", runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
