"""Pure analysis of results: numbers and strings in, numbers and structures out (stdlib only).

stats.py    wilson_interval, clustered_interval / clustered_from_totals / clustered_from_counts,
            paired_difference (PairedDiff with exact McNemar p), mcnemar_exact, percentile,
            spread (p50/p95/max)
metrics.py  run_metrics(results) -> RunMetrics (one pass over `Result`s; .to_dict() for JSON);
            MetricsTally (folded as results come), stored_run_metrics (a stored run's, its
            latencies counted and their percentiles read back exactly), ExactSum
histogram.py  Histogram (latencies counted in buckets under 1% wide), exact_spread (exact p50/p95
            from the counts and one bucket's values read back)
diff.py     word_diff, unified_word_diff, char_diff, side_by_side (rows for the compare
            screen), inline_runs (the inline view, markers optional), render_plain
            ([-old-]{+new+}), show_whitespace, tokenize
pricing.py  price_for(provider, model, overrides, base_url=None) -> Price | None, cost_usd
"""
