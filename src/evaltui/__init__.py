"""evaltui: eval-driven development for AI features, in the terminal.

From Python (`evaltui.api`): `load_suite(path)`, `run_suite(suite, models=[...], db=...)`,
`compare_runs(a, b, db=...)`, and the `RunSummary` records they return. They are imported on first
use, so `import evaltui` (and the CLI, which imports it for its version) stays as cheap as this file.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# No TYPE_CHECKING import of them either: every module that reads __version__ imports this package,
# and the layer contracts count such imports (a report would seem to import the API above it).
_API = ("Failure", "RunSummary", "compare_runs", "load_suite", "run_suite")


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'evaltui' has no attribute {name!r}")
    value = getattr(importlib.import_module("evaltui.api"), name)
    globals()[name] = value
    return value


__all__ = ["Failure", "RunSummary", "__version__", "compare_runs", "load_suite", "run_suite"]
