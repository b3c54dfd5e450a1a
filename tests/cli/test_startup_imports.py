"""What `evaltui run` loads, in a fresh interpreter as a user starts it: the modules of what the
suite uses, not every scorer, the TUI or the reports. Each module is start-up time of every run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

LOADED_AT_EXIT = """
import atexit, sys
from evaltui.cli import main
listing = sys.argv.pop(1)
atexit.register(lambda: open(listing, "w").write("\\n".join(sorted(sys.modules))))
sys.argv[0] = "evaltui"
main()
"""


def modules_of_a_run(tmp_path: Path, *args: str, env: dict[str, str]) -> set[str]:
    listing = tmp_path / "modules.txt"
    done = subprocess.run(
        [sys.executable, "-c", LOADED_AT_EXIT, str(listing), "run", *args, "--db", str(tmp_path / "r.db")],
        capture_output=True,
        text=True,
        env={**os.environ, "EVALTUI_CONFIG": str(tmp_path / "cfg.yaml"), **env},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return set(listing.read_text().split())


def test_a_plain_prompt_scored_by_equals_loads_no_other_scorer_nor_jinja2(fake_api, api_suite, tmp_path):
    suite = api_suite(fake_api.base_url, n=20)
    loaded = modules_of_a_run(tmp_path, str(suite), "-q", env={"CRASH_KEY": "sk-test"})
    assert "evaltui.scorers.text" in loaded and len(fake_api.requests) == 20
    never = {
        "regex", "jinja2", "textual", "evaltui.tui", "evaltui.scorers.pattern",
        "evaltui.scorers.code_exec", "evaltui.scorers.sandbox", "evaltui.scorers.judge",
        "evaltui.scorers.custom", "evaltui.scorers.structured", "evaltui.scorers.tools",
        "evaltui.suites.importers.promptfoo", "importlib.metadata", "evaltui.engine.agent",
        "evaltui.providers.python",
    }  # fmt: skip
    assert not never & loaded


def test_a_run_with_a_regex_scorer_and_a_jinja2_prompt_loads_both(fake_api, tmp_path):
    (tmp_path / "s.yaml").write_text(
        "name: r\nprompt: 'Q: {{ input | upper }}'\nmodels:\n  - {id: fake, provider: openai, model: fake, "
        f"base_url: '{fake_api.base_url}', api_key_env: CRASH_KEY}}\n"
        "scorers:\n  - {type: regex, pattern: '^A'}\ncases:\n  - {id: a, input: a}\n"
    )
    loaded = modules_of_a_run(tmp_path, str(tmp_path / "s.yaml"), "-q", env={"CRASH_KEY": "sk-test"})
    assert {"regex", "evaltui.scorers.pattern", "jinja2"} <= loaded


def test_the_run_paths_models_are_built_without_the_tokenizer():
    """A builtin (`dict`, `list`) as a pydantic field's default factory has its signature parsed by
    the tokenizer when the model is built (its patterns compiled first): the run's models use
    Python functions instead."""
    code = (
        "import tokenize\n"
        "import evaltui.suites.models, evaltui.config, evaltui.scorers.text, evaltui.scorers.pattern\n"
        "print(tokenize._compile.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "0"


def test_a_run_that_prints_only_its_events_never_loads_rich(fake_api, api_suite, tmp_path):
    """`--events -` puts the events on standard output and no summary: nothing is drawn, so
    nothing of Rich (nor the summary's modules) is loaded after the last answer either."""
    suite = api_suite(fake_api.base_url, n=20)
    loaded = modules_of_a_run(tmp_path, str(suite), "-q", "--events", "-", env={"CRASH_KEY": "sk-test"})
    assert len(fake_api.requests) == 20
    assert not {"rich", "evaltui.commands.show", "evaltui.reports.overview"} & loaded


def test_an_estimate_asks_no_model_and_does_not_load_the_http_client(fake_api, api_suite, tmp_path):
    """A run of remote models imports the HTTP client and its event loop on a thread of their own
    from its start, so they are there by the first request; `--estimate` sends nothing and runs no
    loop, so it never loads them."""
    suite = api_suite(fake_api.base_url, n=5)
    run = modules_of_a_run(tmp_path, str(suite), "-q", env={"CRASH_KEY": "sk-test"})
    estimate = modules_of_a_run(tmp_path, str(suite), "--estimate", env={"CRASH_KEY": "sk-test"})
    assert {"aiohttp", "uvloop"} <= run and len(fake_api.requests) == 5
    assert not {"aiohttp", "uvloop"} & estimate
