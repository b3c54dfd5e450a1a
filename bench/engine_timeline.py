"""Where an engine run's time goes: every request's send and answer times, in one run.

Runs N cases through the engine in this process, as `evaltui run` does (`run_headless`), against
bench/lean_api.py in its own process, and prints: when the first requests left and the first round
came back, the answer times the engine saw (mean, p50, p95, max), how full the concurrency slots
were, the time from the last answer to the end of the run, and the garbage collector's passes.
A diagnostic, not a figure for docs/BENCHMARKS.md (the wrapper around each request costs a little).

    .venv/bin/python bench/engine_timeline.py [--cases 5000] [--concurrency 256] [--latency-ms 100]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _harness import fake_api

from engine import make_suite


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=256)
    parser.add_argument("--latency-ms", type=int, default=100)
    args = parser.parse_args()
    os.environ["BENCH_API_KEY"] = "bench-dummy-key"
    from evaltui.engine import Runner, RunOptions, prepare
    from evaltui.engine.headless import run_headless
    from evaltui.providers.remote import RemoteProvider
    from evaltui.store import Store
    from evaltui.suites import load_suite

    spans: list[tuple[float, float]] = []
    ask = RemoteProvider.complete

    async def timed_complete(self, request):  # type: ignore[no-untyped-def]
        sent = time.perf_counter()
        try:
            return await ask(self, request)
        finally:
            spans.append((sent, time.perf_counter()))

    RemoteProvider.complete = timed_complete  # type: ignore[method-assign]
    pauses: list[tuple[int, float]] = []
    started: dict[str, float] = {}

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            started["gc"] = time.perf_counter()
        elif "run" in started:
            pauses.append((info["generation"], time.perf_counter() - started["gc"]))

    with tempfile.TemporaryDirectory() as tmp, fake_api(args.latency_ms, "lean") as url:
        suite = load_suite(make_suite(Path(tmp), args.cases, url))
        store = Store(Path(tmp) / "timeline.db")
        options = RunOptions(concurrency=args.concurrency, use_cache=False)
        runner = Runner(store, prepare(suite), suite.models[0], options)

        async def timed() -> str:  # from the run's start: a new run is told started after its first requests
            started["run"] = time.perf_counter()
            return await runner.run()

        gc.callbacks.append(on_gc)
        run_headless(timed())
        end = time.perf_counter()
        gc.callbacks.remove(on_gc)

    t0, c = started["run"], args.concurrency
    ms = lambda seconds: f"{seconds * 1000:.0f} ms"  # noqa: E731
    answers = sorted(b - a for a, b in spans)
    first = sorted(spans)[:c]
    span = max(b for _, b in spans) - min(a for a, _ in spans)
    limit = args.cases * args.latency_ms / 1000 / c
    print(f"{args.cases} cases, concurrency {c}, latency {args.latency_ms} ms; limit N×L/C {limit:.2f} s")
    print(f"run: {end - t0:.3f} s" + (f" ({100 * limit / (end - t0):.0f}% of the limit)" if limit else ""))
    print(
        f"first round: sent {ms(first[0][0] - t0)} to {ms(max(a for a, _ in first) - t0)} after the run started, "
        f"answered {ms(min(b for _, b in first) - t0)} to {ms(max(b for _, b in first) - t0)}"
    )
    print(
        f"answers seen by the engine: mean {ms(statistics.mean(answers))}, p50 {ms(answers[len(answers) // 2])}, "
        f"p95 {ms(answers[int(len(answers) * 0.95)])}, max {ms(answers[-1])}"
    )
    print(f"slots busy: {sum(answers) / (c * span):.1%} of concurrency × (first send to last answer)")
    print(f"last answer to end of run: {ms(end - max(b for _, b in spans))}")
    full = [p for g, p in pauses if g == 2]
    print(
        f"garbage collections during the run: {len(pauses)}, longest {ms(max((p for _, p in pauses), default=0))}, "
        f"full (generation 2): {len(full)}" + (f", longest {ms(max(full))}" if full else "")
    )


if __name__ == "__main__":
    sys.exit(main())
