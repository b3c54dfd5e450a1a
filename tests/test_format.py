"""One wording for numbers in the CLI, the reports and the TUI (evaltui/format.py)."""

from __future__ import annotations

from evaltui import format as fmt


def test_latency_reads_in_milliseconds_under_a_second_and_seconds_above() -> None:
    assert (fmt.ms(12.4), fmt.ms(999.0), fmt.ms(1234.0), fmt.ms(None)) == ("12ms", "999ms", "1.23s", "–")


def test_an_unknown_cost_never_reads_as_zero() -> None:
    assert (fmt.money(None), fmt.money(0.0), fmt.money(1234.5)) == ("unknown", "$0.0000", "$1,234.5000")


def test_shares_counts_and_durations() -> None:
    assert (fmt.pct(0.7308), fmt.pct(None)) == ("73.1%", "–")
    assert fmt.tokens(12345, None) == "12,345 in / 0 out"
    assert (fmt.duration(65), fmt.duration(3723), fmt.duration(None)) == ("1:05", "1:02:03", "–")


def test_a_pass_rate_reads_with_its_interval_in_whole_percents() -> None:
    assert fmt.interval(0.612, 0.8349) == "61%–83%"
    assert fmt.rate(0.7308, 0.612, 0.8349) == "73.1% [61%–83%]"
    assert (fmt.rate(0.5), fmt.rate(None, 0.1, 0.9)) == ("50.0%", "–")


def test_the_cli_reports_and_tui_print_a_rate_the_same_way(tmp_path) -> None:
    """`evaltui show`, the Markdown report, the comparison summary and the TUI's run header all
    print a pass rate through format.rate / format.interval."""
    from rich.console import Console

    from evaltui.commands.show import metrics_block
    from evaltui.records import Rate, RunMetrics, RunRecord, Spread
    from evaltui.reports.markdown import _rate

    rate = Rate(n=52, passed=38, pass_rate=38 / 52, lo=0.5964, hi=0.8360, method="wilson")
    metrics = RunMetrics(
        52, 38, 14, 0, rate, 38 / 52, 0.73, Spread(0, None, None, None), 0, 0, None, 52, 1, None
    )
    run = RunRecord("r1", total=52, done=52, passed=38, failed=14, status="completed", metrics=metrics)
    console = Console(width=200, record=True)
    console.print(metrics_block(run, metrics))
    shown = f"{fmt.pct(38 / 52)} [{fmt.interval(0.5964, 0.8360)}]"
    assert shown == "73.1% [60%–84%]"
    assert shown in console.export_text() and _rate(run, metrics).startswith(shown)
