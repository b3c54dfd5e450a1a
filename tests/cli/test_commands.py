"""The headless commands as a user runs them: exit codes, output, JSON, errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from evaltui.store import Store

SAMPLES = Path(__file__).resolve().parents[2] / "sample_suites"


def test_run_sample_suite_offline_with_its_default_models(cli):
    done = cli("run", str(SAMPLES / "support_intent.yaml"), "-c", "16")
    assert done.returncode == 0, done.stderr
    assert "demo:keyword" in done.stdout and "demo:rules" in done.stdout
    assert "pass rate" in done.stdout and "Traceback" not in done.stderr
    runs = json.loads(cli("runs", "--json").stdout)
    assert {r["model_id"] for r in runs} == {"demo:keyword", "demo:rules"}
    assert all(r["status"] == "completed" and r["done"] == r["total"] > 0 for r in runs)


def test_runs_lists_each_run_s_status_in_the_word_json_and_the_tui_use(cli):
    """`evaltui runs` says `completed` as `runs --json`, `show` and the TUI's Runs screen do (it
    once said `done`, a word no other view and no stored status uses)."""
    assert cli("run", "support_intent.yaml", "-m", "demo:keyword", "--limit", "3", "-q").returncode == 0
    status = json.loads(cli("runs", "--json").stdout)[0]["status"]
    assert status == "completed"
    listed = cli("runs", extra_env={"COLUMNS": "200"})
    assert listed.returncode == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if "demo:keyword" in line)
    assert row.split()[1] == status, listed.stdout


def test_a_packaged_sample_is_found_by_name_from_any_folder(cli):
    done = cli("run", "support_intent.yaml", "-m", "demo:keyword", "--limit", "5", "-q")
    assert done.returncode == 0, done.stderr
    assert json.loads(cli("runs", "--json").stdout)[0]["done"] == 5


def test_show_json_has_metrics_and_failures(cli):
    assert cli("run", str(SAMPLES / "support_intent.yaml"), "-m", "demo:rules", "-q").returncode == 0
    shown = cli("show", "latest", "--json")
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    metrics = data["metrics"]
    assert metrics["rate"]["lo"] <= metrics["rate"]["pass_rate"] <= metrics["rate"]["hi"]
    assert metrics["latency_ms"]["p95"] >= metrics["latency_ms"]["p50"]
    assert data["failures_total"] == metrics["failed"] + metrics["errors"] > 0
    assert all(f["why"] for f in data["failures"])


def test_validate_passes_good_suites_and_names_file_line_field_for_a_broken_one(cli, tmp_path):
    ok = cli("validate", str(SAMPLES))
    assert ok.returncode == 0, ok.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\nprompt: 'Q: {{ input }}'\nscorers:\n  - type: equals\ncases:\n  - id: a\n    inptu: x\n"
    )
    broken = cli("validate", str(bad))
    assert broken.returncode == 2
    assert "bad.yaml:7" in broken.stderr and "inptu" in broken.stderr
    assert "Traceback" not in broken.stderr


def test_unknown_scorer_is_a_suite_error_before_any_model_is_asked(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\nprompt: 'Q: {{ input }}'\nmodels: [demo:echo]\nscorers:\n  - type: equalz\n"
        "cases:\n  - {id: a, input: x}\n"
    )
    done = cli("run", str(bad))
    assert done.returncode == 2
    assert "bad.yaml:5" in done.stderr and "equalz" in done.stderr
    assert cli("runs", "--json").stdout.strip() in ("", "[]")


def test_missing_suite_and_unknown_run_are_usage_errors_without_traceback(cli):
    missing = cli("run", "no/such/suite.yaml")
    assert missing.returncode == 2 and "no such suite" in missing.stderr and "Traceback" not in missing.stderr
    unknown = cli("show", "nonexistent-run")
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr


def test_events_stream_is_json_lines_ending_with_run_finished(cli):
    done = cli(
        "run", str(SAMPLES / "support_intent.yaml"), "-m", "demo:keyword", "--limit", "7", "--events", "-"
    )
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert events[0]["event"] == "RunStarted" and events[-1]["event"] == "RunFinished"
    assert sum(e["event"] == "CaseFinished" for e in events) == 7


def test_prices_from_the_user_config_give_a_known_cost(cli, tmp_path):
    (tmp_path / "cfg.yaml").write_text(
        "prices:\n  'demo:':\n    input_per_mtok: 1000\n    output_per_mtok: 2000\n"
    )
    done = cli("run", str(SAMPLES / "support_intent.yaml"), "-m", "demo:keyword", "--limit", "10", "-q")
    assert done.returncode == 0, done.stderr
    run = json.loads(cli("runs", "--json").stdout)[0]
    metrics = json.loads(cli("show", run["id"], "--json").stdout)["metrics"]
    expected = (metrics["tokens_in"] * 1000 + metrics["tokens_out"] * 2000) / 1_000_000
    assert abs(run["cost_usd"] - metrics["cost_usd"]) < 1e-9
    assert abs(run["cost_usd"] - expected) < 1e-9 and expected > 0


def test_without_a_price_the_cost_is_unknown_not_zero(cli):
    assert (
        cli(
            "run", str(SAMPLES / "support_intent.yaml"), "-m", "demo:keyword", "--limit", "3", "-q"
        ).returncode
        == 0
    )
    run = json.loads(cli("runs", "--json").stdout)[0]
    assert run["cost_usd"] is None
    assert "$0" not in cli("runs").stdout


def test_config_prints_paths_and_values_as_written_not_python_reprs(cli, tmp_path):
    (tmp_path / "cfg.yaml").write_text("suite_dirs: [evals/a]\nkeymap: {app.runs: u}\n")
    done = cli("config")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert f"db_path = {tmp_path / 'cli.db'}  ($EVALTUI_DB)" in lines
    assert "theme = evaltui-dark  (default)" in lines
    assert f'suite_dirs = ["evals/a"]  ({tmp_path / "cfg.yaml"})' in lines
    assert f'keymap = {{"app.runs": "u"}}  ({tmp_path / "cfg.yaml"})' in lines
    assert "concurrency = 16  (default)" in lines
    assert "PosixPath" not in done.stdout and "'" not in done.stdout


LONG_NAMES_SUITE = """name: customer-support-intent-classification-v2
prompt: "{{ input }}"
models:
  - {id: local-qwen2.5-7b-instruct-q4, provider: demo, model: echo, params: {latency_ms: 0}}
scorers: [{type: equals}]
cases:
  - {id: one, input: "a", expected: "a"}
"""


def test_runs_table_at_80_columns_never_splits_a_word(cli, tmp_path):
    (tmp_path / "long.yaml").write_text(LONG_NAMES_SUITE)
    assert cli("run", "long.yaml", "-q", "--label", "nightly-baseline-candidate").returncode == 0
    done = cli("runs", extra_env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    words = ["customer-support-intent-classification-v2", "·", "local-qwen2.5-7b-instruct-q4"]
    words.append("[nightly-baseline-candidate]")
    for token in done.stdout.split():
        if any(token.rstrip("…") in word for word in words):  # a piece of a name: whole, or cut with …
            assert token in words or (token.endswith("…") and any(w.startswith(token[:-1]) for w in words)), (
                done.stdout
            )


def test_a_failing_case_with_no_expected_value_shows_none_not_null(cli, tmp_path):
    """A case scored by `contains` has no expected value: the failing cases table says "–" (it
    said "null", JSON's word, as if the case expected that)."""
    suite = tmp_path / "s.yaml"
    suite.write_text(
        "name: s\nprompt: '{{ input }}'\nmodels: [demo:echo]\nscorers: [{type: contains, value: zzz}]\n"
        "cases:\n  - {id: a, input: hello}\n",
        encoding="utf-8",
    )
    assert cli("run", str(suite), "-q").returncode == 0
    shown = cli("show", "latest", extra_env={"COLUMNS": "120"})
    row = next(line for line in shown.stdout.splitlines() if line.startswith(" a "))
    assert "null" not in row and row.split()[2] == "–", shown.stdout


def test_a_case_no_scorer_judges_is_an_error_never_a_pass(cli, tmp_path):
    """A suite without `scorers:` (and a case without its own) judged nothing: such a case is an
    `error` saying what to add, not a pass (it passed, with `expected: y` and the output "x")."""
    suite = tmp_path / "s.yaml"
    suite.write_text(
        "name: s\nprompt: '{{ input }}'\nmodels: [demo:echo]\n"
        "cases:\n  - {id: a, input: x, expected: y}\n  - {id: b, input: x, expected: z, scorers: [equals]}\n",
        encoding="utf-8",
    )
    done = cli("run", str(suite), "-q", "--fail-under", "0.5")
    assert done.returncode == 1, done.stdout + done.stderr
    exported = json.loads(cli("export", "latest", "--format", "json").stdout)
    results = {r["case_id"]: r for r in exported["results"]}
    assert results["a"]["status"] == "error" and "scorers:" in results["a"]["error"]
    assert results["b"]["status"] == "fail"


def test_a_bad_config_file_is_said_as_file_line_field(cli, tmp_path):
    """The user's config file is input like a suite: a bad setting names its line and field in one
    line, not pydantic's dump with its documentation links, nor the YAML parser's caret drawing."""
    config = tmp_path / "cfg.yaml"
    config.write_text("theme: evaltui-dusk\nconcurrency: -3\n", encoding="utf-8")
    done = cli("config")
    assert done.returncode == 2
    said = "cfg.yaml:2: concurrency: input should be greater than or equal to 1 (got int)"
    assert done.stderr.strip().endswith(said), done.stderr
    config.write_text("theme: evaltui-dusk\nbogus: 1\n", encoding="utf-8")
    done = cli("config")
    assert "cfg.yaml:2: bogus: unknown key; expected one of: db_path, theme" in done.stderr
    assert "pydantic" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    config.write_text("concurrency: [\n", encoding="utf-8")
    done = cli("runs")
    assert done.returncode == 2 and "cfg.yaml:2: YAML syntax error" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_runs_that_match_no_filter_say_so_rather_than_no_runs_yet(cli):
    """`runs --suite typo` when runs exist: "No runs match", naming the filter; "No runs yet"
    (and a first command to try) only when the database holds none."""
    assert "No runs yet" in cli("runs").stderr
    assert cli("run", "support_intent.yaml", "-m", "demo:keyword", "--limit", "2", "-q").returncode == 0
    said = cli("runs", "--suite", "support-intnet").stderr
    assert "No runs yet" not in said and "No runs match" in said and "support-intnet" in said


def test_trends_of_a_suite_with_no_runs_says_only_that(cli, tmp_path):
    Store(tmp_path / "cli.db").close()  # a database, with no run of the suite
    done = cli("trends", "no-such-suite")
    assert done.returncode == 0 and "No completed runs of suite no-such-suite" in done.stdout
    assert "flips" not in done.stdout and "kept its verdict" not in done.stdout, done.stdout


def test_reading_commands_create_no_database_where_there_is_none(cli, tmp_path):
    """A reading command pointed at a database that is not there (a `--db` typo, a new machine)
    says so and leaves the disk as it was: it made the folder and an empty database, then said
    'No runs yet', as if the runs had gone."""
    missing = tmp_path / "typo" / "results.db"
    listed = cli("runs", "--db", str(missing))
    assert listed.returncode == 0 and "No runs yet" in listed.stderr and str(missing) in listed.stderr
    for args in (["show", "latest"], ["export", "latest"], ["compare", "latest", "previous"]):
        done = cli(*args, "--db", str(missing))
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert f"{missing}: no results database here" in done.stderr, (args, done.stderr)
    done = cli("trends", "support-intent", "--db", str(missing))
    assert done.returncode == 2 and "no results database here" in done.stderr, done.stderr
    assert not missing.parent.exists()


def test_runs_at_80_columns_shows_each_suite_name_whole_and_keeps_the_cost(cli):
    """At 80 columns `evaltui runs` once cut `invoice-extraction` to `invoice-extr…`: the name is
    what a user looks for, so the status moves under the run id and p95 is left out instead."""
    for suite in ("invoice_extraction.yaml", "math_word_problems.yaml"):
        assert cli("run", suite, "-m", "demo:keyword", "--limit", "2", "-q").returncode == 0
    done = cli("runs", extra_env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    assert "invoice-extraction" in done.stdout.split(), done.stdout
    assert "math-word-problems" in done.stdout.split(), done.stdout
    assert "cost" in done.stdout and "completed" in done.stdout, done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) <= 80, done.stdout


def test_trends_of_a_mistyped_suite_or_model_names_the_ones_that_have_runs(cli):
    """`trends support-intnet` and `trends support-intent --model typo` said only "No completed
    runs of suite support-intent", which for the second is untrue of the suite: the message names
    the model asked for and the names that would have drawn something."""
    assert cli("run", "support_intent.yaml", "--limit", "2", "-q").returncode == 0
    suite = cli("trends", "support-intnet", extra_env={"COLUMNS": "200"})
    assert suite.returncode == 0, suite.stderr
    assert "support-intnet" in suite.stdout and "suites with runs: support-intent" in suite.stdout
    model = cli("trends", "support-intent", "--model", "demo:keywrd", extra_env={"COLUMNS": "200"})
    assert model.returncode == 0, model.stderr
    said = model.stdout
    assert "by model demo:keywrd" in said and "its models: demo:keyword, demo:rules" in said, said


def test_a_bad_model_spec_on_the_command_line_names_the_spec_not_a_suite(cli):
    """`-m nosuch:model` said `<suite>: unknown provider 'nosuch'`, as if a suite file held it."""
    done = cli("run", "support_intent.yaml", "-m", "nosuch:model", "-q")
    assert done.returncode == 2
    assert done.stderr.startswith("evaltui: model 'nosuch:model': unknown provider 'nosuch'"), done.stderr
    assert "<suite>" not in done.stderr
    done = cli("run", "support_intent.yaml", "-m", "openai", "-q")
    assert done.returncode == 2
    assert done.stderr.startswith("evaltui: model 'openai': write a model as"), done.stderr


def test_runs_at_80_columns_gives_the_suite_column_the_room_it_measured(cli):
    """The fitting measured the other columns and the suite's name but not the gap the suite
    column itself adds: `support-intent` beside a `100.0% [43%–100%]` rate came out `support-int…`."""
    assert cli("run", "support_intent.yaml", "-m", "demo:keyword", "--limit", "3", "-q").returncode == 0
    done = cli("runs", extra_env={"COLUMNS": "80"})
    assert "support-intent" in done.stdout.split(), done.stdout


def test_two_outputs_to_one_place_are_refused_before_anything_runs(cli, tmp_path):
    """`--events - --json -` wrote event lines and then a pretty JSON document to one stream, which
    no JSON reader takes; two options naming one file kept only the last writer's."""
    both = cli(
        "run", "support_intent.yaml", "-m", "demo:keyword", "--limit", "2", "--events", "-", "--json", "-"
    )
    assert both.returncode == 2 and "--json and --events both write to standard output" in both.stderr, (
        both.stderr
    )
    same = cli(
        "run",
        "support_intent.yaml",
        "-m",
        "demo:keyword",
        "--limit",
        "2",
        "--json",
        "o.txt",
        "--report",
        "o.txt",
    )
    assert same.returncode == 2 and "--report and --json both write to o.txt" in same.stderr, same.stderr
    assert "No runs yet" in cli("runs").stderr  # nothing ran
