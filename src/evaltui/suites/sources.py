"""`load_suite(path)` for every suite file evaltui runs: its own YAML, or a promptfoo config read
through the importer (so `evaltui run promptfooconfig.yaml` and `validate` work on it directly).
The importer is loaded only for a promptfoo config: a run of an evaltui suite does without it."""

from __future__ import annotations

import re
from pathlib import Path

from evaltui.suites import loader
from evaltui.suites.models import Suite


def load_suite(path: str | Path, *, render: bool = False) -> Suite:
    """The suite in `path`; SuiteError naming file, line and field on the first problem.
    `render`: see `loader.load_suite` (a run renders every case before it asks anything)."""
    path = Path(path)
    if path.suffix in (".yaml", ".yml") and path.is_file() and looks_like_promptfoo(path):
        from evaltui.suites.importers.promptfoo import import_promptfoo

        return import_promptfoo(path).suite
    return loader.load_suite(path, render=render)


_TOP_KEY = re.compile(r"^([A-Za-z_]\w*)\s*:", re.MULTILINE)


def looks_like_promptfoo(path: Path) -> bool:
    """A promptfoo config, as opposed to an evaltui suite: its top-level keys say so."""
    if path.name.startswith("promptfooconfig"):
        return True
    try:
        head = path.read_bytes()[:1_000_000].decode("utf-8", "replace")
    except OSError:
        return False
    keys = set(_TOP_KEY.findall(head))
    return "prompts" in keys and "cases" not in keys and "name" not in keys
