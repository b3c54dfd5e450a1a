"""The layer rules of DESIGN.md, enforced: the core never pulls in the TUI toolkit, and the pure
analysis layer imports nothing of evaltui's other layers."""

from __future__ import annotations

import subprocess
import sys

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


def loaded_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


@pytest.mark.parametrize("module", CORE)
def test_core_packages_do_not_import_textual(module: str) -> None:
    loaded = loaded_after_import(module)
    assert not {m for m in loaded if m == "textual" or m.startswith("textual.")}


def test_analysis_is_pure() -> None:
    code = (
        "import sys, evaltui.analysis.stats, evaltui.analysis.metrics, evaltui.analysis.diff, "
        "evaltui.analysis.pricing; print('\\n'.join(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    evaltui_modules = {m for m in out.split() if m.startswith("evaltui.")}
    assert all(m.startswith("evaltui.analysis") for m in evaltui_modules), evaltui_modules
    assert not {"pydantic", "sqlite_utils", "httpx", "rich"} & set(out.split())


@pytest.mark.parametrize(
    ("module", "not_loaded"),
    [
        # Commands that only read runs pay for neither the suite loader's YAML and Jinja2 nor HTTP.
        ("evaltui.store", {"yaml", "jinja2", "httpx", "aiohttp"}),
        ("evaltui.commands.compare", {"yaml", "jinja2", "httpx", "aiohttp"}),
        # Running needs HTTP, but aiohttp only from the first request and jsonschema only for a schema scorer.
        ("evaltui.commands.run", {"aiohttp", "jsonschema"}),
    ],
)
def test_commands_import_only_what_they_use(module: str, not_loaded: set[str]) -> None:
    assert not not_loaded & loaded_after_import(module)


def test_reports_do_not_import_the_commands_above_them() -> None:
    """DESIGN.md: nothing below commands/ imports commands/ (the reports once borrowed `why`)."""
    code = (
        "import sys, evaltui.reports.export, evaltui.reports.junit, evaltui.reports.markdown, "
        "evaltui.reports.comparison, evaltui.reports.shortdiff, evaltui.reports.verdicts; "
        "print('\\n'.join(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    above = ("evaltui.commands", "evaltui.cli", "evaltui.console")
    assert not {m for m in out.split() if m.startswith(above)}
