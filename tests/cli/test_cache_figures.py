"""Every summary says how many answers came from the response cache, and latency percentiles are
over the answers asked in this run: a cached answer replays an old latency."""

from __future__ import annotations

import json
from pathlib import Path

SUITE = str(Path(__file__).resolve().parents[2] / "sample_suites" / "support_intent.yaml")
TEN = ("-m", "demo:keyword", "--limit", "10")


def test_a_rerun_from_the_cache_says_so_and_counts_no_fresh_latency(cli):
    first = cli("run", SUITE, *TEN)
    again = cli("run", SUITE, *TEN, extra_env={"COLUMNS": "120"})
    assert first.returncode == again.returncode == 0, again.stderr
    assert "cached" not in first.stdout.split("Run ", 1)[1]
    assert "of 10 scored · 10 cached" in again.stdout  # the end-of-run summary
    assert "over 0 fresh answers (10 cached not counted)" in again.stdout
    metrics = json.loads(cli("show", "latest", "--json").stdout)["metrics"]
    assert metrics["cached"] == 10
    assert metrics["latency_ms"]["n"] == 0 and metrics["latency_ms"]["p50"] is None
    assert "10 cached" in cli("show", "latest").stdout
    assert "10 cached" in cli("runs").stdout
    compared = cli("compare", "latest", "previous", extra_env={"COLUMNS": "120"}).stdout
    assert "cached      0 answers from the cache in A, 10 in B" in compared  # B: the latest run
    assert "→ –" in compared.split("latency", 1)[1].split("p95")[0]  # B asked nothing: no fresh latency


def test_no_cache_asks_again_and_counts_every_latency(cli):
    assert cli("run", SUITE, *TEN, "-q").returncode == 0
    assert cli("run", SUITE, *TEN, "-q", "--no-cache").returncode == 0
    metrics = json.loads(cli("show", "latest", "--json").stdout)["metrics"]
    assert metrics["cached"] == 0 and metrics["latency_ms"]["n"] == 10
