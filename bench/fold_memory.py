"""Memory of what a run keeps per answer, alone: N results folded as a fresh one-epoch run folds
its committed results (the live figures' `StatsTracker.add` and the stored metrics'
`MetricsTally.add`, a batch of 500 at a time, a live snapshot every 20 batches), then the run's
metrics taken as at its end. No suite, no store, no model: sizes far past what a whole run takes
to measure (10,000,000 results in a minute or two).

The latencies are whole tenths of a millisecond cycling through 10,007 values, so where the code
reads a run's latencies back from its rows (`fresh_latencies`) the rows are answered by arithmetic
instead of SQLite, in memory that does not grow with N; the p50 and p95 printed are the exact ones
either way, which checks the two codes agree. Point PYTHONPATH at another checkout's src/ to
measure its code:
    python bench/fold_memory.py [--results 10000000]      (one size a process: the peak is the process's)
    PYTHONPATH=/path/to/other/src python bench/fold_memory.py --results 10000000
"""

from __future__ import annotations

import argparse
import bisect
import inspect
import resource
import time

from evaltui.analysis.metrics import MetricsTally
from evaltui.records import Result

try:
    from evaltui.engine.live_stats import StatsTracker
except ImportError:  # a checkout from before the module had this name
    from evaltui.engine.stats import StatsTracker  # type: ignore[no-redef]

DISTINCT = 10_007
BATCH = 500


def latency(i: int) -> float:
    return 50.0 + (i * 7919 % DISTINCT) / 10


def rows_reader(n: int):  # type: ignore[no-untyped-def]
    """What `Store.fresh_latencies` answers for these n results: each of the DISTINCT values
    appears n // DISTINCT times, plus once more for the first n % DISTINCT indices' values."""
    values = sorted({latency(i) for i in range(DISTINCT)})
    extra = {latency(i) for i in range(n % DISTINCT)}

    def read(lo: float | None, hi: float | None, offset: int, limit: int) -> list[float]:
        start = 0 if lo is None else bisect.bisect_left(values, lo)
        end = len(values) if hi is None else bisect.bisect_left(values, hi)
        out: list[float] = []
        for value in values[start:end]:
            times = n // DISTINCT + (value in extra)
            if offset >= times:
                offset -= times
                continue
            take = min(times - offset, limit - len(out))
            out += [value] * take
            offset = 0
            if len(out) == limit:
                break
        return out

    return read


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def fold(n: int) -> None:
    stored = "latencies_in_store" in inspect.signature(MetricsTally).parameters
    tally = MetricsTally(epochs=1, latencies_in_store=True) if stored else MetricsTally(epochs=1)
    tracker = StatsTracker(n)
    start_rss, started = rss_mib(), time.process_time()
    batch = []
    for i in range(n):
        batch.append(Result("run", f"c{i}", status="pass", value=1.0, latency_ms=latency(i), cost_usd=1e-4))
        if len(batch) == BATCH:
            tracker.add(batch)
            for result in batch:
                tally.add(result)
            batch = []
            if i // BATCH % 20 == 0:
                tracker.snapshot()
    tracker.add(batch)
    for result in batch:
        tally.add(result)
    folded_rss = rss_mib()
    live = tracker.snapshot()
    metrics = tally.metrics(rows_reader(n)) if stored else tally.metrics()
    cpu = time.process_time() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    spread = metrics.latency_ms
    print(
        f"{n:,} results: peak RSS {peak:.0f} MiB (at start {start_rss:.0f}, after the fold {folded_rss:.0f}), "
        f"{(peak - start_rss) * 2**20 / n:.1f} bytes a result, CPU {cpu:.1f} s; "
        f"p50 {spread.p50} p95 {spread.p95} max {spread.max} n {spread.n}, cost {metrics.cost_usd!r}; "
        f"live p50 {live.p50_ms} p95 {live.p95_ms}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", type=int, default=1_000_000)
    fold(parser.parse_args().results)


if __name__ == "__main__":
    main()
