"""`--only-failing` asks exactly the cases that failed or errored (counted at a loopback server),
`rescore` asks nothing and scores the stored outputs with the suite's current scorers."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fake_api import FakeApi


def suite(tmp_path: Path, base_url: str, expected: dict[str, str]) -> Path:
    """Six cases "Q: case-i" answered "CASE-I" by the fake API; `expected` overrides some."""
    cases = "".join(
        f"  - {{id: c{i}, input: 'case-{i}', expected: '{expected.get(f'c{i}', f'CASE-{i}')}'}}\n"
        for i in range(6)
    )
    path = tmp_path / "api.yaml"
    path.write_text(
        "name: api-suite\nprompt: 'Q: {{ input }}'\nmodels:\n  - id: fake\n    provider: openai\n"
        f"    model: fake\n    base_url: {base_url}\n    api_key_env: CRASH_KEY\n    max_retries: 0\n"
        f"scorers:\n  - type: equals\ncases:\n{cases}",
        encoding="utf-8",
    )
    return path


def runs(cli) -> list[dict]:
    return json.loads(cli("runs", "--json").stdout)


def test_only_failing_asks_exactly_the_failed_and_errored_cases(cli, tmp_path, fake_api: FakeApi):
    env = {"CRASH_KEY": "k"}
    path = suite(tmp_path, fake_api.base_url, {"c1": "wrong", "c4": "wrong"})
    fake_api.fail_when("case-2", "400")
    first = cli("run", str(path), "-q", "--no-cache", extra_env=env)
    assert first.returncode == 0, first.stderr
    assert sum(fake_api.requests.values()) == 6
    fake_api.requests.clear()
    path = suite(tmp_path, fake_api.base_url, {"c4": "wrong"})  # c1's expected value fixed
    done = cli("run", "--only-failing", runs(cli)[0]["id"], "-q", "--no-cache", extra_env=env)
    assert done.returncode == 0, done.stderr
    assert sorted(fake_api.requests) == ["Q: case-1", "Q: case-2", "Q: case-4"]
    assert sum(fake_api.requests.values()) == 3
    newest, original = runs(cli)[:2]
    assert (newest["total"], newest["passed"], newest["failed"]) == (3, 2, 1)
    assert newest["options"]["rerun_of"] == original["id"]
    assert newest["model_id"] == "fake"


def test_rescore_asks_no_model_and_scores_stored_outputs_with_current_scorers(cli, tmp_path, fake_api):
    env = {"CRASH_KEY": "k"}
    path = suite(tmp_path, fake_api.base_url, {"c1": "wrong", "c4": "CASE-4 "})
    fake_api.fail_when("case-2", "400")
    assert cli("run", str(path), "-q", "--no-cache", extra_env=env).returncode == 0
    original = runs(cli)[0]
    assert (original["passed"], original["failed"], original["errors"]) == (3, 2, 1)
    fake_api.requests.clear()
    text = path.read_text(encoding="utf-8").replace("- type: equals", "- {type: equals, normalize: [strip]}")
    path.write_text(text, encoding="utf-8")  # a scorer fix: c4's trailing space no longer counts
    done = cli("rescore", original["id"], "-q", extra_env={})  # no key needed: nothing is asked
    assert done.returncode == 0, done.stderr
    assert sum(fake_api.requests.values()) == 0
    rescored = runs(cli)[0]
    assert rescored["label"] == f"rescore of {original['id']}"
    assert rescored["options"]["rescore_of"] == original["id"]
    assert rescored["model_id"] == "fake"
    assert (rescored["passed"], rescored["failed"], rescored["errors"]) == (4, 1, 1)
    assert rescored["cost_usd"] == 0
    shown = json.loads(cli("show", rescored["id"], "--json").stdout)
    errored = [f for f in shown["failures"] if f["status"] == "error"]
    assert [f["case_id"] for f in errored] == ["c2"] and "no recorded output" in errored[0]["error"]


def test_only_failing_of_a_run_with_nothing_failing_says_so(cli, tmp_path, fake_api):
    path = suite(tmp_path, fake_api.base_url, {})
    assert cli("run", str(path), "-q", extra_env={"CRASH_KEY": "k"}).returncode == 0
    done = cli("run", "--only-failing", "latest", "-q", extra_env={"CRASH_KEY": "k"})
    assert done.returncode == 2 and "no failed or errored case" in done.stderr
