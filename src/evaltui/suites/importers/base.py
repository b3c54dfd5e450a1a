"""What every importer returns: the suite, where it came from, and what the user must know."""

from __future__ import annotations

from dataclasses import dataclass

from evaltui.suites.models import Suite


@dataclass(frozen=True, slots=True)
class Imported:
    """An imported suite. Its cases keep `loc` (the source file and line each came from), which
    the written YAML turns into comments; `notes` are said to the user (a key to set in the
    environment, a part that maps only approximately) and written at the top of the file."""

    suite: Suite
    source: str  # "promptfoo config promptfooconfig.yaml", "openai evals samples.jsonl", …
    notes: tuple[str, ...] = ()
    origins: tuple[tuple[str, str], ...] = ()  # (top-level key, where it came from) for the comments
