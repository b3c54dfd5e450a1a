"""Suites from other tools: `import_suite(kind, path, **options) -> Imported`.

One module per kind, each a function `(path, **options) -> Imported`, loaded only when asked for.
To add a kind, add a line to `KINDS`; `evaltui import` lists them from here.

    promptfoo      a promptfooconfig.yaml (prompt=N picks one of several prompts)
    openai-evals   an OpenAI evals registry samples JSONL (eval_class=match|includes|fuzzy-match)
    inspect        an Inspect AI dataset, JSONL or CSV (input, target, id, metadata, choices)
    jsonl, csv     any table, with input=, expected=, id= naming its columns
    logs           OpenAI-style request/response logs, for the `recorded` model
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from evaltui.suites.importers.base import Imported

# kind -> (module in this package, function): the function takes the path and keyword options.
KINDS: dict[str, tuple[str, str]] = {
    "promptfoo": ("promptfoo", "import_promptfoo"),
    "openai-evals": ("openai_evals", "import_openai_evals"),
    "inspect": ("inspect_ai", "import_inspect"),
    "jsonl": ("table", "import_table"),
    "csv": ("table", "import_table"),
    "logs": ("logs", "import_logs"),
}


def import_suite(kind: str, path: str | Path, **options: Any) -> Imported:
    """The suite in `path`, read as `kind` (a key of KINDS); SuiteError naming file and line."""
    module, function = KINDS[kind]
    found = getattr(importlib.import_module(f"evaltui.suites.importers.{module}"), function)
    return found(Path(path), **options)


def import_promptfoo(path: str | Path, **options: Any) -> Any:
    """A promptfoo config's Suite (kept for callers of the first importer)."""
    return import_suite("promptfoo", path, **options).suite


__all__ = ["KINDS", "Imported", "import_promptfoo", "import_suite"]
