"""Memory of a run against the size of its suite: N cases through `evaltui run` with a Python
component as the model (no network, so the harness alone is measured), reporting the process's
peak RSS (the kernel's rusage) and cases a second (N over the command's wall time, start-up,
loading and the summary included), medians of --repeat runs at each size.

The suite is bench/engine.py's shape (a JSONL case file, `equals`), the model a module on
PYTHONPATH: `def echo(messages, vars=None): return messages[-1]["content"].upper()`.
Usage:
    python bench/memory.py [--cases 100000 1000000] [--repeat 3] [--write]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from _harness import machine, machine_speed, median, timed, write_section

from engine import make_suite

COMPONENT = 'def echo(messages, vars=None):\n    return messages[-1]["content"].upper()\n'


def python_suite(folder: Path, n: int) -> Path:
    """bench/engine.py's suite with the python component as its one model."""
    suite = make_suite(folder, n, "http://unused")
    suite.write_text(
        "name: memory-bench\nprompt: 'Q: {{ input }}'\nmodels:\n  - id: echo\n    provider: python\n"
        "    model: membench_component:echo\nscorers:\n  - type: equals\ncases:\n  - file: cases.jsonl\n"
    )
    (folder / "membench_component.py").write_text(COMPONENT)
    return suite


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="update docs/BENCHMARKS.md")
    args = parser.parse_args()
    evaltui = str(Path(sys.executable).with_name("evaltui"))
    rows = []
    for n in args.cases:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            suite = python_suite(folder, n)
            env = {**os.environ, "PYTHONPATH": str(folder)}
            runs = []
            for i in range(args.repeat):
                speed = machine_speed()
                db = folder / f"m{i}.db"
                wall, cpu, rss = timed([evaltui, "run", str(suite), "--db", str(db), "-q", "--no-cache"], env)
                runs.append((wall, cpu, rss, speed))
                print(
                    f"{n} cases: {wall:.1f} s, {rss} MiB, {n / wall:.0f} cases/s, speed {speed:.2f} s",
                    flush=True,
                )
        rows.append((n, runs))
    lines = [
        f"Machine: {machine()}, shared with other engineers' builds and tests while measured (its",
        "speed moved; the seconds a fixed Python loop took before each run are given, lower is faster).",
        f"Command: `python bench/memory.py --cases {' '.join(map(str, args.cases))} --repeat {args.repeat}`,",
        "each run `evaltui run SUITE --db FILE -q --no-cache` with a Python component as the model.",
        "",
        "| cases | peak RSS MiB | cases/s | wall s | CPU s | runs: wall s (loop s) |",
        "|---|---|---|---|---|---|",
    ]
    for n, runs in rows:
        walls = [r[0] for r in runs]
        each = ", ".join(f"{w:.0f} ({s:.2f})" for w, _, _, s in runs)
        lines.append(
            f"| {n:,} | {median([r[2] for r in runs]):.0f} | {n / median(walls):.0f} | {median(walls):.1f} | "
            f"{median([r[1] for r in runs]):.1f} | {each} |"
        )
    table = "\n".join(lines)
    print(table)
    if args.write:
        write_section("memory", f"## Memory against suite size\n\n{table}")


if __name__ == "__main__":
    main()
