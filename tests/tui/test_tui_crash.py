"""Issue 6 for the TUI process: `kill -9` of a real `evaltui` running a run in tmux loses nothing.
The database stays intact, the run is found `interrupted` on the next open, and `evaltui run
--resume` finishes it without asking a finished case again."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from evaltui.store import Store
from tests.tui.test_tmux import EVALTUI, end_session, tmux, wait_for

pytestmark = pytest.mark.tmux
CASES = 200  # at the default concurrency and 300 ms a case: a few seconds, so the kill lands mid-run
SLOW_SUITE = """name: slow-echo
description: A slow demo model, so a kill lands mid-run.
prompt: "{{ input }}"
models:
  - id: demo:slow
    provider: demo
    model: echo
    params: {latency_ms: 300}
scorers:
  - type: equals
cases:
""" + "".join(f'  - {{id: c{i:02d}, input: "answer {i}", expected: "answer {i}"}}\n' for i in range(CASES))


def finished_cases(db: Path) -> tuple[str, int] | None:
    if not db.exists():
        return None
    with Store(db) as store:
        runs = store.list_runs(suite="slow-echo")
        return (runs[0].id, len(store.finished_keys(runs[0].id))) if runs else None


def test_kill_9_of_the_tui_mid_run_loses_nothing_and_resume_finishes(tmp_path: Path) -> None:
    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "slow.yaml").write_text(SLOW_SUITE, encoding="utf-8")
    db = tmp_path / "r.db"
    session = f"evaltui-crash-{os.getpid()}"
    env = f"EVALTUI_CONFIG={tmp_path / 'config.yaml'} TEXTUAL_ANIMATIONS=none"
    command = f"cd {tmp_path} && exec env {env} {EVALTUI} --db {db} --suites {suites}"
    tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", command)
    try:
        wait_for(session, "slow-echo")
        pid = int(tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip())
        tmux("send-keys", "-t", session, "r")
        wait_for(session, "Run slow-echo")
        time.sleep(0.5)  # the modal takes focus after it paints
        tmux("send-keys", "-t", session, "Enter")
        wait_for(session, "running")
        for _ in range(100):  # wait until some results are committed, far from all
            seen = finished_cases(db)
            if seen and seen[1] >= 4:
                break
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
    finally:
        end_session(session)

    with Store(db) as store:
        assert store.conn().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        run_id = store.list_runs(suite="slow-echo")[0].id
        before = store.finished_keys(run_id)
        assert 0 < len(before) < CASES
        assert run_id in store.mark_stale_runs()
        assert store.get_run(run_id).status == "interrupted"
    resumed = subprocess.run(
        [EVALTUI, "run", "--resume", run_id, "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "EVALTUI_CONFIG": str(tmp_path / "config.yaml")},
    )
    assert resumed.returncode == 0, resumed.stderr
    with Store(db) as store:
        run = store.get_run(run_id)
        assert run.status == "completed" and run.done == CASES
        assert len(store.finished_keys(run_id)) == CASES
