"""`evaltui import KIND PATH -o suite.yaml`: another tool's suite or dataset as an evaltui suite file.

The file is written only once it loads back as the suite that was imported (so the command never
reports a suite it cannot run), then the importer's notes are said: the environment variable a
dropped key must come from, the parts that map only approximately, what to add before a run.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console

from evaltui.errors import EvaltuiError
from evaltui.suites import load_suite
from evaltui.suites.importers import KINDS, import_suite
from evaltui.suites.importers.writer import suite_yaml

# The command-line options each kind takes (as the importer's keyword names).
OPTIONS: dict[str, tuple[str, ...]] = {
    "promptfoo": ("prompt",),
    "openai-evals": ("eval_class",),
    "jsonl": ("input", "expected", "id"),
    "csv": ("input", "expected", "id"),
}


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def import_command(kind: str, path: Path, output: str, given: dict[str, Any], err: Console) -> None:
    if kind not in KINDS:
        raise EvaltuiError(f"cannot import {kind!r}; kinds: {', '.join(KINDS)}")
    allowed = OPTIONS.get(kind, ())
    wrong = [_flag(name) for name, value in given.items() if value is not None and name not in allowed]
    if wrong:
        raise EvaltuiError(f"{', '.join(wrong)} does not apply to {kind} imports")
    imported = import_suite(kind, path, **{k: v for k, v in given.items() if v is not None})
    text = suite_yaml(imported)
    _check_loads_back(text, len(imported.suite.cases), Path(output).parent if output != "-" else Path.cwd())
    if output == "-":
        print(text, end="")
    else:
        Path(output).write_text(text, encoding="utf-8")
    suite = imported.suite
    where = "standard output" if output == "-" else output
    err.print(
        f"wrote {where}: suite {suite.name!r}, {len(suite.cases):,} cases, {len(suite.models)} models, "
        f"scorers {', '.join(s.label for s in suite.scorers) or 'per case'} (from {imported.source})",
        markup=False,
        soft_wrap=True,
    )
    for note in imported.notes:
        err.print(f"note: {note}", markup=False, soft_wrap=True)


def _check_loads_back(text: str, cases: int, folder: Path) -> None:
    """Load the written text as evaltui would; a failure is evaltui's bug, said as one."""
    handle, name = tempfile.mkstemp(suffix=".yaml", dir=folder if folder.is_dir() else None)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        loaded = load_suite(name)
    except EvaltuiError as exc:
        raise EvaltuiError(f"the imported suite does not load back (a bug in the importer): {exc}") from exc
    finally:
        os.unlink(name)
    if len(loaded.cases) != cases:
        raise EvaltuiError(f"the imported suite loads back with {len(loaded.cases)} cases, not {cases}")
