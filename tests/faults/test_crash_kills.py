"""kill -9 of `evaltui run` at 20 seeded random moments: after each kill every result the process
reported finished (`--events -`) is in the database, the file passes `PRAGMA integrity_check`, the
next `evaltui` to open it shows the run `interrupted`, and `--resume` (itself killed again, four
chains of five kills) completes the run without asking the server again for a finished case.

tests/cli/test_crash.py covers one kill at a fixed moment; this one walks random moments, including
right after RunStarted and between a batch's commit and its events."""

from __future__ import annotations

import json
import os
import random
import signal
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from evaltui.store import Store

from fake_api import FakeApi
from harness import api_suite, base_env, evaltui, events_of, integrity, openai_model, start_evaltui

SEED = 20261123
CHAINS = 4
KILLS_PER_CHAIN = 5
CASES = 80
CONCURRENCY = 4


@dataclass
class Chain:
    """One run killed again and again, then resumed to the end."""

    db: Path
    suite: Path
    env: dict[str, str]
    cwd: Path
    run_id: str | None = None
    kept_at_kill: list[tuple[set[str], Counter[str]]] = field(default_factory=list)

    def command(self) -> list[str]:
        common = ["--db", str(self.db), "--events", "-", "--no-cache", "-c", str(CONCURRENCY)]
        if self.run_id is None:
            return ["run", str(self.suite), *common]
        return ["run", "--resume", self.run_id, *common]

    def kept(self) -> set[str]:
        assert self.run_id is not None
        store = Store(self.db)
        try:
            return {case_id for case_id, _ in store.finished_keys(self.run_id)}
        finally:
            store.close()


def kill_at(chain: Chain, after_events: int, delay_s: float) -> set[str]:
    """Start the chain's next process, SIGKILL it `delay_s` after its `after_events`-th CaseFinished
    (0: right after RunStarted); returns the cases it reported finished."""
    proc = start_evaltui(*chain.command(), env=chain.env, cwd=chain.cwd)
    assert proc.stdout is not None
    reported: set[str] = set()
    seen = 0
    for line in proc.stdout:
        event = json.loads(line)
        if event["event"] == "RunStarted":
            chain.run_id = event["run_id"]
        elif event["event"] == "CaseFinished":
            reported.add(event["case_id"])
            seen += 1
        elif event["event"] == "RunFinished":
            raise AssertionError(f"the run finished before its kill (after {seen} events)")
        if chain.run_id is not None and seen >= after_events:
            time.sleep(delay_s)
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    proc.stdout.close()
    if proc.stderr:
        proc.stderr.close()
    return reported


def status_on_next_open(chain: Chain) -> str:
    listed = evaltui("runs", "--json", "--db", str(chain.db), env=chain.env, cwd=chain.cwd)
    assert listed.returncode == 0, listed.stderr
    (run,) = [r for r in json.loads(listed.stdout) if r["id"] == chain.run_id]
    return run["status"]


@pytest.mark.slow
def test_twenty_random_kills_lose_nothing_reported_and_resume_never_reasks(
    fake_api: FakeApi, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    rng = random.Random(SEED)
    rng_latency = random.Random(SEED + 1)
    fake_api.latency_ms = lambda seen: rng_latency.uniform(5, 40)
    env = base_env(tmp_path, FAULT_KEY="sk-crash-test")
    chains = [
        Chain(
            tmp_path / f"chain{i}.db",
            api_suite(tmp_path / f"s{i}", openai_model(fake_api.base_url), CASES),
            env,
            tmp_path,
        )
        for i in range(CHAINS)
    ]
    reported_total = 0
    for chain in chains:
        for _ in range(KILLS_PER_CHAIN):
            done = len(chain.kept()) if chain.run_id else 0
            after = rng.randint(0, max(0, min(20, CASES - done - 3 * CONCURRENCY)))
            reported = kill_at(chain, after, rng.choice([0.0, 0.0, rng.uniform(0, 0.05)]))
            reported_total += len(reported)
            assert integrity(chain.db) == "ok"
            kept = chain.kept()
            assert reported <= kept, f"reported but lost: {sorted(reported - kept)}"
            chain.kept_at_kill.append((kept, Counter(fake_api.requests)))
            if status_on_next_open(chain) == "completed":
                # On a loaded machine this process can read the events so late that the run ended
                # before the kill landed: then it must hold every case, and there is nothing left to kill.
                assert len(kept) == CASES
                break
            assert status_on_next_open(chain) == "interrupted"

        final = evaltui(*chain.command(), env=env, cwd=tmp_path)
        assert final.returncode == 0, final.stderr
        resumed = {e["case_id"] for e in events_of(final.stdout.decode()) if e["event"] == "CaseFinished"}
        assert not resumed & chain.kept_at_kill[-1][0]
        with Store(chain.db) as store:
            run = store.get_run(chain.run_id)
            assert (run.status, run.done, run.passed) == ("completed", CASES, CASES)
            assert store.count_results(chain.run_id) == CASES
        for kept, asked in chain.kept_at_kill:
            for case_id in kept:
                text = f"Q: case-{case_id[1:]}"
                assert fake_api.requests[text] == asked[text], f"{case_id} asked again after it was stored"
        assert integrity(chain.db) == "ok"
    assert reported_total > 0
    record_property("kills", sum(len(chain.kept_at_kill) for chain in chains))
    record_property("results_reported_before_kills", reported_total)
