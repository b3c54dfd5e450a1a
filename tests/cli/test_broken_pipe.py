"""`evaltui export … | head`: the reader leaving early is how a pipe ends, not a crash. evaltui
stops quietly (exit 141, as git and the shell's own tools do), writing no crash log."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EVALTUI = str(Path(sys.executable).with_name("evaltui"))


def test_a_reader_that_stops_early_ends_an_export_quietly(cli, tmp_path: Path) -> None:
    assert cli("run", "support_intent.yaml", "-m", "demo:keyword", "-q").returncode == 0
    env = {
        **os.environ,
        "EVALTUI_DB": str(tmp_path / "cli.db"),
        "EVALTUI_CONFIG": str(tmp_path / "cfg.yaml"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "HOME": str(tmp_path),
    }
    # the whole run as JSON is larger than a pipe holds: evaltui is still writing when the reader goes
    proc = subprocess.Popen(
        [EVALTUI, "export", "latest", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(10) == b'{"format":'
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(60) == 141
    assert stderr == ""
    assert not list(tmp_path.rglob("crash-*.log"))


def test_a_reader_of_events_that_goes_mid_run_leaves_the_run_to_finish(tmp_path: Path) -> None:
    """`evaltui run --events - | head -2`: the run goes on to its end, every result stored, its exit
    code its own, with no traceback per event on standard error."""
    suite = tmp_path / "slow.yaml"
    cases = "".join(f"  - {{id: c{i}, input: v{i}, expected: v{i}}}\n" for i in range(60))
    suite.write_text(
        "name: slow\nprompt: '{{ input }}'\nmodels:\n  - {id: echo, provider: demo, model: echo,"
        f" params: {{latency_ms: 20}}}}\nscorers: [{{type: equals}}]\ncases:\n{cases}",
        encoding="utf-8",
    )
    db = tmp_path / "r.db"
    env = {**os.environ, "EVALTUI_CONFIG": str(tmp_path / "cfg.yaml"), "HOME": str(tmp_path)}
    proc = subprocess.Popen(
        [EVALTUI, "--db", str(db), "run", str(suite), "-c", "2", "--events", "-", "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert b"RunStarted" in proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(120) == 0
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr[:2000]
    listed = subprocess.run(
        [EVALTUI, "--db", str(db), "runs", "--json"], capture_output=True, text=True, env=env, check=True
    )
    assert '"status": "completed"' in listed.stdout and '"done": 60' in listed.stdout
