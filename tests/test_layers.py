"""The layer rules of DESIGN.md, enforced. The import-linter contracts in pyproject.toml hold the
rules (`lint-imports` in .ci/run); here, that they hold and do catch a break, and what only a fresh
interpreter shows: the core never loads the TUI toolkit, and commands load only what they use."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CORE = [
    "evaltui.suites",
    "evaltui.providers",
    "evaltui.scorers",
    "evaltui.engine",
    "evaltui.store",
    "evaltui.analysis",
    "evaltui.cli",
]


NOT_AT_A_RUNS_START = {
    "rich", "regex", "jinja2", "textual", "evaltui.console", "evaltui.reports", "evaltui.scorers.text",
    "evaltui.scorers.pattern", "evaltui.scorers.code_exec", "evaltui.scorers.sandbox",
    "evaltui.scorers.judge", "evaltui.scorers.custom", "evaltui.scorers.structured",
    "evaltui.scorers.tools",
}  # fmt: skip


def loaded_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


@pytest.mark.parametrize("module", CORE)
def test_core_packages_do_not_import_textual(module: str) -> None:
    loaded = loaded_after_import(module)
    assert not {m for m in loaded if m == "textual" or m.startswith("textual.")}


@pytest.mark.parametrize(
    ("module", "not_loaded"),
    [
        # Commands that only read runs pay for neither the suite loader's YAML and Jinja2 nor HTTP.
        ("evaltui.store", {"yaml", "jinja2", "httpx", "aiohttp"}),
        ("evaltui.commands.compare", {"yaml", "jinja2", "httpx", "aiohttp"}),
        # Running needs HTTP, but aiohttp only from the first request and jsonschema only for a schema
        # scorer; the CI gate's modules only for a gate option, --json or several models.
        (
            "evaltui.commands.run",
            {"aiohttp", "jsonschema", "evaltui.commands.gate", "evaltui.reports.gating"},
        ),
        # A run's start-up: scorers are imported when a suite names them (the `regex` engine, the
        # code-exec sandbox, the judges), Jinja2 when a template is more than text and `{{ name }}`,
        # Rich when something is printed, the tables never.
        ("evaltui.commands.run", NOT_AT_A_RUNS_START),
        # `evaltui --version` and `--help` load the command line alone: no settings, suites or pydantic.
        (
            "evaltui.cli",
            {"pydantic", "yaml", "jinja2", "rich", "evaltui.config", "evaltui.suites.models"},
        ),
    ],
)
def test_commands_import_only_what_they_use(module: str, not_loaded: set[str]) -> None:
    assert not not_loaded & loaded_after_import(module)


ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(src: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` with the project's contracts, over the evaltui package found in `src`."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(src)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(ROOT / "pyproject.toml")],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


def test_the_layer_contracts_hold(tmp_path: Path) -> None:
    done = lint_imports(ROOT / "src", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_layer_break_fails_the_contracts(tmp_path: Path) -> None:
    """A report that borrows from a CLI command (as reports/export.py once borrowed `why`) is caught."""
    copy = tmp_path / "src" / "evaltui"
    shutil.copytree(ROOT / "src" / "evaltui", copy, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / "reports" / "markdown.py").open("a") as module:
        module.write("\nfrom evaltui.commands import show  # noqa\n")
    done = lint_imports(tmp_path / "src", tmp_path)
    assert done.returncode == 1
    assert "evaltui.reports is not allowed to import evaltui.commands" in done.stdout
