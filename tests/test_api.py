"""The Python API (`from evaltui import load_suite, run_suite, compare_runs`): real runs with the
offline demo models into a real database, read back the way the CLI reads them; the documented
pytest example run as written; and `import evaltui` staying cheap."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import evaltui
from evaltui.errors import SuiteError
from evaltui.store import Store

ROOT = Path(__file__).resolve().parents[1]
SUITE = """\
name: api-suite
prompt: "{{ input }}"
models: [demo:echo]
scorers: [{type: equals}]
cases:
  - {id: same, input: hello, expected: hello, tags: [greeting]}
  - {id: other, input: hello, expected: goodbye, tags: [greeting]}
  - {id: third, input: yes, expected: "yes"}
"""


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(SUITE)
    return path


def test_run_suite_returns_the_summary_of_a_stored_run(suite: Path, tmp_path: Path) -> None:
    db = tmp_path / "api.db"
    (summary,) = evaltui.run_suite(suite, db=db, label="api")
    assert (summary.model, summary.status, summary.suite) == ("demo:echo", "completed", "api-suite")
    assert (summary.passed, summary.failed, summary.errors, summary.total) == (2, 1, 0, 3)
    assert summary.pass_rate == pytest.approx(2 / 3)
    assert summary.rate.n == 3 and summary.rate.lo < 2 / 3 < summary.rate.hi
    (failure,) = summary.failures
    assert (failure.case_id, failure.status, failure.output, failure.expected) == (
        "other",
        "fail",
        "hello",
        "goodbye",
    )
    assert "goodbye" in failure.reason and summary.failures_total == 1
    with Store(db) as store:  # the same run the CLI would show
        assert store.resolve_run("label:api") == summary.run_id
        assert store.get_run(summary.run_id).passed == 2


def test_run_suite_takes_models_and_a_loaded_suite(suite: Path, tmp_path: Path) -> None:
    loaded = evaltui.load_suite(suite)
    summaries = evaltui.run_suite(loaded, models=["demo:echo", "demo:keyword"], db=tmp_path / "x.db", limit=2)
    assert [s.model for s in summaries] == ["demo:echo", "demo:keyword"]
    assert all(s.total == 2 for s in summaries)


def test_run_suite_runs_each_prompt_variant_on_each_model(tmp_path: Path) -> None:
    path = tmp_path / "variants.yaml"
    path.write_text(
        SUITE.replace(
            'prompt: "{{ input }}"\n',
            "prompts:\n  - {id: plain, prompt: '{{ input }}'}\n  - {id: loud, prompt: '{{ input }}!'}\n",
        )
    )
    summaries = evaltui.run_suite(path, db=tmp_path / "v.db")
    assert {s.model: s.passed for s in summaries} == {"demo:echo@plain": 2, "demo:echo@loud": 0}
    (only,) = evaltui.run_suite(path, db=tmp_path / "v.db", variants=["loud"])
    assert only.model == "demo:echo@loud"


def test_compare_runs_pairs_two_runs(suite: Path, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    (a,) = evaltui.run_suite(suite, db=db)
    (b,) = evaltui.run_suite(suite, models=["demo:keyword"], db=db)
    comparison = evaltui.compare_runs(a, b, db=db)
    assert comparison.run_a.id == a.run_id and comparison.run_b.id == b.run_id
    assert comparison.counts.paired == 3 and comparison.verdict
    same = evaltui.compare_runs(a.run_id, "latest", db=db)
    assert same.run_b.id == b.run_id


async def test_run_suite_works_where_an_event_loop_is_running(suite: Path, tmp_path: Path) -> None:
    """A notebook cell runs inside an event loop: run_suite must still finish its runs."""
    (summary,) = evaltui.run_suite(suite, db=tmp_path / "loop.db")
    assert summary.status == "completed" and summary.passed == 2
    await asyncio.sleep(0)


def test_a_broken_suite_is_a_suite_error_naming_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncases:\n  - {id: a, inptu: b}\n")
    with pytest.raises(SuiteError) as info:
        evaltui.run_suite(bad, models=["demo:echo"], db=tmp_path / "b.db")
    assert info.value.line == 3


def test_import_evaltui_loads_nothing_of_the_api() -> None:
    """The CLI imports the package for its version at every start: the API must wait until used
    (the version's own module, standard library only, is all it loads)."""
    code = (
        "import sys, evaltui\n"
        "print(sorted(m for m in sys.modules if m.startswith(('evaltui.', 'pydantic', 'yaml'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['evaltui.version']"


def test_the_documented_pytest_example_passes(tmp_path: Path) -> None:
    """docs/python-api.md's suite and test, written out as the page says and run by pytest."""
    page = (ROOT / "docs" / "python-api.md").read_text()
    suite_yaml = re.search(r"```yaml\n(.*?)```", page, re.DOTALL).group(1)
    test_code = re.search(r"```python\n(.*?)```", page, re.DOTALL).group(1)
    (tmp_path / "evals").mkdir()
    (tmp_path / "evals" / "smalltalk.yaml").write_text(suite_yaml)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_evals.py").write_text(test_code)
    env = {**os.environ, "EVALTUI_CONFIG": str(tmp_path / "cfg.yaml")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", "tests"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


@pytest.mark.parametrize(
    ("option", "said"),
    [
        ({"epochs": 0}, "epochs must be 1 to 1000, got 0"),
        ({"concurrency": 0}, "concurrency must be 1 to 4096, got 0"),
        ({"limit": 0}, "limit must be 1 or more, got 0"),
    ],
)
def test_run_suite_refuses_what_the_cli_refuses(suite: Path, tmp_path: Path, option: dict, said: str) -> None:  # type: ignore[type-arg]
    """`epochs=0` ran the suite's epochs and `limit=0` every case, saying nothing; `evaltui run`
    refuses both (exit 2). Nothing is run or stored."""
    with pytest.raises(evaltui.errors.EvaltuiError, match=said):
        evaltui.run_suite(suite, models=["demo:echo"], db=tmp_path / "r.db", **option)
    assert not (tmp_path / "r.db").exists() or Store(tmp_path / "r.db").count_runs() == 0
