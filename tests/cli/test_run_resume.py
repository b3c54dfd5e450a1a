"""`evaltui run --resume` finishes the run that was started: the cases its --limit chose, with the
cache as it was started (a --no-cache run is finished by asking the model), and says so when there
is nothing to do. `--retry-errors` asks exactly the errored cases again."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.faults.harness import (
    api_suite,
    base_env,
    evaltui,
    follow_and_signal,
    openai_model,
    start_evaltui,
)

from evaltui.store import Store


def setup(tmp_path: Path, fake_api, n: int) -> tuple[Path, list[str], dict[str, str]]:
    """A suite of n cases (errors not retried), a database, and every case's answer in the cache."""
    suite = api_suite(tmp_path / "s", openai_model(fake_api.base_url, extra="    max_retries: 0\n"), n)
    common = ["--db", str(tmp_path / "r.db"), "-q", "-c", "4"]
    env = base_env(tmp_path, FAULT_KEY="sk-resume-test")
    cached = evaltui("run", str(suite), *common, env=env, cwd=tmp_path)
    assert cached.returncode == 0, cached.stderr
    return suite, common, env


def run_of(tmp_path: Path, run_id: str) -> dict:
    with Store(tmp_path / "r.db") as store:
        return store.get_run(run_id)


def test_resume_with_retry_errors_keeps_the_limit_and_asks_only_the_errored(tmp_path: Path, fake_api):
    suite, common, env = setup(tmp_path, fake_api, 20)
    fake_api.fail_when("case-3", "500")
    fake_api.fail_when("case-4", "500")
    first = evaltui(
        "run", str(suite), *common, "--limit", "8", "--no-cache", "--json", "-", env=env, cwd=tmp_path
    )
    assert first.returncode == 0, first.stderr
    with Store(tmp_path / "r.db") as store:
        run_id = store.resolve_run("latest")
    assert run_of(tmp_path, run_id).errors == 2
    asked = dict(fake_api.requests)

    retried = evaltui("run", "--resume", run_id, "--retry-errors", *common, env=env, cwd=tmp_path)
    assert retried.returncode == 0, retried.stderr
    asked_now = {text for text, n in fake_api.requests.items() if n != asked.get(text, 0)}
    assert asked_now == {"Q: case-3", "Q: case-4"}  # from the model, not the cache; nothing else
    run = run_of(tmp_path, run_id)
    assert (run.status, run.total, run.done, run.passed, run.errors) == (
        "completed", 8, 8, 8, 0,
    )  # fmt: skip


def test_a_killed_no_cache_run_is_resumed_by_asking_the_model_not_the_cache(tmp_path: Path, fake_api):
    suite, common, env = setup(tmp_path, fake_api, 60)
    fake_api.latency_ms = 30
    proc = start_evaltui(
        "run", str(suite), "--db", str(tmp_path / "r.db"), "-c", "2", "--no-cache", "--events", "-",
        env=env, cwd=tmp_path,
    )  # fmt: skip
    seen = follow_and_signal(proc, 6, signal.SIGKILL)
    proc.wait(10)
    assert seen.run_id is not None
    fake_api.latency_ms = 0
    with Store(tmp_path / "r.db") as store:
        kept = {case_id for case_id, _ in store.finished_keys(seen.run_id)}
    asked = dict(fake_api.requests)

    resumed = evaltui("run", "--resume", seen.run_id, *common, env=env, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    missing = {f"c{i}" for i in range(60)} - kept
    assert missing
    for case_id in missing:
        text = f"Q: case-{case_id[1:]}"
        assert fake_api.requests[text] == asked[text] + 1, case_id
    with Store(tmp_path / "r.db") as store:
        assert not any(r.cached for r in store.iter_results(seen.run_id))
        assert (store.get_run(seen.run_id).done, store.get_run(seen.run_id).total) == (60, 60)


def test_resume_of_a_completed_run_says_nothing_is_missing_and_points_at_retry_errors(
    tmp_path: Path, fake_api
):
    suite, common, env = setup(tmp_path, fake_api, 5)
    fake_api.fail_when("case-2", "500")
    evaltui("run", str(suite), *common, "--no-cache", env=env, cwd=tmp_path)
    with Store(tmp_path / "r.db") as store:
        run_id = store.resolve_run("latest")
    asked = fake_api.stats["requests"]
    again = evaltui("run", "--resume", run_id, *common, env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    stderr = again.stderr.decode()
    assert "nothing missing" in stderr and f"evaltui run --resume {run_id} --retry-errors" in stderr
    assert "1 of them errored" in stderr
    assert fake_api.stats["requests"] == asked


def test_resume_refuses_to_change_what_chose_the_runs_cases(tmp_path: Path, fake_api):
    suite, common, env = setup(tmp_path, fake_api, 5)
    with Store(tmp_path / "r.db") as store:
        run_id = store.resolve_run("latest")
    changed = evaltui("run", "--resume", run_id, "--limit", "2", *common, env=env, cwd=tmp_path)
    assert changed.returncode == 2
    assert "--limit (none) (given: 2)" in changed.stderr.decode()
    alone = evaltui("run", str(suite), "--retry-errors", *common, env=env, cwd=tmp_path)
    assert alone.returncode == 2 and "--retry-errors goes with --resume" in alone.stderr.decode()
