"""One case as two runs answered it: both results, and the texts a diff of the two compares (the
output, then the tool calls as normalised JSON when either run made any). The TUI's Diff screen
shows it; the reads block, so call it from a worker."""

from __future__ import annotations

import json
from dataclasses import dataclass

from evaltui.records import Result
from evaltui.reports.comparison import normalised_tool_calls
from evaltui.store import Store


@dataclass(frozen=True, slots=True)
class CaseAnswers:
    case_id: str
    result_a: Result | None  # None: that run has no result for the case
    result_b: Result | None
    text_a: str  # what the diff compares (`diffed_text`)
    text_b: str


def case_answers(store: Store, run_a: str, run_b: str, case_id: str) -> CaseAnswers:
    """Both runs' results for the case (epoch 0) and the texts to diff."""
    result_a, result_b = store.get_result(run_a, case_id), store.get_result(run_b, case_id)
    with_calls = any(r is not None and r.tool_calls for r in (result_a, result_b))
    return CaseAnswers(
        case_id, result_a, result_b, diffed_text(result_a, with_calls), diffed_text(result_b, with_calls)
    )


def diffed_text(result: Result | None, with_calls: bool) -> str:
    """A result's output, then its tool calls as normalised, indented JSON (keys sorted, ids left
    out) when either run made calls: a change of arguments shows as a word change."""
    text = (result and result.output) or ""
    if with_calls:
        calls = normalised_tool_calls(result.column("tool_calls") if result else None)
        text += "\n\ntool calls:\n" + json.dumps(
            calls, ensure_ascii=False, indent=2, sort_keys=True, default=str
        )
    return text
