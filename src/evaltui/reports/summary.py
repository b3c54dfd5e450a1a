"""A comparison of two runs worded one fact a line: what `evaltui compare`, the CI gate and the
TUI's Compare screen all print. In reports/ (not commands/) so the TUI can show it without importing
the CLI's command bodies."""

from __future__ import annotations

from rich.text import Text

from evaltui.format import money, ms, rate
from evaltui.reports.comparison import Comparison, RunSummary
from evaltui.text import inert


def change(old: float | None, new: float | None) -> str:
    if old is None or new is None:
        return ""
    if old == 0:
        return "" if new == 0 else " (new)"
    return f" ({(new - old) / old:+.0%})"


def rate_text(s: RunSummary) -> str:
    r = s.rate
    if r.pass_rate is None:
        return "– (nothing scored)"
    return f"{rate(r.pass_rate, r.lo, r.hi)} n={r.n}"


def summary_lines(c: Comparison) -> list[Text]:
    """The summary of a comparison, one fact a line (shared by compare and the CI gate)."""
    p, n, a, b = c.paired, c.counts, c.summary_a, c.summary_b
    diff = "–" if p.n == 0 else f"{p.mean_diff * 100:+.1f} pts [{p.lo * 100:+.1f}, {p.hi * 100:+.1f}] 95% CI"
    lines = [
        Text(f"pass rate   A {rate_text(a)}   B {rate_text(b)}"),
        Text(f"paired B−A  {diff} over {p.n} cases: ", style="bold").append(c.verdict),
        Text(
            f"cases       {n.regressions} regressions (pass→fail), {n.improvements} improvements "
            f"(fail→pass), {n.unchanged} unchanged ({n.changed_output} with changed output)"
            + (f", {n.changed_tool_calls} with changed tool calls" if n.changed_tool_calls else "")
        ),
        Text(
            f"errors      {n.errors_a} cases errored in A, {n.errors_b} in B"
            + (f" ({n.lost} of them passed in A: a gate counts them as regressions)" if n.lost else "")
        ),
        Text(
            f"cached      {a.cached} answers from the cache in A, {b.cached} in B"
            + (" (latency and cost are over fresh answers only)" if a.cached or b.cached else "")
        ),
        Text(
            f"latency     p50 {ms(a.latency_ms.p50)} → {ms(b.latency_ms.p50)}"
            f"{change(a.latency_ms.p50, b.latency_ms.p50)}   p95 {ms(a.latency_ms.p95)} → "
            f"{ms(b.latency_ms.p95)}{change(a.latency_ms.p95, b.latency_ms.p95)}"
        ),
        Text(f"cost spent  {money(a.cost_usd)} → {money(b.cost_usd)}{change(a.cost_usd, b.cost_usd)}"),
    ]
    if c.warning():  # first, before any number is read (JSON says it too, as "warning")
        lines.insert(0, Text("warning: ", style="bold yellow").append_text(inert(c.warning(), "yellow")))
    if c.left_out():
        lines.append(Text(f"left out    {c.left_out()}", style="yellow"))
    if c.epochs > 1:
        lines.append(
            Text(f"epochs      {c.epochs}: epochs averaged per case; a case passes when its mean ≥ 0.5")
        )
    return lines
