"""Memory of a run against the size of its suite: N cases through `evaltui run` with a Python
component as the model (no network, so the harness alone is measured), reporting the process's
peak RSS (the kernel's rusage) and cases a second (N over the command's wall time, start-up,
loading and the summary included), medians of --repeat runs at each size. With several sizes it
prints the slope: the peak's growth between the smallest and the largest size, in bytes a case.

`--epochs E` asks each case E times. `--resume` measures a resumed run's end instead: the run is
made first, half its results deleted and the run marked interrupted, then `evaltui run --resume`
asks that half again and computes the run's metrics from all its rows (the process measured).
`--src DIR` runs another checkout's src/ (prepended to PYTHONPATH) for an A/B of the same sizes.

The suite is bench/engine.py's shape (a JSONL case file, `equals`), the model a module on
PYTHONPATH: `def echo(messages, vars=None): return messages[-1]["content"].upper()`.
Usage:
    python bench/memory.py [--cases 100000 1000000] [--repeat 3] [--epochs 1] [--resume]
                           [--src ../other/src] [--write]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
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


def halve(db: Path) -> str:
    """The run in `db` made resumable with half its results to ask again: its id."""
    conn = sqlite3.connect(db)
    try:
        (run_id,) = conn.execute("SELECT id FROM runs").fetchone()
        conn.execute("DELETE FROM results WHERE run_id = ? AND rowid % 2 = 0", (run_id,))
        conn.execute("UPDATE runs SET status = 'interrupted', metrics = NULL WHERE id = ?", (run_id,))
        conn.commit()
        return str(run_id)
    finally:
        conn.close()


def measure(
    evaltui: str, folder: Path, suite: Path, env: dict[str, str], args: argparse.Namespace, i: int
) -> tuple[float, float, int]:
    """(wall s, cpu s, peak RSS MiB) of the command measured."""
    db = folder / f"m{i}.db"
    run = [evaltui, "run", str(suite), "--db", str(db), "-q", "--no-cache", "--epochs", str(args.epochs)]
    if not args.resume:
        return timed(run, env)
    timed(run, env)
    return timed([evaltui, "run", "--resume", halve(db), "--db", str(db), "-q"], env)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--resume", action="store_true", help="measure a resumed run of half the results")
    parser.add_argument("--src", default=None, help="another checkout's src/, put first on PYTHONPATH")
    parser.add_argument("--write", action="store_true", help="update docs/BENCHMARKS.md")
    args = parser.parse_args()
    evaltui = str(Path(sys.executable).with_name("evaltui"))
    rows = []
    for n in args.cases:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            suite = python_suite(folder, n)
            paths = [str(Path(args.src).resolve())] if args.src else []
            env = {**os.environ, "PYTHONPATH": os.pathsep.join([*paths, str(folder)])}
            runs = []
            for i in range(args.repeat):
                speed = machine_speed()
                wall, cpu, rss = measure(evaltui, folder, suite, env, args, i)
                runs.append((wall, cpu, rss, speed))
                print(
                    f"{n} cases: {wall:.1f} s, {rss} MiB, {n / wall:.0f} cases/s, speed {speed:.2f} s",
                    flush=True,
                )
        rows.append((n, runs))
    what = "`evaltui run --resume` of half the results of a run" if args.resume else "each run"
    lines = [
        f"Machine: {machine()}, shared with other engineers' builds and tests while measured (its",
        "speed moved; the seconds a fixed Python loop took before each run are given, lower is faster).",
        f"Command: `python bench/memory.py --cases {' '.join(map(str, args.cases))} --repeat {args.repeat}"
        f" --epochs {args.epochs}{' --resume' if args.resume else ''}`,",
        f"{what} `evaltui run SUITE --db FILE -q --no-cache --epochs {args.epochs}` with a Python",
        "component as the model.",
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
    if len(rows) > 1:
        (n0, runs0), (n1, runs1) = rows[0], rows[-1]
        grown = (median([r[2] for r in runs1]) - median([r[2] for r in runs0])) * 1024 * 1024
        lines += ["", f"Slope {n0:,} -> {n1:,} cases: {grown / (n1 - n0):.0f} bytes a case of peak RSS."]
    table = "\n".join(lines)
    print(table)
    if args.write:
        write_section("memory", f"## Memory against suite size\n\n{table}")


if __name__ == "__main__":
    main()
