"""Shared by the benchmarks: start the loopback fake API in its own process, time a child process
(wall and CPU from the kernel's rusage), take medians, and update a section of docs/BENCHMARKS.md."""

from __future__ import annotations

import asyncio
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "BENCHMARKS.md"


async def until(condition, step: float = 0.001) -> None:  # type: ignore[no-untyped-def]
    """Let an app under `run_test` work until `condition` holds (polled every `step` seconds)."""
    for _ in range(100_000):
        if condition():
            return
        await asyncio.sleep(step)
    raise RuntimeError("condition never held")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def fake_api(latency_ms: float, server: str = "aiohttp"):
    """A model API on a free loopback port in its own process: "aiohttp" is the tests' fake API
    (tests/fake_api.py), "lean" the benchmark's raw-protocol one (bench/lean_api.py)."""
    script = {"aiohttp": ROOT / "tests" / "fake_api.py", "lean": ROOT / "bench" / "lean_api.py"}[server]
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            str(script),
            "--port",
            str(port),
            "--latency-ms",
            str(latency_ms),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/stats", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("fake API did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """(wall s, cpu s = user + sys, max RSS MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def median(values: list[float]) -> float:
    return statistics.median(values)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}"


def write_section(name: str, body: str) -> None:
    """Replace the text between `<!-- bench:NAME -->` markers (appending the section if absent)."""
    DOC.parent.mkdir(exist_ok=True)
    text = (
        DOC.read_text()
        if DOC.exists()
        else "# Benchmarks\n\nFigures are medians of several runs on the machine named in each section.\n"
    )
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text:
        text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text)


def machine_speed() -> float:
    """Seconds for a fixed pure-Python loop: this shared machine's speed varies about twofold from
    one minute to the next, so each series of figures is printed with it."""
    start, total = time.perf_counter(), 0
    for i in range(3_000_000):
        total += i * i
    return time.perf_counter() - start
