"""code-exec's sandbox: each way out that hostile model code tried is stopped, honest code still
passes, and without bubblewrap code-exec refuses unless the suite opts into `sandbox: none`.

Every escape is written as model code whose own asserts check that the attempt was stopped, so a
passing score is positive proof (a sandbox that ran nothing would not pass). Run on both event
loops (conftest.py)."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest

from evaltui.errors import ScorerError
from evaltui.scorers import Score, sandbox
from tests.scorers.contexts import score


async def escape(code: str, **options: Any) -> Score:
    """Score `code` (already holding its own asserts) with code-exec in the default sandbox."""
    return await score(
        {"type": "code-exec", "tests": "pass", "timeout_s": 20, **options}, textwrap.dedent(code)
    )


def assert_stopped(got: Score) -> None:
    assert got.passed, got.reason


async def test_the_parent_environment_cannot_be_read_through_proc() -> None:
    """/proc/<pid>/environ shows a process's environment as it was started (a later setenv does
    not show), so the secret looked for is a variable this test process was started with."""
    started_with = Path("/proc/self/environ").read_bytes().split(b"\0")
    secrets = [
        entry
        for entry in started_with
        if b"=" in entry and not entry.startswith((b"PATH=", b"LANG=", b"HOME="))
    ]
    assert secrets, "this test needs the test process to have been started with some environment"
    got = await escape(
        f"""
        import os
        seen = b""
        for pid in [str(os.getppid()), *os.listdir("/proc")]:
            try:
                seen += open(f"/proc/{{pid}}/environ", "rb").read()
            except OSError:
                pass
        leaked = [entry for entry in {secrets!r} if entry in seen.split(b"\\0")]
        assert not leaked, leaked
        """
    )
    assert_stopped(got)


async def test_etc_shadow_cannot_be_read() -> None:
    got = await escape(
        """
        try:
            open("/etc/shadow").read()
        except OSError:
            pass
        else:
            raise AssertionError("read /etc/shadow")
        """
    )
    assert_stopped(got)


async def test_no_file_can_be_written_outside_its_folder(tmp_path: Path) -> None:
    target = tmp_path / "written-by-the-model.txt"
    got = await escape(
        f"""
        try:
            open({str(target)!r}, "w").write("pwned")
        except OSError:
            pass
        for path in ("/usr/pwned", "/etc/pwned", "/pwned"):
            try:
                open(path, "w").write("pwned")
            except OSError:
                continue
            raise AssertionError("wrote " + path)
        """
    )
    assert_stopped(got)
    assert not target.exists()


async def test_a_loopback_listener_cannot_be_reached() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        port = listener.getsockname()[1]
        got = await escape(
            f"""
            import socket
            try:
                socket.create_connection(("127.0.0.1", {port}), timeout=3).close()
            except OSError:
                pass
            else:
                raise AssertionError("connected to the host")
            """
        )
        assert_stopped(got)
        with pytest.raises(BlockingIOError):
            listener.accept()


async def test_the_results_database_cannot_be_opened(tmp_path: Path) -> None:
    db = tmp_path / "results.db"
    with sqlite3.connect(db) as conn:
        conn.execute("create table runs (id text, label text)")
        conn.execute("insert into runs values ('r1', 'baseline')")
    conn.close()
    got = await escape(
        f"""
        import sqlite3
        try:
            conn = sqlite3.connect("file:{db}?mode=rw", uri=True)
            conn.execute("update runs set label = 'relabelled'")
            conn.commit()
        except sqlite3.Error:
            pass
        else:
            raise AssertionError("relabelled the runs")
        """
    )
    assert_stopped(got)
    with sqlite3.connect(db) as conn:
        assert conn.execute("select label from runs").fetchall() == [("baseline",)]
    conn.close()


async def test_fork_through_ctypes_is_refused() -> None:
    got = await escape(
        """
        import ctypes, os
        libc = ctypes.CDLL(None, use_errno=True)
        pid = libc.fork()
        if pid == 0:
            os._exit(0)
        assert pid == -1, "forked past the guard"
        """
    )
    assert_stopped(got)


async def test_no_detached_child_outlives_the_case() -> None:
    marker = f"4{uuid.uuid4().int % 10**8}.5"  # a sleep duration no other process uses
    got = await escape(
        f"""
        import ctypes, os
        libc = ctypes.CDLL(None, use_errno=True)
        pid = libc.fork()
        if pid == 0:
            libc.setsid()
            os.execv("/bin/sleep", ["sleep", "{marker}"])
        """
    )
    survivors = _processes_with_argument(marker)
    for pid in survivors:  # do not leave it behind when the test fails
        os.kill(pid, signal.SIGKILL)
    assert survivors == []
    assert got.passed or "process" in got.reason


async def test_the_code_cannot_stop_evaltui() -> None:
    """SIGSTOP to the parent. If it lands, this process stops; a watchdog resumes it a minute
    later, and the SIGCONT handler records that it happened."""
    continued: list[int] = []
    previous = signal.signal(signal.SIGCONT, lambda signum, frame: continued.append(signum))
    watchdog = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import os, time; time.sleep(60); os.kill({os.getpid()}, {int(signal.SIGCONT)})",
        ]
    )
    try:
        got = await escape(
            """
            import os, signal
            try:
                os.kill(os.getppid(), signal.SIGSTOP)
            except OSError:
                pass
            """
        )
    finally:
        watchdog.kill()
        watchdog.wait()
        signal.signal(signal.SIGCONT, previous)
    assert continued == [], "the model's code stopped evaltui"
    assert_stopped(got)


async def test_honest_code_with_threads_files_and_the_standard_library_passes() -> None:
    got = await escape(
        """
        import json, math, os, tempfile, threading
        results = []
        workers = [threading.Thread(target=results.append, args=(n * n,)) for n in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert sorted(results) == [0, 1, 4, 9]
        with open("notes.json", "w") as out:
            json.dump({"pi": math.pi}, out)
        assert json.load(open("notes.json"))["pi"] == math.pi
        with tempfile.NamedTemporaryFile("w") as scratch:
            scratch.write("ok")
        assert os.getcwd() == "/tmp/case"
        """
    )
    assert_stopped(got)


async def test_without_bubblewrap_code_exec_refuses_with_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sandbox, "BWRAP", str(tmp_path / "missing" / "bwrap"))
    with pytest.raises(ScorerError, match="apt-get install bubblewrap") as caught:
        await escape("print('hello')")
    assert "sandbox: none" in str(caught.value)


async def test_sandbox_none_runs_without_bubblewrap(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sandbox, "BWRAP", str(tmp_path / "missing" / "bwrap"))
    assert_stopped(await escape("assert 1 + 1 == 2", sandbox="none"))


async def test_a_sandbox_that_cannot_start_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "bwrap"
    broken.write_text(
        "#!/bin/sh\necho 'bwrap: creating new namespace failed: Operation not permitted' >&2\nexit 1\n"
    )
    broken.chmod(0o755)
    monkeypatch.setattr(sandbox, "BWRAP", str(broken))
    with pytest.raises(ScorerError, match="could not start: bwrap: creating new namespace failed"):
        await escape("print('hello')")


def _processes_with_argument(argument: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if argument.encode() in (entry / "cmdline").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found
