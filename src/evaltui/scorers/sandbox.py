"""Running untrusted Python (a model's answer) in a separate, limited process.

The child is `sys.executable -I` (isolated: no user site, no PYTHON* variables) in a fresh
temporary folder, in its own session (so a timeout kills its whole process group), with stdin
closed, an environment of PATH, LANG and HOME only (no API keys), and resource limits set by a
small bootstrap before the code runs: address space, CPU seconds, file size, no core files and a
cap on processes. RLIMIT_NPROC does not bind root, so as root the child runs as `nobody` when the
interpreter is usable by `nobody`. On top of that the bootstrap replaces Python's ways of starting
a process (os.fork, os.posix_spawn, subprocess, os.system) with one that refuses, so a fork bomb
written in Python stops at once even where the process cap cannot bind.

This is a guard against accidents and sloppy code, not a security boundary against a hostile
model: it does not restrict the network or reads of world-readable files.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import signal
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

MEMORY_BYTES = 512 * 1024 * 1024
MAX_PROCESSES = 64
MAX_FILE_BYTES = 64 * 1024 * 1024
TAIL_BYTES = 16 * 1024  # of stdout/stderr kept; a flood of output is read and dropped
PIPE_GRACE_S = 2.0

NO_PROCESSES = "code-exec does not allow starting processes"
_BOOTSTRAP = """\
import os, resource, runpy, sys, _posixsubprocess
def cap(kind, value):
    resource.setrlimit(kind, (value, value))
cap(resource.RLIMIT_AS, {memory})
cap(resource.RLIMIT_CPU, {cpu})
cap(resource.RLIMIT_CORE, 0)
cap(resource.RLIMIT_FSIZE, {fsize})
cap(resource.RLIMIT_NPROC, {nproc})
def refuse(*args, **kwargs):
    raise BlockingIOError(11, "{refusal}")
for name in ("fork", "forkpty", "posix_spawn", "posix_spawnp", "system"):
    setattr(os, name, refuse)
_posixsubprocess.fork_exec = refuse
del cap, refuse, name, resource, os, _posixsubprocess
sys.argv = ["solution.py"]
runpy.run_path("solution.py", run_name="__main__")
"""


@dataclass(frozen=True, slots=True)
class Outcome:
    returncode: int | None  # None when it was killed for the wall-clock timeout
    timed_out: bool
    stdout: str  # the last TAIL_BYTES
    stderr: str


async def run_python(code: str, *, timeout_s: float, memory_bytes: int = MEMORY_BYTES) -> Outcome:
    """Run `code` as `solution.py` under the limits; never waits longer than `timeout_s`."""
    with tempfile.TemporaryDirectory(prefix="evaltui-exec-") as folder:
        Path(folder, "solution.py").write_text(code, encoding="utf-8")
        bootstrap = _BOOTSTRAP.format(
            memory=memory_bytes,
            cpu=max(1, int(timeout_s) + 1),
            fsize=MAX_FILE_BYTES,
            nproc=MAX_PROCESSES,
            refusal=NO_PROCESSES,
        )
        Path(folder, "run.py").write_text(bootstrap, encoding="utf-8")
        identity = _unprivileged(folder)
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-I",
            "run.py",
            cwd=folder,
            env=_environment(folder),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
            **identity,
        )
        return await _supervise(proc, timeout_s)


def _environment(folder: str) -> dict[str, str]:
    """Nothing inherited but PATH and LANG: API keys and other secrets stay with evaltui."""
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "HOME": folder,
    }


def _unprivileged(folder: str) -> dict[str, object]:
    """As root, run the child as `nobody` (owning its folder) so the process cap applies, when
    `nobody` can run this interpreter (not when it lives under /root, as pyenv's does)."""
    interpreter = (sys.executable, sys.prefix, sys.base_prefix)
    if os.geteuid() != 0 or not all(_world_usable(Path(path)) for path in interpreter):
        return {}
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        return {}
    for path in (folder, *(str(p) for p in Path(folder).iterdir())):
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
    return {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}


def _world_usable(path: Path) -> bool:
    """Whether any user can reach and read `path` (every folder above it searchable)."""
    real = path.resolve()
    folders = [folder for folder in real.parents]
    if not all(folder.stat().st_mode & stat.S_IXOTH for folder in folders):
        return False
    return bool(real.stat().st_mode & stat.S_IROTH)


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
