"""End to end in a real terminal: `evaltui` open in tmux follows a run that `evaltui run` drives in
another process on the same database: the Suites row says it is running, enter opens it, and its
Run screen moves until the run completes."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.tui.test_live_runs import CASES, SLOW_SUITE
from tests.tui.test_tmux import EVALTUI, end_session, tmux, wait_for

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def test_a_run_in_another_terminal_is_followed_live(tmp_path: Path) -> None:
    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "slow.yaml").write_text(SLOW_SUITE, encoding="utf-8")
    db = tmp_path / "r.db"
    session = f"evaltui-follow-{os.getpid()}"
    env = {**os.environ, "EVALTUI_CONFIG": str(tmp_path / "config.yaml"), "TEXTUAL_ANIMATIONS": "none"}
    command = (
        f"cd {tmp_path} && exec env EVALTUI_CONFIG={env['EVALTUI_CONFIG']} TEXTUAL_ANIMATIONS=none "
        f"{EVALTUI} --db {db} --suites {suites}"
    )
    tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", command)
    other = None
    try:
        wait_for(session, "slow-echo")
        for _ in range(20):  # highlight slow-echo whatever its position
            if "A slow demo model" in tmux("capture-pane", "-p", "-t", session):
                break
            tmux("send-keys", "-t", session, "Up")
            time.sleep(0.1)
        other = subprocess.Popen(
            [EVALTUI, "run", str(suites / "slow.yaml"), "--db", str(db), "-c", "1", "-q"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        wait_for(session, f"/{CASES}", tries=300)  # the Suites row: "demo:slow running 3/30"
        tmux("send-keys", "-t", session, "Enter")
        screen = wait_for(session, "run by another process", tries=300)
        assert "running" in screen
        wait_for(session, "completed", tries=600)
        screen = wait_for(session, f"✓ {CASES}")
        assert "run by another process" not in screen
        tmux("send-keys", "-t", session, "q", "q")
    finally:
        end_session(session)
        if other is not None:
            other.wait(timeout=60)
    assert other.returncode == 0
