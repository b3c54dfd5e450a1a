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
