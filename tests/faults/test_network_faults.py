"""Faults the engine survives: a real Runner asks the loopback fake API (OpenAI, Anthropic and Ollama
routes) while it misbehaves. Every case ends pass, fail or error with its reason, the attempts are
recorded exactly, and the run always finishes."""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaltui.engine import CaseFinished, Runner, RunOptions, prepare
from evaltui.engine.retry import BREAKER_WINDOW_S
from evaltui.store import Store
from evaltui.suites import load_suite
from evaltui.suites.models import ModelSpec

from fake_api import FakeApi, Fault

KEY_ENV = "FAULT_SUITE_KEY"
MAX_RETRIES = 3
TIMEOUT_S = 1.0


@dataclass(frozen=True)
class Script:
    """The faults one case meets, in order, and how it must end."""

    faults: tuple[Fault | str, ...]
    status: str
    attempts: int
    reason: str = ""  # a fragment of the stored error (status error) or score reason (status fail)


def scripts(family: str) -> dict[str, Script]:
    empty = {
        "openai": Script(("empty_choices",), "error", 1, "empty `choices`"),
        "anthropic": Script(("empty_choices",), "fail", 1, "expected"),  # an empty answer is scored
        "ollama": Script(("empty_choices",), "pass", 1),  # Ollama has no choices list to empty
    }[family]
    return {
        "ok": Script((), "pass", 1),
        "wrong": Script((), "fail", 1, "expected"),
        "429_retry_after": Script((Fault("429", "0"), Fault("429", "0")), "pass", 3),
        "429_no_retry_after": Script(("429",), "pass", 2),
        "429_http_date": Script((Fault("429", "Wed, 21 Oct 2015 07:28:00 GMT"),), "pass", 2),
        "5xx_burst": Script(("500", "502", "503"), "pass", 4),
        "5xx_forever": Script(("500", "502", "503", "500"), "error", 4, "HTTP 500"),
        "hang_once": Script(("hang",), "pass", 2),
        "hang_forever": Script(("hang",) * 4, "error", 4, "timed out after 1 s"),
        "reset_mid_body": Script(("drop", "drop"), "pass", 3),
        "reset_forever": Script(("drop",) * 4, "error", 4, "connection failed"),
        "truncated": Script(("truncated",), "pass", 2),
        "not_json": Script(("malformed",), "pass", 2),
        "not_json_forever": Script(("malformed",) * 4, "error", 4, "not JSON"),
        "truncated_forever": Script(("truncated",) * 4, "error", 4, "truncated JSON"),
        "empty_choices": empty,
        "bad_request": Script(("400",), "error", 1, "HTTP 400"),
        "overloaded_529": Script((Fault("529", "0"),), "pass", 2),
        "retry_after_a_day": Script((Fault("429", "100000"),), "error", 1, "Retry-After 100000 s is longer"),
        # Values and bodies evaltui refuses: final, and the rest of the run is stored.
        "huge_usage": Script(("huge_usage",), "error", 1, "outside 0 to 2**63-1"),
        "endless_body": Script(("endless",), "error", 1, "max_response_mb"),
        "gzip_bomb": Script(("gzip_bomb",), "error", 1, "max_response_mb"),
        "two_content_lengths": Script(("two_lengths",), "error", 1, "Content-Length"),
    }


def fault_suite(folder: Path, names: list[str]) -> Path:
    """One case per script: input `case-<name>` (the fake API answers it upper-cased)."""
    rows = [
        {
            "id": name,
            "input": f"case-{name}",
            "expected": "nope" if name == "wrong" else f"CASE-{name}".upper(),
        }
        for name in names
    ]
    (folder / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    path = folder / "suite.yaml"
    path.write_text(
        "name: faults\nprompt: 'Q: {{ input }}'\nscorers:\n  - type: equals\ncases:\n  - file: cases.jsonl\n"
    )
    return path


def model_for(family: str, api: FakeApi, **overrides: object) -> ModelSpec:
    base = api.base_url if family != "ollama" else api.url
    fields: dict[str, object] = {
        "id": f"fake-{family}",
        "provider": family,
        "model": "fake",
        "base_url": base,
        "api_key_env": KEY_ENV,
        "max_retries": MAX_RETRIES,
        "timeout_s": TIMEOUT_S,
    }
    return ModelSpec(**(fields | overrides))


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv(KEY_ENV, "sk-fault-suite-key")
    db = Store(tmp_path / "faults.db")
    yield db
    db.close()


@pytest.mark.parametrize("family", ["openai", "anthropic", "ollama"])
async def test_every_fault_ends_the_case_with_its_reason_and_exact_attempts(
    family: str, fake_api: FakeApi, store: Store, tmp_path: Path
) -> None:
    plan = scripts(family)
    for name, script in plan.items():
        if script.faults:
            fake_api.fail_when(f"case-{name}", *script.faults)
    prepared = prepare(load_suite(fault_suite(tmp_path, sorted(plan))))
    run_id = await Runner(store, prepared, model_for(family, fake_api), RunOptions(concurrency=8)).run()

    assert store.get_run(run_id).status == "completed"
    results = {r.case_id: r for r in store.iter_results(run_id)}
    assert set(results) == set(plan)
    for name, script in plan.items():
        row = results[name]
        got = (row.status, row.attempts)
        assert got == (script.status, script.attempts), f"{family} {name}: {row['error']}"
        assert fake_api.requests[f"Q: case-{name}"] == script.attempts, name
        if script.status == "error":
            assert script.reason in row.error, (name, row.error)
            assert row.scores == () and row.output is None
        elif script.status == "fail":
            assert script.reason in " ".join(s.reason for s in row.scores), name
        else:
            assert row.error is None and row.output == f"CASE-{name}".upper()
    run = store.get_run(run_id)
    statuses = [s.status for s in plan.values()]
    counters = (run.passed, run.failed, run.errors)
    assert counters == (statuses.count("pass"), statuses.count("fail"), statuses.count("error"))


async def test_a_burst_of_503s_across_many_cases_costs_exactly_one_attempt_each(
    fake_api: FakeApi, store: Store, tmp_path: Path
) -> None:
    """40 cases at concurrency 8 while the first 30 requests, whichever cases they belong to, get a
    503 or 502 or 500: every case passes and the attempts add up to 40 + 30."""
    names = [f"n{i}" for i in range(40)]
    fake_api.fail_next(*([Fault("503", "0"), "502", "500"] * 10))
    prepared = prepare(load_suite(fault_suite(tmp_path, names)))
    model = model_for("openai", fake_api, max_retries=30)
    run_id = await Runner(store, prepared, model, RunOptions(concurrency=8)).run()
    rows = list(store.iter_results(run_id))
    assert [r.status for r in rows] == ["pass"] * 40
    assert sum(r.attempts for r in rows) == 70 == fake_api.stats["requests"]


@pytest.mark.slow
async def test_a_server_gone_for_less_than_the_breaker_window_then_back_loses_no_case(
    fake_api: FakeApi, store: Store, tmp_path: Path
) -> None:
    """Mid-run the server crashes (open connections cut, port refused) and returns half the circuit
    breaker's window later. Cases that cannot connect wait for it whatever max_retries says (here
    the default), so every case passes; cases that met the outage record more than one attempt."""
    names = [f"n{i}" for i in range(60)]
    fake_api.latency_ms = 50
    prepared = prepare(load_suite(fault_suite(tmp_path, names)))
    model = model_for("openai", fake_api, max_retries=4, timeout_s=5)
    runner = Runner(store, prepared, model, RunOptions(concurrency=4))
    outage = threading.Event()
    back = threading.Event()

    def crash_then_return() -> None:
        fake_api.go_away()
        threading.Timer(BREAKER_WINDOW_S / 2, lambda: (fake_api.come_back(), back.set())).start()

    def on_event(event: object) -> None:
        if isinstance(event, CaseFinished) and runner.stats.done >= 10 and not outage.is_set():
            outage.set()
            threading.Thread(target=crash_then_return).start()

    runner.subscribe(on_event)
    run_id = await runner.run()

    assert outage.is_set() and back.is_set()
    rows = list(store.iter_results(run_id))
    assert store.get_run(run_id).status == "completed"
    assert [r.status for r in rows] == ["pass"] * 60
    assert max(r.attempts for r in rows) > 1
    assert all(r.error is None for r in rows)


@pytest.mark.parametrize("family", ["openai", "anthropic", "ollama"])
@pytest.mark.parametrize("status", ["401", "403"])
async def test_a_refused_key_stops_the_run_at_the_first_answer_for_every_api(
    family: str, status: str, fake_api: FakeApi, store: Store, tmp_path: Path
) -> None:
    """No case is recorded for the refusal (the run is `failed`, --resume asks them all again);
    the reason names host:port and the server's answer."""
    fake_api.fail_next(status)
    prepared = prepare(load_suite(fault_suite(tmp_path, [f"n{i}" for i in range(20)])))
    runner = Runner(store, prepared, model_for(family, fake_api), RunOptions(concurrency=1))
    run_id = await runner.run()
    assert store.get_run(run_id).status == "failed"
    assert fake_api.stats["requests"] == 1 and list(store.iter_results(run_id)) == []
    reason = runner.stop_reason or ""
    assert f"127.0.0.1:{fake_api.port} refused the request" in reason and f"HTTP {status}" in reason


async def test_every_case_times_out_yet_the_run_finishes(
    fake_api: FakeApi, store: Store, tmp_path: Path
) -> None:
    """A server that accepts and never answers: the run still ends (completed, all errors)."""
    names = [f"n{i}" for i in range(6)]
    for name in names:
        fake_api.fail_when(f"case-{name}", "hang", "hang")
    prepared = prepare(load_suite(fault_suite(tmp_path, names)))
    model = model_for("openai", fake_api, max_retries=1, timeout_s=0.3)
    run_id = await asyncio.wait_for(Runner(store, prepared, model, RunOptions(concurrency=6)).run(), 60)
    run = store.get_run(run_id)
    assert (run.status, run.errors, run.done) == ("completed", 6, 6)
    assert {r.attempts for r in store.iter_results(run_id)} == {2}
