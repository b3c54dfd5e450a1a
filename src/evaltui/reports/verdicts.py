"""How a run's verdicts read wherever they are shown (the end-of-run summary, `show`, `runs`, the
Markdown and JUnit reports, the Run screen): what a pass rate is over, the share a gate checks,
why a case did not pass, and what a run spent. One wording everywhere, so no summary shows a pass
rate over the scored cases without the errored ones beside it, nor charges cached answers again."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from evaltui.format import counted, money, pct
from evaltui.records import Result, RunMetrics, RunRecord

ERRORED = r"[\d,]+ errored"  # the errored count in `basis`'s wording, for displays to highlight


SHOWN_CALLS = 8  # tool calls named in a reason before "and N more"


def why(result: Result) -> str:
    """Why a result did not pass: the provider's error, else the failing scorers' reasons; then the
    tool calls the model made, if any (what a reviewer asks next)."""
    text = result.error or "; ".join(f"{s.name}: {s.reason}" for s in result.scores if not s.passed)
    if result.tool_calls:
        text += ("; " if text else "") + "tool calls: " + tool_calls_text(result.tool_calls)
    return text


def tool_calls_text(calls: Sequence[Mapping[str, Any]]) -> str:
    """`get_weather({"city": "Paris"}), book(<not JSON: {"id": 4>)`: each call with its arguments as
    normalised JSON (keys sorted), or as written when they were not JSON."""
    shown = [_call_text(call) for call in calls[:SHOWN_CALLS]]
    more = f" and {len(calls) - SHOWN_CALLS} more" if len(calls) > SHOWN_CALLS else ""
    return ", ".join(shown) + more


def _call_text(call: Mapping[str, Any]) -> str:
    if call.get("malformed"):
        return f"{call.get('name')}(<not JSON: {str(call.get('raw_arguments'))[:80]}>)"
    return f"{call.get('name')}({json.dumps(call.get('arguments'), ensure_ascii=False, sort_keys=True)})"


def asked_rate(passed: int, asked: int) -> float | None:
    """The share a gate checks: passed results over every result the run was asked for. An errored
    case, or one the run never reached, is not a pass (a pass rate over the scored cases alone
    would let a run that mostly errored pass its gate)."""
    return passed / asked if asked > 0 else None


def basis(scored: int, errors: int, cached: int | None = None) -> str:
    """What a pass rate is over, said right after it: `of 56 scored · 144 errored · 12 cached`.
    Errors and cached answers are named whenever there are any."""
    parts = [f"of {scored:,} scored"]
    if errors:
        parts.append(f"{errors:,} errored")
    if cached:
        parts.append(f"{cached:,} cached")
    return " · ".join(parts)


def cost_spent(cost: float | None, shown: str, cached: int | None = None) -> str:
    """A run's cost (`shown` is `cost` as the display writes it) said as what the run spent, naming
    the cached answers that were not charged again: `$0.0000 spent (10 cached answers not charged)`.
    Their tokens are not counted as spent either (analysis.metrics.spent). An unknown cost is
    shown as it is."""
    text = shown if cost is None else f"{shown} spent"
    if cached:
        text += f" ({cached:,} cached answer{'s' if cached != 1 else ''} not charged)"
    return text


def tokens_unknown(m: RunMetrics) -> bool:
    """No answer asked in this run reported token counts (a Python component returning strings):
    its sums of 0 are not a count."""
    return bool(m.tokens_uncounted) and m.tokens_uncounted >= m.passed + m.failed - m.cached


def spent_tokens(m: RunMetrics) -> str:
    """The tokens this run spent; answers that reported no counts are said, not summed as 0."""
    if tokens_unknown(m):
        return "unknown"
    spent = f"{m.tokens_in:,} in / {m.tokens_out:,} out"
    if m.tokens_uncounted:
        spent += f" ({counted(m.tokens_uncounted, 'answer')} uncounted)"
    return spent


def cost_per_case(cost: float | None, cases: int, passed: int) -> str:
    """What a case cost on average, and what one correct answer cost (the spending over the passed
    cases: the figure of merit when cheaper models fail more): ` ($0.0012 a case, $0.0020 a passed
    case)`; nothing when the cost is unknown or nothing was done."""
    if cost is None or not cases:
        return ""
    per_pass = money(cost / passed) if passed else "– (none passed)"
    return f" ({money(cost / cases)} a case, {per_pass} a passed case)"


def asked_note(passed: int, scored: int, asked: int) -> str:
    """The pass rate over every planned case, when errors or unreached cases make it differ from the
    scored one (`28.0% over all 200 planned`: errored and never-asked cases count as not passed);
    empty when every planned case was scored."""
    rate = asked_rate(passed, asked)
    if rate is None or scored >= asked:
        return ""
    return f"{pct(rate)} over all {asked:,} planned"


def asked_of(run: RunRecord, metrics: RunMetrics) -> int:
    """How many results the run was asked for: its planned total, or more if it holds more."""
    return max(run.total, metrics.total)
