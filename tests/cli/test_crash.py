"""kill -9 in the middle of `evaltui run`: nothing reported finished is lost, and --resume completes
the run without asking the server again for the finished cases."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.faults.harness import follow_and_signal

from evaltui.store import Store

EVALTUI = str(Path(sys.executable).with_name("evaltui"))


def test_kill_9_mid_run_loses_no_reported_result_and_resume_finishes_it(fake_api, api_suite, tmp_path: Path):
    fake_api.latency_ms = 40
    suite = api_suite(fake_api.base_url, n=200)
    db = tmp_path / "crash.db"
    env = {**os.environ, "CRASH_KEY": "sk-crash-secret", "EVALTUI_CONFIG": str(tmp_path / "cfg.yaml")}
    proc = subprocess.Popen(
        [EVALTUI, "run", str(suite), "--db", str(db), "-c", "4", "--events", "-"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    seen = follow_and_signal(proc, 30, signal.SIGKILL)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    run_id, reported = seen.run_id, seen.reported
    assert run_id is not None and len(reported) >= 30

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = Store(db)
    kept = {case_id for case_id, _ in store.finished_keys(run_id)}
    assert set(reported) <= kept
    assert store.get_run(run_id).status == "running"  # as the killed process left it
    assert run_id in store.mark_stale_runs()
    assert store.get_run(run_id).status == "interrupted"
    store.close()
    asked = dict(fake_api.requests)

    resumed = subprocess.run(
        [EVALTUI, "run", "--resume", run_id, "--db", str(db), "-q", "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert resumed.returncode == 0, resumed.stderr
    store = Store(db)
    run = store.get_run(run_id)
    assert run.status == "completed" and run.done == 200
    for case_id in kept:
        text = f"Q: case-{case_id[1:]}"
        assert fake_api.requests[text] == asked[text] == 1, case_id
    store.close()
