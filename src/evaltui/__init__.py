"""evaltui: eval-driven development for AI features, in the terminal.

From Python (`evaltui.api`): `load_suite(path)`, `run_suite(suite, models=[...], db=...)`,
`compare_runs(a, b, db=...)`, and the `RunSummary` records they return. They are imported on first
use, so `import evaltui` (and the CLI, which imports it for its version) stays as cheap as this file.
"""

from __future__ import annotations

import importlib
from typing import Any

from evaltui.version import __version__

# No TYPE_CHECKING import of them either: the layer contracts count such imports. The modules that
# record the version read it from evaltui.version, at the bottom, not from this package face.
_API = ("Failure", "RunSummary", "compare_runs", "load_suite", "run_suite")


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'evaltui' has no attribute {name!r}")
    value = getattr(importlib.import_module("evaltui.api"), name)
    globals()[name] = value
    return value


__all__ = ["Failure", "RunSummary", "__version__", "compare_runs", "load_suite", "run_suite"]
