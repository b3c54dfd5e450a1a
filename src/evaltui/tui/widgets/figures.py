"""Figures only the TUI draws: sparklines, a rate with its interval in a narrow cell, a run's
pass rate from its counters. Every other number reads as `evaltui.format` writes it."""

from __future__ import annotations

from collections.abc import Sequence

from evaltui.records import RunRecord

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float]) -> str:
    """Rates in 0..1 as block characters, oldest first (absolute scale: 0% is ▁, 100% is █)."""
    return "".join(BARS[min(int(max(v, 0.0) * len(BARS)), len(BARS) - 1)] for v in values)


def run_pass_rate(run: RunRecord) -> float | None:
    """Pass rate of a run row from its counters: passed over scored (pass + fail)."""
    scored = run.passed + run.failed
    return run.passed / scored if scored else None
