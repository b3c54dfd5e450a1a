"""The figures at the top of the Run screen, from live stats (while running) or from the
run's metrics (once finished). The widget only displays what it is given."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

import evaltui.format as fmt
from evaltui.analysis.stats import live_interval
from evaltui.engine import LiveStats
from evaltui.records import RunMetrics, RunRecord
from evaltui.reports.verdicts import ERRORED, basis, cost_per_case, cost_spent, tokens_unknown
from evaltui.tui.widgets import figures
from evaltui.tui.widgets.safe_text import one_line
from evaltui.tui.widgets.tones import run_status_tone, status_tone, tone


@dataclass(frozen=True, slots=True)
class Figures:
    total: int
    done: int
    passed: int
    failed: int
    errors: int
    rate: float | None
    lo: float | None
    hi: float | None
    p50: float | None
    p95: float | None
    tokens_in: int | None  # None: no answer reported counts
    tokens_out: int | None
    cost_usd: float | None
    cached: int | None = None  # answers from the response cache; None where not known (an old run)
    latency_exact: bool = True  # False: a live run's percentiles, counted in buckets (within 0.4%)

    @classmethod
    def from_stats(cls, stats: LiveStats, epochs: int = 1) -> Figures:
        """Live figures; their interval as analysis.stats.live_interval allows (none with epochs)."""
        lo, hi = live_interval(stats.passed, stats.passed + stats.failed, epochs) or (None, None)
        return cls(
            stats.total,
            stats.done,
            stats.passed,
            stats.failed,
            stats.errors,
            stats.pass_rate,
            lo,
            hi,
            stats.p50_ms,
            stats.p95_ms,
            stats.tokens_in,
            stats.tokens_out,
            stats.cost_usd,
            stats.cached,
            stats.latency_exact,
        )

    @classmethod
    def from_metrics(cls, metrics: RunMetrics, total: int) -> Figures:
        rate = metrics.rate
        return cls(
            total,
            metrics.total,
            metrics.passed,
            metrics.failed,
            metrics.errors,
            rate.pass_rate,
            rate.lo if rate.pass_rate is not None else None,
            rate.hi if rate.pass_rate is not None else None,
            metrics.latency_ms.p50,
            metrics.latency_ms.p95,
            None if tokens_unknown(metrics) else metrics.tokens_in,
            None if tokens_unknown(metrics) else metrics.tokens_out,
            metrics.cost_usd,
            metrics.cached,
        )

    @classmethod
    def from_run(cls, run: RunRecord) -> Figures:
        """What the run row holds: its counters, and for a finished run the metrics summary the engine
        kept (latency percentiles, the interval, cost); shown at once, before any metrics are computed."""
        passed, failed = run.passed, run.failed
        lo, hi = live_interval(passed, passed + failed, run.epochs) or (None, None)
        kept = run.metrics
        if kept is not None:
            lo, hi = kept.rate.lo, kept.rate.hi
        return cls(
            run.total,
            run.done,
            passed,
            failed,
            run.errors,
            figures.run_pass_rate(run),
            lo,
            hi,
            kept.latency_ms.p50 if kept else None,
            kept.latency_ms.p95 if kept else None,
            None if kept and tokens_unknown(kept) else run.tokens_in,
            None if kept and tokens_unknown(kept) else run.tokens_out,
            run.cost_usd if kept else None,
            kept.cached if kept else None,
        )


class RunHeader(Static):
    """Three lines: suite, model, status (with why, for a run stopped or failed) and label; the
    pass rate with what it is over (scored, errored, cached) and the counts; latency over fresh
    answers, tokens and cost spent."""

    DEFAULT_CSS = """
    RunHeader { height: 3; padding: 0 1; background: $panel; }
    """

    def show(self, run: RunRecord, numbers: Figures) -> None:
        app = self.app
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append_text(one_line(run.suite, 40, style=tone(app, "primary", bold=True)))
        text.append(" · ")
        text.append_text(one_line(run.model_id, 40, style="bold"))
        status = run.status
        # a completed run's status reads quietly; one going on or ended early stands out
        quiet = status == "completed"
        text.append(f" · {status}", tone(app, "text-muted") if quiet else run_status_tone(app, status))
        if run.stop_reason and status in ("stopped", "failed"):  # why, as `evaltui show` says it
            text.append(": ", run_status_tone(app, status))
            text.append_text(one_line(run.stop_reason, 70, style=run_status_tone(app, status)))
        if run.label:
            text.append(" · ")
            text.append_text(one_line(run.label, 30))
        text.append(f" · {run.id}", tone(app, "text-muted"))
        text.append("\npass rate ")
        text.append(fmt.rate(numbers.rate, numbers.lo, numbers.hi), "bold")
        over = Text(" " + basis(numbers.passed + numbers.failed, numbers.errors, numbers.cached) + "   ")
        over.highlight_regex(ERRORED, status_tone(app, "error"))  # the rate is over the scored only
        text.append_text(over)
        for count, status_name, mark in ((numbers.passed, "pass", "✓"), (numbers.failed, "fail", "✗")):
            text.append(f"{mark} {count:,}  ", status_tone(app, status_name))
        text.append(f"of {numbers.total:,}")
        about = "" if numbers.latency_exact else "~"
        text.append(f"\nlatency p50 {about}{fmt.ms(numbers.p50)} p95 {about}{fmt.ms(numbers.p95)}   ")
        text.append(f"tokens {fmt.tokens(numbers.tokens_in, numbers.tokens_out)}   ")
        text.append(f"cost {cost_spent(numbers.cost_usd, fmt.money(numbers.cost_usd), numbers.cached)}")
        done = numbers.passed + numbers.failed + numbers.errors
        text.append(cost_per_case(numbers.cost_usd, done, numbers.passed))
        self.update(text, layout=False)  # always three lines: a live refresh repaints, never reflows
