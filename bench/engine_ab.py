"""Engine CPU per case, two commits interleaved: for measuring a change on a machine that is not quiet.

Each commit's `src/` is exported with `git archive` and run through bench/engine_driver.py with
PYTHONPATH pointing at it; the two alternate against one fake API process, so both see the same load.
Usage:
    python bench/engine_ab.py BEFORE_COMMIT [AFTER_COMMIT=HEAD] [--latency-ms 100] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _harness import ROOT, fake_api

from engine import make_suite

HERE = Path(__file__).parent


def export(commit: str, folder: Path) -> Path:
    folder.mkdir()
    archive = subprocess.run(["git", "archive", commit, "src"], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder / "src"


def one_run(src: Path, suite: Path, db: Path, concurrency: int) -> dict:
    env = {**os.environ, "BENCH_API_KEY": "bench-dummy-key", "PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, str(HERE / "engine_driver.py"), str(suite), str(db), str(concurrency)],
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("before")
    parser.add_argument("after", nargs="?", default="HEAD")
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    commits = {"before": args.before, "after": args.after}
    cpu: dict[str, list[float]] = {name: [] for name in commits}
    wall: dict[str, list[float]] = {name: [] for name in commits}
    with tempfile.TemporaryDirectory() as tmp, fake_api(args.latency_ms, "lean") as url:
        folder = Path(tmp)
        sources = {name: export(commit, folder / name) for name, commit in commits.items()}
        suite = make_suite(folder, args.cases, url)
        for i in range(args.repeat):
            for name, src in sources.items():
                result = one_run(src, suite, folder / f"{name}-{i}.db", args.concurrency)
                assert result["done"] == args.cases and result["errors"] == 0, result
                cpu[name].append(result["engine_cpu"] / args.cases * 1000)
                wall[name].append(result["engine_wall"])
    print(
        f"{args.latency_ms} ms latency, concurrency {args.concurrency}, {args.cases} cases, {args.repeat} runs each"
    )
    for name, commit in commits.items():
        print(
            f"{name} ({commit}): harness CPU ms/case median {statistics.median(cpu[name]):.3f} "
            f"(best {min(cpu[name]):.3f}), engine wall median {statistics.median(wall[name]):.2f} s"
        )


if __name__ == "__main__":
    main()
