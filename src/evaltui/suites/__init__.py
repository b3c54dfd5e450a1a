"""Suites: the YAML format of DESIGN.md, case files, templates and discovery.

Public API (`evaltui.suites`):

    load_suite(path) -> Suite              validate a suite (or a promptfoo config) and its case
                                           files; SuiteError names file, line and field. A suite
                                           with `- file:` entries gets a `caselist.CaseList` as
                                           its `cases`: walked (the files read again), not held
    parse_model_spec("demo:keyword") -> ModelSpec     the CLI's `-m` uses it too
    named_models(suite, ["demo:rules", ...]) -> list[ModelSpec]   suite model ids, or specs
    compile_templates(suite, *, text_lines=None)       syntax errors as SuiteError
    render_messages(suite, case) -> list[{"role", "content"}]   sandboxed, StrictUndefined
    discover_suites(dirs) -> list[SuiteEntry]         SuiteEntry(path, suite | None, error | None)
    iter_suites(dirs) -> Iterator[SuiteEntry]         the same, one suite at a time
    suite_hash(suite) -> str               canonical content hash of the definition
    identity.definition_id(suite) -> str   the store's suites.id, hashed one case at a time
    derive_case_id(input, expected, vars) -> str      the id of a case written without one
    evaltui.suites.importers.import_suite(kind, path, **options) -> Imported   other tools' suites
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evaltui.suites.discover import SuiteEntry, discover_suites, iter_suites
    from evaltui.suites.identity import derive_case_id, suite_hash
    from evaltui.suites.sources import load_suite
    from evaltui.suites.specs import named_models, parse_model_spec
    from evaltui.suites.template import compile_templates, render_messages

# Loaded on first use: the store and the read-only commands need `evaltui.suites.models` alone, and
# importing this package must not pull in the loader, YAML and Jinja2 for them (tests/test_layers.py).
_HOMES = {
    "SuiteEntry": "discover",
    "discover_suites": "discover",
    "iter_suites": "discover",
    "derive_case_id": "identity",
    "suite_hash": "identity",
    "load_suite": "sources",
    "parse_model_spec": "specs",
    "named_models": "specs",
    "compile_templates": "template",
    "render_messages": "template",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'evaltui.suites' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"evaltui.suites.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "SuiteEntry",
    "compile_templates",
    "derive_case_id",
    "discover_suites",
    "iter_suites",
    "load_suite",
    "named_models",
    "parse_model_spec",
    "render_messages",
    "suite_hash",
]
