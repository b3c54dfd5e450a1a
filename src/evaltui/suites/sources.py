"""`load_suite(path)` for every suite file evaltui runs: its own YAML, or a promptfoo config read
through the importer (so `evaltui run promptfooconfig.yaml` and `validate` work on it directly)."""

from __future__ import annotations

from pathlib import Path

from evaltui.suites import loader
from evaltui.suites.importers.promptfoo import import_promptfoo, looks_like_promptfoo
from evaltui.suites.models import Suite


def load_suite(path: str | Path, *, render: bool = False) -> Suite:
    """The suite in `path`; SuiteError naming file, line and field on the first problem.
    `render`: see `loader.load_suite` (a run renders every case before it asks anything)."""
    path = Path(path)
    if path.suffix in (".yaml", ".yml") and path.is_file() and looks_like_promptfoo(path):
        return import_promptfoo(path).suite
    return loader.load_suite(path, render=render)
