"""`evaltui import` end to end, and the round trip a user makes: another tool's suite, imported,
run (against the loopback fake API or an offline demo model), then exported."""

from __future__ import annotations

import json
from pathlib import Path

from fake_api import FakeApi

CONFIG = """\
description: Capitals
prompts:
  - "Q: {{{{ input }}}}"
providers:
  - id: openai:chat:fake-model
    config:
      apiBaseUrl: {base_url}
      apiKey: sk-in-the-config-0000
tests:
  - vars: {{input: paris}}
    assert:
      - type: equals
        value: PARIS
  - vars: {{input: rome}}
    assert:
      - type: icontains
        value: rome
  - vars: {{input: berlin}}
    assert:
      - type: equals
        value: BERLIN!
"""


def statuses(cli, run: str = "latest") -> dict[str, str]:
    done = cli("export", run, "--format", "json")
    assert done.returncode == 0, done.stderr
    return {r["input"]: r["status"] for r in json.loads(done.stdout)["results"]}


def test_promptfoo_config_imported_run_and_exported(cli, tmp_path: Path, fake_api: FakeApi) -> None:
    config = tmp_path / "promptfooconfig.yaml"
    config.write_text(CONFIG.format(base_url=fake_api.base_url))
    done = cli("import", "promptfoo", str(config), "-o", "suite.yaml")
    assert done.returncode == 0, done.stderr
    assert "3 cases" in done.stderr and "set OPENAI_API_KEY" in done.stderr
    written = (tmp_path / "suite.yaml").read_text()
    assert "sk-in-the-config" not in written and "api_key_env: OPENAI_API_KEY" in written
    assert "# from " in written and "promptfooconfig.yaml:10" in written

    env = {"OPENAI_API_KEY": "test-key"}
    ran = cli("run", "suite.yaml", "-q", extra_env=env)
    assert ran.returncode == 0, ran.stderr
    assert statuses(cli) == {"paris": "pass", "rome": "pass", "berlin": "fail"}
    # the config itself runs too, with the same verdicts
    ran = cli("run", "promptfooconfig.yaml", "-q", extra_env=env)
    assert ran.returncode == 0, ran.stderr
    assert statuses(cli) == {"paris": "pass", "rome": "pass", "berlin": "fail"}
    assert cli("validate", "promptfooconfig.yaml").returncode == 0


def test_a_promptfoo_config_with_two_prompts_runs_each_on_every_provider(
    cli, tmp_path: Path, fake_api: FakeApi
) -> None:
    config = tmp_path / "promptfooconfig.yaml"
    text = CONFIG.format(base_url=fake_api.base_url)
    config.write_text(
        text.replace(
            '  - "Q: {{ input }}"\n', '  - "Q: {{ input }}"\n  - {raw: "Q: {{ input }}!", label: loud}\n'
        )
    )
    ran = cli("run", "promptfooconfig.yaml", "-q", extra_env={"OPENAI_API_KEY": "test-key"})
    assert ran.returncode == 0, ran.stderr
    runs = json.loads(cli("runs", "--json").stdout)
    assert sorted(r["model_id"] for r in runs) == ["openai:fake-model@loud", "openai:fake-model@prompt-1"]
    loud = next(r["id"] for r in runs if r["model_id"].endswith("@loud"))
    assert statuses(cli, loud) == {"paris": "fail", "rome": "pass", "berlin": "pass"}  # PARIS!, BERLIN!


def test_openai_evals_samples_round_trip_to_an_html_report(cli, tmp_path: Path) -> None:
    samples = tmp_path / "samples.jsonl"
    samples.write_text(
        '{"input": "Paris is the capital of France", "ideal": "Paris"}\n'
        '{"input": "Madrid, I think", "ideal": ["Rome", "Roma"]}\n'
    )
    assert cli("import", "openai-evals", str(samples), "-o", "caps.yaml").returncode == 0
    ran = cli("run", "caps.yaml", "-m", "demo:echo", "-q")
    assert ran.returncode == 0, ran.stderr
    assert statuses(cli) == {"Paris is the capital of France": "pass", "Madrid, I think": "fail"}
    assert cli("export", "latest", "--format", "html", "-o", "caps.html").returncode == 0
    report = (tmp_path / "caps.html").read_text()
    assert "Madrid, I think" in report and "Cases not passed (1 of 1 shown)" in report


def test_import_options_that_do_not_apply_are_refused(cli, tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("input,answer\nhi,hello\n")
    done = cli("import", "csv", str(table), "--prompt", "2")
    assert done.returncode == 2 and "--prompt does not apply to csv imports" in done.stderr
    done = cli("import", "csv", str(table), "--expected", "answer")
    assert done.returncode == 0 and "expected: hello" in done.stdout


def test_an_unimportable_assertion_names_file_and_line(cli, tmp_path: Path) -> None:
    config = tmp_path / "promptfooconfig.yaml"
    config.write_text(
        "prompts: ['{{ input }}']\ntests:\n  - vars: {input: a}\n    assert:\n"
        "      - type: javascript\n        value: output.length > 3\n"
    )
    done = cli("import", "promptfoo", str(config), "-o", "s.yaml")
    assert done.returncode == 2 and not (tmp_path / "s.yaml").exists()
    assert "promptfooconfig.yaml:5" in done.stderr and "runs no JavaScript" in done.stderr


def test_a_promptfoo_config_whose_tests_have_no_input_var_imports_and_runs(cli, tmp_path: Path) -> None:
    """Most promptfoo configs name their own variables (`{{text}}`), not `input`: the suite is
    written, loads back, and runs (the import said 'does not load back (a bug in the importer)')."""
    (tmp_path / "promptfooconfig.yaml").write_text(
        'prompts: ["Translate: {{text}}"]\nproviders: [openai:gpt-4o-mini]\ntests:\n'
        "  - vars: {text: hello}\n    assert: [{type: icontains, value: hello}]\n"
        "  - vars: {text: cat}\n    assert: [{type: equals, value: chat}]\n",
        encoding="utf-8",
    )
    done = cli("import", "promptfoo", "promptfooconfig.yaml", "-o", "suite.yaml")
    assert done.returncode == 0, done.stderr
    ran = cli("run", "suite.yaml", "-m", "demo:echo", "-q")
    assert ran.returncode == 0, ran.stderr
    assert json.loads(cli("runs", "--json").stdout)[0]["done"] == 2
