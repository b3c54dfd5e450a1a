"""How numbers read on screen: rates with their interval, latencies, costs, durations, sparklines."""

from __future__ import annotations

from collections.abc import Sequence

from evaltui.records import RunRecord

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float]) -> str:
    """Rates in 0..1 as block characters, oldest first (absolute scale: 0% is ▁, 100% is █)."""
    return "".join(BARS[min(int(max(v, 0.0) * len(BARS)), len(BARS) - 1)] for v in values)


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def rate_with_interval(rate: float | None, lo: float | None, hi: float | None) -> str:
    if rate is None:
        return "–"
    if lo is None or hi is None:
        return pct(rate)
    return f"{pct(rate)} ({lo * 100:.0f}–{hi * 100:.0f}%)"


def ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value / 1000:.2f}s" if value >= 1000 else f"{value:.0f}ms"


def cost(value: float | None) -> str:
    return "unknown" if value is None else f"${value:.4f}"


def tokens(count_in: int | None, count_out: int | None) -> str:
    return f"{count_in or 0:,} in / {count_out or 0:,} out"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def run_pass_rate(run: RunRecord) -> float | None:
    """Pass rate of a run row from its counters: passed over scored (pass + fail)."""
    scored = run.passed + run.failed
    return run.passed / scored if scored else None
