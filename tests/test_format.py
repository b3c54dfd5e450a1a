"""One wording for numbers in the CLI, the reports and the TUI (evaltui/format.py)."""

from __future__ import annotations

from evaltui import format as fmt


def test_latency_reads_in_milliseconds_under_a_second_and_seconds_above() -> None:
    assert (fmt.ms(12.4), fmt.ms(999.0), fmt.ms(1234.0), fmt.ms(None)) == ("12ms", "999ms", "1.23s", "–")


def test_an_unknown_cost_never_reads_as_zero() -> None:
    assert (fmt.money(None), fmt.money(0.0), fmt.money(1234.5)) == ("unknown", "$0.0000", "$1,234.5000")


def test_shares_counts_and_durations() -> None:
    assert (fmt.pct(0.7308), fmt.pct(None)) == ("73.1%", "–")
    assert fmt.tokens(12345, None) == "12,345 in / – out"  # a side no one counted is not 0
    assert (fmt.duration(65), fmt.duration(3723), fmt.duration(None)) == ("1:05", "1:02:03", "–")


def test_a_pass_rate_reads_with_its_interval_in_whole_percents() -> None:
    assert fmt.interval(0.612, 0.8249) == "61%–83%"
    assert fmt.rate(0.7308, 0.612, 0.8249) == "73.1% [61%–83%]"
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
    assert shown == "73.1% [59%–84%]"
    assert shown in console.export_text() and _rate(run, metrics).startswith(shown)


def test_an_interval_printed_in_whole_percents_holds_the_one_computed() -> None:
    """Its ends are rounded outwards: the printed bounds never claim more certainty than the
    computed ones (99.995%–100% of 70,000 passing cases is not '100%–100%')."""
    assert fmt.interval(0.99995, 1.0) == "99%–100%"
    assert fmt.interval(0.0, 0.00004) == "0%–1%"
    assert fmt.interval(0.6149, 0.8301) == "61%–84%"
    assert fmt.interval(0.61, 0.83) == "61%–83%"  # a bound on a whole percent stays there
    assert fmt.interval(0.29, 0.57) == "29%–57%"  # 0.29 * 100 is 28.999999999999996 in floats


def test_a_share_short_of_all_or_above_none_never_reads_as_all_or_none() -> None:
    assert (fmt.pct(69_999 / 70_000), fmt.pct(1 / 70_000)) == (">99.9%", "<0.1%")
    shown = (fmt.pct(1.0), fmt.pct(0.0), fmt.pct(0.9994), fmt.pct(0.0006))
    assert shown == ("100.0%", "0.0%", "99.9%", "0.1%")


def test_a_cost_above_nothing_never_reads_as_nothing() -> None:
    """A cheap model's case costs millionths of a dollar: it is shown to two significant digits,
    not as `$0.0000` (which says it cost nothing)."""
    assert (fmt.money(0.000004), fmt.money(0.0000123), fmt.money(0.00005)) == (
        "$0.0000040",
        "$0.000012",
        "$0.000050",
    )
    assert (fmt.money(0.0001), fmt.money(0.0012)) == ("$0.0001", "$0.0012")


def test_the_cost_of_a_case_of_a_cheap_model_is_not_zero() -> None:
    from evaltui.reports.verdicts import cost_per_case

    assert cost_per_case(0.0008, 200, 200) == " ($0.0000040 a case, $0.0000040 a passed case)"


def test_a_count_of_one_reads_in_the_singular() -> None:
    assert (fmt.counted(1, "case"), fmt.counted(0, "case"), fmt.counted(12345, "run")) == (
        "1 case",
        "0 cases",
        "12,345 runs",
    )


def test_tokens_nobody_counted_are_unknown_not_zero() -> None:
    """A Python component that returns a string reports no tokens: its Case screen said
    `tokens 0 in / 0 out`, a count no one made."""
    assert fmt.tokens(None, None) == "unknown"
    assert fmt.tokens(5, None) == "5 in / – out"
    assert fmt.tokens(0, 0) == "0 in / 0 out"
    assert fmt.tokens(1234, 5) == "1,234 in / 5 out"
