"""evaltui's own CPU per case, without the HTTP stack: the engine runs a suite whose requests are
answered in the process (the HTTP client's `request` returns a canned OpenAI answer at once), so
what is measured is everything evaltui does around a request: loading and walking the suite,
rendering, the ask/retry/rate-limit path, building the body and parsing the answer, scoring, the
result row, the writer thread's SQLite inserts, the run's end. Several checkouts interleaved,
round by round, so a loaded machine's swings fall on all of them alike.

    python bench/own_cpu.py [--cases 20000] [--repeat 5] [COMMIT ...]      (default: HEAD)
    python bench/own_cpu.py --instructions [--cases 3000] [--repeat 1] [COMMIT ...]

Prints, per checkout, the median CPU per case of the whole process (start-up included) and of the
run itself (engine and writer threads), and the writer thread's share.

`--watched`: the run has the subscriber `evaltui run` gives it (its progress display), so each
case's event is built and handed over as on the command line; without it the run is unwatched.

On a loaded machine CPU time moves by a tenth or more between runs, more than most single cuts.
`--instructions` counts instead of timing: each run goes under valgrind's callgrind (about fifty
times slower), and a 1-case run's count (the start-up) is taken off, so what is printed is the
instructions a case of the run, which the machine's load does not change.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from engine_ab import export

from engine import make_suite

HERE = Path(__file__).parent
ANSWER = {
    "id": "cmpl-1",
    "object": "chat.completion",
    "model": "fake",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ALPHA"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 2, "completion_tokens": 1, "total_tokens": 3},
}


def child(suite: str, db: str, watched: bool = False) -> None:
    """One run, in this process, with the HTTP client answering at once."""
    import asyncio
    import resource
    import time

    from multidict import CIMultiDict

    import evaltui.providers.http as http
    import evaltui.store.writer as writer

    body = json.dumps(ANSWER).encode()
    headers = CIMultiDict({"Content-Type": "application/json", "Content-Length": str(len(body))})

    async def answer(self, method, url, **kwargs):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0)  # a real request yields to the loop at least once
        return http.Response(200, "OK", headers, body)

    http.HttpClient.request = answer  # type: ignore[method-assign]
    spent = [0.0]
    run_thread = writer.ResultWriter._run

    def timed_run(self):  # type: ignore[no-untyped-def]
        start = time.thread_time()
        try:
            run_thread(self)
        finally:
            spent[0] += time.thread_time() - start

    writer.ResultWriter._run = timed_run  # type: ignore[method-assign]

    from evaltui.engine import Runner, RunOptions, prepare
    from evaltui.engine.headless import run_headless
    from evaltui.store import Store
    from evaltui.suites import load_suite

    loaded = load_suite(suite)
    store = Store(db)
    runner = Runner(store, prepare(loaded), loaded.models[0], RunOptions(concurrency=50, use_cache=False))
    if watched:
        from evaltui.progress import ProgressDisplay

        runner.subscribe(ProgressDisplay())
    cpu = time.process_time()
    run_headless(runner.run())
    cpu = time.process_time() - cpu
    run = store.get_run(runner.run_id)
    done = run["done"] if isinstance(run, dict) else run.done
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps({"done": done, "run": cpu, "process": usage.ru_utime + usage.ru_stime, "writer": spent[0]})
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("commits", nargs="*", default=["HEAD"])
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--instructions", action="store_true", help="count with callgrind, not time")
    parser.add_argument("--watched", action="store_true", help="with evaltui run's progress display")
    args = parser.parse_args()
    child_args = ["--child-watched" if args.watched else "--child"]
    if args.instructions:
        count_instructions(args.commits, args.cases, args.repeat, child_args)
        return
    figures: dict[str, list[dict[str, float]]] = {c: [] for c in args.commits}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sources = {c: export(c, folder / f"src{i}") for i, c in enumerate(args.commits)}
        for src in sources.values():  # bytecode once, as an installed package has it
            subprocess.run(
                [sys.executable, "-m", "compileall", "-q", str(src)], check=True, capture_output=True
            )
        suite = make_suite(folder, args.cases, "http://127.0.0.1:9")
        for round_ in range(args.repeat):
            order = args.commits[round_ % len(args.commits) :] + args.commits[: round_ % len(args.commits)]
            for commit in order:
                db = folder / "run.db"
                for path in folder.glob("run.db*"):
                    path.unlink()
                env = {**os.environ, "BENCH_API_KEY": "bench-dummy-key", "PYTHONPATH": str(sources[commit])}
                out = subprocess.run(
                    [sys.executable, __file__, *child_args, str(suite), str(db)],
                    capture_output=True, text=True, check=True, env=env,
                )  # fmt: skip
                figures[commit].append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"{args.cases} cases, {args.repeat} interleaved rounds; CPU per case, medians (range)")
    for commit, runs in figures.items():

        def us(key: str, runs: list[dict[str, float]] = runs) -> str:
            values = [r[key] / r["done"] * 1e6 for r in runs]
            return f"{statistics.median(values):6.1f} us ({min(values):.0f}-{max(values):.0f})"

        print(f"{commit:>12}  process {us('process')}  run {us('run')}  writer thread {us('writer')}")


def count_instructions(commits: list[str], cases: int, repeat: int, child_args: list[str]) -> None:
    """Instructions a case of the run, per checkout: a run of `cases` less a run of one case."""
    counts: dict[str, list[float]] = {c: [] for c in commits}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sources = {c: export(c, folder / f"src{i}") for i, c in enumerate(commits)}
        for src in sources.values():
            subprocess.run(
                [sys.executable, "-m", "compileall", "-q", str(src)], check=True, capture_output=True
            )
        (folder / "one").mkdir()
        suites = {
            n: make_suite(folder / ("one" if n == 1 else ""), n, "http://127.0.0.1:9") for n in (1, cases)
        }

        def collected(commit: str, n: int) -> int:
            for path in folder.glob("run.db*"):
                path.unlink()
            env = {**os.environ, "BENCH_API_KEY": "bench-dummy-key", "PYTHONPATH": str(sources[commit])}
            out = subprocess.run(
                ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
                 *child_args, str(suites[n]), str(folder / "run.db")],
                capture_output=True, text=True, check=True, env=env,
            )  # fmt: skip
            found = re.search(r"Collected : (\d+)", out.stderr)
            assert found, out.stderr[-500:]
            return int(found.group(1))

        start_up = {c: collected(c, 1) for c in commits}
        for round_ in range(repeat):
            for commit in commits[round_ % len(commits) :] + commits[: round_ % len(commits)]:
                counts[commit].append((collected(commit, cases) - start_up[commit]) / (cases - 1))
    print(f"{cases} cases, {repeat} round(s); instructions a case of the run (callgrind), medians (range)")
    first = statistics.median(counts[commits[0]])
    for commit, values in counts.items():
        median = statistics.median(values)
        print(
            f"{commit:>12}  {median / 1000:8.1f} K ({min(values) / 1000:.1f}-{max(values) / 1000:.1f})"
            f"  {100 * (median / first - 1):+5.1f}% against {commits[0]}  start-up {start_up[commit] / 1e6:.0f} M"
        )


if __name__ == "__main__":
    if sys.argv[1:2] in (["--child"], ["--child-watched"]):
        child(sys.argv[2], sys.argv[3], watched=sys.argv[1] == "--child-watched")
    else:
        main()
