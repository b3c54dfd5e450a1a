"""What a run asked with: its prompt templates, read from the suite definition it stored (a prompt
variant's run stores the variant's), and the change between two runs' prompts, word by word, for
the Compare screen and `evaltui compare`: what changed next to what it did."""

from __future__ import annotations

import json

from evaltui.analysis.diff import Segment, unified_word_diff
from evaltui.records import RunRecord
from evaltui.store import Store

DEFAULT_PROMPT = "{{ input }}"


def prompt_text(store: Store, run: RunRecord) -> str | None:
    """The run's templates as one text (`role: template` per message); None when unknown."""
    row = store.query_one(
        "SELECT definition FROM suites WHERE id = ?", (run.suite_id,), what="the run's suite"
    )
    if row is None:
        return None
    definition = json.loads(row["definition"])
    messages = definition.get("messages")
    if messages:
        return "\n".join(f"{m.get('role')}: {m.get('content')}" for m in messages)
    prompt = definition.get("prompt")
    return f"user: {prompt if prompt is not None else DEFAULT_PROMPT}"


def prompt_change(store: Store, run_a: RunRecord, run_b: RunRecord) -> list[Segment] | None:
    """The word diff of A's prompt against B's; None when they are the same (or unknown)."""
    a, b = prompt_text(store, run_a), prompt_text(store, run_b)
    if a is None or b is None or a == b:
        return None
    return unified_word_diff(a, b)
