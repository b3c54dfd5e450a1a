"""End to end in a real terminal: tmux runs `evaltui`, keys drive a launch on a demo model and a
failure walk, and the captured screen (with its escape codes) proves what the user saw."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.tui.conftest import ECHO_SUITE

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]
EVALTUI = str(Path(sys.executable).with_name("evaltui"))


def tmux(*args: str) -> str:
    """A tmux command, on the server of the session it names (`-s` or `-t`): each session has a
    server of its own, so a test never starts its session on a server that another test, in
    another worker, is shutting down by ending the last session on it (new-session then fails)."""
    session = args[args.index("-t" if "-t" in args else "-s") + 1]
    return subprocess.run(["tmux", "-L", session, *args], check=True, capture_output=True, text=True).stdout


def end_session(session: str) -> None:
    """The session ended, with its server."""
    subprocess.run(["tmux", "-L", session, "kill-server"], capture_output=True)


def wait_for(session: str, text: str, *, tries: int = 150) -> str:
    """Capture the pane until `text` shows (bounded: at most `tries` captures)."""
    screen = ""
    for _ in range(tries):
        screen = tmux("capture-pane", "-p", "-t", session)
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")


def test_launch_and_walk_failures_in_a_real_terminal(tmp_path: Path) -> None:
    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "echo.yaml").write_text(ECHO_SUITE, encoding="utf-8")
    session = f"evaltui-e2e-{os.getpid()}"
    env = f"EVALTUI_CONFIG={tmp_path / 'config.yaml'} TEXTUAL_ANIMATIONS=none"
    command = f"cd {tmp_path} && {env} {EVALTUI} --db {tmp_path / 'r.db'} --suites {suites}"
    tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", command)
    try:
        wait_for(session, "echo-check")
        for _ in range(20):  # highlight echo-check whatever its position
            if "Echo model against expected" in tmux("capture-pane", "-p", "-t", session):
                break
            tmux("send-keys", "-t", session, "Up")
            time.sleep(0.1)
        tmux("send-keys", "-t", session, "r")
        wait_for(session, "Run echo-check")
        time.sleep(0.5)  # the modal takes focus after it paints
        tmux("send-keys", "-t", session, "Enter")
        screen = wait_for(session, "✗ 4")
        assert "pass rate 66.7%" in screen
        tmux("send-keys", "-t", session, "f")
        time.sleep(0.3)
        tmux("send-keys", "-t", session, "Enter")
        wait_for(session, "FAIL q03")
        for case in ("q06", "q09", "q12"):
            tmux("send-keys", "-t", session, "n")
            wait_for(session, f"FAIL {case}")
        screen = wait_for(
            session, "No failing case after" if tmux("send-keys", "-t", session, "n") == "" else ""
        )
        assert "other 12" in screen
        raw = tmux("capture-pane", "-p", "-e", "-t", session)
        assert "\x1b]52" not in raw and "\x07" not in raw  # nothing but colours reached the terminal
        tmux("send-keys", "-t", session, "q", "q", "q")
    finally:
        end_session(session)


def test_enter_opens_the_latest_run_of_the_suite_the_arrow_keys_reached(tmp_path: Path) -> None:
    """Keys typed ahead are taken in order: `enter` right after a burst of arrow keys opens the
    suite the cursor ends on, not the one it was on when the burst began."""
    suites = tmp_path / "suites"
    suites.mkdir()
    for index in range(6):
        body = ECHO_SUITE.replace("name: echo-check", f"name: a{index}-no-runs")
        (suites / f"a{index}.yaml").write_text(body, encoding="utf-8")
    (suites / "z.yaml").write_text(ECHO_SUITE, encoding="utf-8")
    db = tmp_path / "r.db"
    env = {**os.environ, "EVALTUI_CONFIG": str(tmp_path / "config.yaml")}
    subprocess.run([EVALTUI, "--db", str(db), "run", str(suites / "z.yaml"), "-q"], check=True, env=env)
    session = f"evaltui-enter-{os.getpid()}"
    command = (
        f"cd {tmp_path} && EVALTUI_CONFIG={tmp_path / 'config.yaml'} TEXTUAL_ANIMATIONS=none "
        f"{EVALTUI} --db {db} --suites {suites}"
    )
    tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", command)
    try:
        wait_for(session, "echo-check")
        time.sleep(0.5)
        tmux("send-keys", "-t", session, *["Down"] * 6, "Enter")
        screen = wait_for(session, "echo-check · demo:echo")
        assert "No runs of this suite yet" not in screen
        tmux("send-keys", "-t", session, "q", "q")
    finally:
        end_session(session)
