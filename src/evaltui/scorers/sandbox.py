"""Running untrusted Python (a model's answer) in an OS sandbox.

The sandbox is bubblewrap (`bwrap`, what Flatpak uses): the code runs in new user, pid, network,
ipc, uts and mount namespaces (`--unshare-all`), with every capability dropped, no further user
namespaces, the environment cleared (PATH, HOME and LANG set), in its own session, killed when
evaltui dies (`--die-with-parent`). Its file system is built from nothing: the system folders (/usr
and the /bin, /lib links), the few /etc files the dynamic loader reads, and the Python installation
read-only; a fresh /proc that shows only the sandbox's own processes; a minimal /dev; and a
size-capped tmpfs at /tmp, the only writable place, whose folder /tmp/case is the working folder
holding the script. So it cannot read the host's files, other processes' environments (API keys), or
the results database, cannot write outside /tmp, has no network (not even loopback), and cannot
signal evaltui. A seccomp filter (`seccomp.py`) refuses to start processes, which also bounds a fork
bomb where the process cap cannot (as root). When the case ends the sandbox's pid namespace ends,
and with it every process the code started.

Inside, a small bootstrap sets the resource limits (address space, CPU seconds, file size, no core
files; a process cap where the seccomp filter is missing) and replaces Python's ways of starting a
process with one that refuses, then runs the code as `solution.py`.

`sandbox: none` runs the same bootstrap in a plain child process (a temporary folder, its own
session, a cleared environment): limits against accidents, no protection against hostile code.
It is only used when a suite or the command line asks for it; without bwrap code-exec refuses
(`ScorerError`, which makes the case an error, not a model failure).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from evaltui.errors import ScorerError
from evaltui.scorers import seccomp

Sandbox = Literal["bwrap", "none"]

BWRAP = "bwrap"  # the program looked up on PATH (tests point it at a missing path)
MEMORY_BYTES = 512 * 1024 * 1024
MAX_PROCESSES = 64
MAX_FILE_BYTES = 64 * 1024 * 1024
TMP_BYTES = 128 * 1024 * 1024  # the sandbox's writable tmpfs
WORK = "/tmp/case"  # the code's working folder, on that tmpfs
TAIL_BYTES = 16 * 1024  # of stdout/stderr kept; a flood of output is read and dropped
PIPE_GRACE_S = 2.0
NOBODY = "65534"  # the sandbox's user and group inside its user namespace

INSTALL_BWRAP = (
    "bubblewrap (`bwrap`), the sandbox code-exec runs model code in, was not found: install it "
    "(apt-get install bubblewrap, dnf install bubblewrap, pacman -S bubblewrap), or accept running "
    "model code unsandboxed with `sandbox: none` on the scorer or `evaltui run --sandbox none`"
)
NO_PROCESSES = "code-exec does not allow starting processes"
_BOOTSTRAP = """\
import os, resource, runpy, sys, _posixsubprocess
def cap(kind, value):
    resource.setrlimit(kind, (value, value))
cap(resource.RLIMIT_AS, {memory})
cap(resource.RLIMIT_CPU, {cpu})
cap(resource.RLIMIT_CORE, 0)
cap(resource.RLIMIT_FSIZE, {fsize})
{nproc}
def refuse(*args, **kwargs):
    raise BlockingIOError(11, "{refusal}")
for name in ("fork", "forkpty", "posix_spawn", "posix_spawnp", "system"):
    setattr(os, name, refuse)
_posixsubprocess.fork_exec = refuse
del cap, refuse, name, resource, os, _posixsubprocess
sys.argv = ["solution.py"]
runpy.run_path("solution.py", run_name="__main__")
"""
_SYSTEM_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_LOADER_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime")


@dataclass(frozen=True, slots=True)
class Outcome:
    returncode: int | None  # None when it was killed for the wall-clock timeout
    timed_out: bool
    stdout: str  # the last TAIL_BYTES
    stderr: str


async def run_python(
    code: str, *, timeout_s: float, memory_bytes: int = MEMORY_BYTES, sandbox: Sandbox = "bwrap"
) -> Outcome:
    """Run `code` as `solution.py` under the limits; never waits longer than `timeout_s`.
    Raises ScorerError when the sandbox is missing or could not start."""
    bwrap = shutil.which(BWRAP) if sandbox == "bwrap" else None
    if sandbox == "bwrap" and bwrap is None:
        raise ScorerError(INSTALL_BWRAP)
    # RLIMIT_NPROC counts every process of the user (threads too), so for a user with many it can
    # refuse an honest thread; it is the fork guard only where the seccomp filter is not.
    filtered = bwrap is not None and seccomp.program() is not None
    nproc = "" if filtered else f"cap(resource.RLIMIT_NPROC, {MAX_PROCESSES})"
    with tempfile.TemporaryDirectory(prefix="evaltui-exec-") as folder:
        Path(folder, "solution.py").write_text(code, encoding="utf-8")
        bootstrap = _BOOTSTRAP.format(
            memory=memory_bytes,
            cpu=max(1, int(timeout_s) + 1),
            fsize=MAX_FILE_BYTES,
            nproc=nproc,
            refusal=NO_PROCESSES,
        )
        Path(folder, "run.py").write_text(bootstrap, encoding="utf-8")
        if bwrap is None:
            return await _unsandboxed(folder, timeout_s)
        return await _in_bwrap(bwrap, folder, timeout_s)


async def _unsandboxed(folder: str, timeout_s: float) -> Outcome:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-I",
        "run.py",
        cwd=folder,
        env={"PATH": os.environ.get("PATH", os.defpath), "LANG": "C.UTF-8", "HOME": folder},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    return await _supervise(proc, timeout_s)


async def _in_bwrap(bwrap: str, folder: str, timeout_s: float) -> Outcome:
    status_read, status_write = os.pipe()
    passed = [status_write]
    filter_fd = None
    program = seccomp.program()
    if program is not None:  # a few hundred bytes: fits in the pipe without a reader
        filter_fd, filter_write = os.pipe()
        os.write(filter_write, program)
        os.close(filter_write)
        passed.append(filter_fd)
    try:
        try:
            argv = bwrap_argv(bwrap, folder, status_fd=status_write, seccomp_fd=filter_fd)
            proc = await asyncio.create_subprocess_exec(
                *argv,
                env={"PATH": "/usr/bin:/bin"},  # bwrap's own environment shows as /proc/1/environ inside
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,
                pass_fds=passed,
            )
        finally:
            for fd in passed:
                os.close(fd)
        outcome = await _supervise(proc, timeout_s)
        started = _started(status_read)
    finally:
        os.close(status_read)
    if not started:
        reason = outcome.stderr.strip().splitlines()[-1:] or [f"exit code {outcome.returncode}"]
        raise ScorerError(
            f"the code-exec sandbox (bwrap) could not start: {reason[0]} (bubblewrap needs user "
            "namespaces; or opt out with `sandbox: none`)"
        )
    return _as_signal(outcome)


def _as_signal(outcome: Outcome) -> Outcome:
    """bwrap exits 128+N when the code was killed by signal N; say it as a killed process does
    (-N), so a crash is named (an explicit exit(139) reads as SIGSEGV too: a failure either way)."""
    code = outcome.returncode
    if code is None or code <= 128 or code - 128 not in {int(s) for s in signal.valid_signals()}:
        return outcome
    return dataclasses.replace(outcome, returncode=128 - code)


def bwrap_argv(bwrap: str, folder: str, *, status_fd: int, seccomp_fd: int | None) -> list[str]:
    """The bwrap command line that runs `folder`'s run.py (see the module docstring)."""
    argv = [
        bwrap,
        "--unshare-all",
        "--unshare-user",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
    ]
    argv += ["--uid", NOBODY, "--gid", NOBODY, "--clearenv"]
    argv += ["--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin", "--setenv", "HOME", "/tmp"]
    argv += ["--setenv", "LANG", "C.UTF-8"]
    if _version(bwrap) >= (0, 8):
        argv += ["--disable-userns", "--size", str(TMP_BYTES)]
    argv += ["--tmpfs", "/tmp", "--proc", "/proc", "--dev", "/dev", "--ro-bind", "/usr", "/usr"]
    for link in _SYSTEM_LINKS:
        if os.path.islink(link):
            argv += ["--symlink", os.readlink(link), link]
        elif os.path.isdir(link):
            argv += ["--ro-bind", link, link]
    for path in _LOADER_FILES:
        argv += ["--ro-bind-try", path, path]
    for path in _python_folders():
        argv += ["--ro-bind", path, path]
    # The working folder is one of its own inside the private /tmp: a Python installed under /tmp
    # (a virtual environment in a clone there) is bound at its own path, which shows in /tmp.
    argv += ["--perms", "0777", "--dir", WORK]
    for name in ("run.py", "solution.py"):
        argv += ["--ro-bind", os.path.join(folder, name), f"{WORK}/{name}"]
    argv += ["--remount-ro", "/", "--json-status-fd", str(status_fd)]
    if seccomp_fd is not None:
        argv += ["--seccomp", str(seccomp_fd)]
    return [*argv, "--chdir", WORK, sys.executable, "-I", "run.py"]


def _python_folders() -> list[str]:
    """The folders the interpreter needs (its installation and evaltui's virtual environment),
    outside /usr, outermost first, none inside another."""
    wanted = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    wanted |= {os.path.dirname(os.path.realpath(sys.executable)), os.path.dirname(sys.executable)}
    found = sorted({os.path.realpath(p) for p in wanted} | wanted, key=len)
    kept: list[str] = []
    for path in found:
        if path != "/" and not _inside(path, ["/usr", *kept]) and os.path.isdir(path):
            kept.append(path)
    return kept


def _inside(path: str, folders: Sequence[str]) -> bool:
    return any(path == folder or path.startswith(folder.rstrip("/") + "/") for folder in folders)


@functools.cache
def _version(bwrap: str) -> tuple[int, ...]:
    """bwrap's version (0.8 added --size and --disable-userns); (0,) if it will not say."""
    try:
        said = subprocess.run([bwrap, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return (0,)
    found = re.search(r"(\d+)\.(\d+)", said)
    return (int(found.group(1)), int(found.group(2))) if found else (0,)


def _started(status_read: int) -> bool:
    """Whether bwrap reported the sandboxed process as started (its first JSON status line)."""
    os.set_blocking(status_read, False)
    data = b""
    with contextlib.suppress(BlockingIOError):
        while chunk := os.read(status_read, 4096):
            data += chunk
    for line in data.decode("utf-8", errors="replace").splitlines():
        with contextlib.suppress(ValueError):
            if "child-pid" in json.loads(line):
                return True
    return False


async def _supervise(proc: asyncio.subprocess.Process, timeout_s: float) -> Outcome:
    assert proc.stdout is not None and proc.stderr is not None
    out, err = _Tail(), _Tail()
    pumps = asyncio.gather(out.pump(proc.stdout), err.pump(proc.stderr))
    timed_out = False
    try:
        await asyncio.wait_for(proc.wait(), timeout_s)
    except TimeoutError:
        timed_out = True
    finally:
        _kill_group(proc.pid)  # also stops anything the code left running in the background
        await proc.wait()
        # a grandchild that left the group could hold the pipes open: keep what was read so far
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(pumps, PIPE_GRACE_S)
    return Outcome(None if timed_out else proc.returncode, timed_out, out.text(), err.text())


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group is already gone: nothing to stop
        os.killpg(pid, signal.SIGKILL)


class _Tail:
    """The last TAIL_BYTES of a stream, read to its end so the child never blocks on a full pipe."""

    def __init__(self) -> None:
        self.kept = b""

    async def pump(self, stream: asyncio.StreamReader) -> None:
        while chunk := await stream.read(65536):
            self.kept = (self.kept + chunk)[-TAIL_BYTES:]

    def text(self) -> str:
        return self.kept.decode("utf-8", errors="replace")
