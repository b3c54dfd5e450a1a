"""`evaltui run --max-cost USD` (or a suite's `max_cost_usd`) stops a run when what it spent reaches
the ceiling: the run ends `stopped`, exit 4, the reason on stderr and kept with the run, and
`--resume` finishes it."""

from __future__ import annotations

import json
from pathlib import Path

from fake_api import FakeApi

PRICED = "    price: {input_per_mtok: 1000000, output_per_mtok: 1000000}\n"  # $3 a case here


def priced(suite: Path, extra: str = "") -> Path:
    text = suite.read_text().replace("api_key_env: CRASH_KEY\n", "api_key_env: CRASH_KEY\n" + PRICED)
    suite.write_text(extra + text)
    return suite


def test_max_cost_stops_the_run_with_exit_4_and_resume_finishes_it(cli, api_suite, fake_api: FakeApi) -> None:
    suite = priced(api_suite(fake_api.base_url, n=40))
    key = {"CRASH_KEY": "sk-test"}
    done = cli("run", str(suite), "-c", "2", "-q", "--max-cost", "12", extra_env=key)
    assert done.returncode == 4, done.stderr
    run = json.loads(cli("runs", "--json").stdout)[0]
    assert run["status"] == "stopped" and 4 <= run["done"] < 40
    assert "reached the cost ceiling of $12" in run["stop_reason"]
    assert "reached the cost ceiling of $12" in done.stderr
    assert f"evaltui run --resume {run['id']}" in done.stderr
    assert "interrupted" not in done.stderr
    shown = " ".join(cli("show", run["id"]).stdout.split())
    assert "stopped: spent $" in shown and "reached the cost ceiling of $12" in shown
    assert f"evaltui run --resume {run['id']}" in shown
    assert " over all 40 planned" in shown  # the rate over every case of the run, most never asked
    assert json.loads(cli("show", run["id"], "--json").stdout)["run"]["status"] == "stopped"
    listed = cli("runs", "--status", "stopped", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [r["id"] for r in json.loads(listed.stdout)] == [run["id"]]
    assert json.loads(cli("runs", "--status", "interrupted", "--json").stdout) == []

    resumed = cli("run", "--resume", run["id"], "-q", extra_env=key)
    assert resumed.returncode == 0, resumed.stderr
    run = json.loads(cli("runs", "--json").stdout)[0]
    assert (run["status"], run["done"], run["stop_reason"]) == ("completed", 40, None)


def test_a_suites_max_cost_usd_is_the_ceiling(cli, api_suite, fake_api: FakeApi) -> None:
    suite = priced(api_suite(fake_api.base_url, n=40), extra="max_cost_usd: 9\n")
    done = cli("run", str(suite), "-c", "1", "-q", extra_env={"CRASH_KEY": "sk-test"})
    assert done.returncode == 4, done.stderr
    assert "reached the cost ceiling of $9" in done.stderr


def test_the_summary_says_what_a_case_and_a_passed_case_cost(cli, api_suite, fake_api: FakeApi) -> None:
    fake_api.answer = lambda text: "CASE-0" if text.endswith("case-0") else "wrong"  # one pass in four
    done = cli(
        "run", str(priced(api_suite(fake_api.base_url, n=4))), "-q", extra_env={"CRASH_KEY": "sk-test"}
    )
    assert done.returncode == 0, done.stderr
    flat = " ".join(done.stdout.split())
    assert "$12.0000 spent ($3.0000 a case, $12.0000 a passed case)" in flat


def test_estimate_runs_nothing_and_says_which_figures_are_estimates(
    cli, api_suite, fake_api: FakeApi
) -> None:
    done = cli("run", str(priced(api_suite(fake_api.base_url, n=7))), "--estimate")
    assert done.returncode == 0, done.stderr
    assert fake_api.stats["requests"] == 0 and json.loads(cli("runs", "--json").stdout) == []
    flat = " ".join(done.stdout.split())
    assert "fake: tokens in estimate: characters / 4" in flat and "nothing was run" in flat


def test_a_run_whose_model_cannot_be_set_up_is_shown_failed_with_why(cli, tmp_path: Path) -> None:
    suite = tmp_path / "bad.yaml"
    suite.write_text(
        "name: tiny\nprompt: '{{ input }}'\n"
        "models:\n  - {id: bad, provider: python, model: 'nosuchmod_q:f'}\n"
        "scorers: [{type: equals}]\ncases:\n  - {id: a, input: hi, expected: hi}\n"
    )
    done = cli("run", str(suite), "-q")
    assert done.returncode == 2 and "cannot import 'nosuchmod_q'" in done.stderr
    shown = " ".join(cli("show", "latest").stdout.split())
    assert "failed: python model 'nosuchmod_q:f': cannot import 'nosuchmod_q'" in shown


def test_a_cost_ceiling_on_a_model_with_no_price_is_warned_about(cli, fake_api, tmp_path):
    """`--max-cost` counts an unknown cost as nothing: on a model with no price the run went to
    its end past any ceiling, and nothing said the ceiling could not hold."""
    suite = tmp_path / "s.yaml"
    suite.write_text(
        "name: s\nprompt: 'Q: {{ input }}'\nmodels:\n  - id: local\n    provider: openai\n"
        f"    model: m\n    base_url: {fake_api.base_url}\nscorers: [equals]\n"
        "cases: [{id: a, input: a, expected: A}]\n"
    )
    done = cli("run", str(suite), "-q", "--max-cost", "0.01")
    assert done.returncode == 0, done.stderr
    assert "local has no price" in done.stderr and "--max-cost" in done.stderr, done.stderr
    price = "    price: {input_per_mtok: 1, output_per_mtok: 1}\n"
    suite.write_text(suite.read_text().replace("    model: m\n", "    model: m\n" + price))
    assert "no price" not in cli("run", str(suite), "-q", "--max-cost", "0.01").stderr
