"""Ctrl-C (SIGINT) and SIGTERM sent to a real `evaltui run` mid-run: the process exits 130 naming
the command that resumes the run, the run is `interrupted` with every result it reported finished
kept, and `--resume` completes it without asking the server again for a finished case."""

from __future__ import annotations

import signal
from collections import Counter
from pathlib import Path

import pytest

from evaltui.store import Store

from fake_api import FakeApi
from harness import (
    api_suite,
    base_env,
    evaltui,
    events_of,
    follow_and_signal,
    integrity,
    openai_model,
    start_evaltui,
)

CASES = 60


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_run_keeps_what_it_reported_and_resumes_to_the_end(
    fake_api: FakeApi, tmp_path: Path, signum: signal.Signals
) -> None:
    fake_api.latency_ms = 40
    env = base_env(tmp_path, FAULT_KEY="sk-interrupt-test")
    suite = api_suite(tmp_path / "suite", openai_model(fake_api.base_url), CASES)
    db = tmp_path / "runs.db"
    common = ["--db", str(db), "--events", "-", "--no-cache", "-c", "2"]
    proc = start_evaltui("run", str(suite), *common, env=env, cwd=tmp_path)
    seen = follow_and_signal(proc, 6, signum)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.wait(30) == 130, proc.stderr.read()
    stderr = proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    run_id, reported = seen.run_id, set(seen.reported)
    assert seen.status == "interrupted" and run_id is not None
    assert f"resume with: evaltui run --resume {run_id}" in stderr
    with Store(db) as store:
        run = store.get_run(run_id)
        kept = {case_id for case_id, _ in store.finished_keys(run_id)}
    assert run.status == "interrupted" and 6 <= run.done < CASES
    assert reported <= kept and len(kept) == run.done
    assert integrity(db) == "ok"
    asked = Counter(fake_api.requests)

    resumed = evaltui("run", "--resume", run_id, *common, env=env, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    again = {e["case_id"] for e in events_of(resumed.stdout.decode()) if e["event"] == "CaseFinished"}
    assert again == {f"c{i}" for i in range(CASES)} - kept
    for case_id in kept:
        text = f"Q: case-{case_id[1:]}"
        assert fake_api.requests[text] == asked[text], f"{case_id} was asked again after it was stored"
    with Store(db) as store:
        run = store.get_run(run_id)
    assert (run.status, run.done, run.passed) == ("completed", CASES, CASES)
