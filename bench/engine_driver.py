"""Child process of bench/engine.py: one run of a suite through the engine, timed from the inside.

Prints one JSON line: the engine phase's wall time (from the run's start, its planning included, to
its end: what the limit N x L / C applies to), the process CPU spent in that phase (all threads:
engine, writer), and the whole process's wall and CPU including interpreter start-up, loading and
preparing the suite. (Not from RunStarted: a new run is told started once its rows are committed,
which its writer does after the first requests are out, so the run's first moments came before it.)"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time

START = time.perf_counter()


def main() -> None:
    suite_path, db, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3])
    from evaltui.engine import Runner, RunOptions, prepare

    try:
        from evaltui.engine.headless import run_headless
    except ImportError:  # a commit from before engine/headless.py, run by bench/engine_ab.py
        run_headless = asyncio.run
    from evaltui.store import Store
    from evaltui.suites import load_suite

    suite = load_suite(suite_path)
    prepared = prepare(suite)
    store = Store(db)
    runner = Runner(store, prepared, suite.models[0], RunOptions(concurrency=concurrency, use_cache=False))
    marks: dict[str, float] = {}

    async def timed() -> str:
        marks["started"], marks["cpu"] = time.perf_counter(), time.process_time()
        return await runner.run()

    run_headless(timed())  # as `evaltui run` runs its runners (commands/run.py)
    end, cpu_end = time.perf_counter(), time.process_time()
    run = store.get_run(runner.run_id)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "engine_wall": end - marks["started"],
                "engine_cpu": cpu_end - marks["cpu"],
                "process_wall": end - START,
                "process_cpu": usage.ru_utime + usage.ru_stime,
                "rss_mib": usage.ru_maxrss // 1024,
                "done": run.done,
                "errors": run.errors,
            }
        )
    )


if __name__ == "__main__":
    main()
