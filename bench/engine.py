"""Engine throughput: N cases through `evaltui run` against a loopback model API in another process.

Reports wall time against the limit N x L / C (every request in flight all the time) and the harness's
CPU per 1,000 cases, median of --repeat runs. The API is bench/lean_api.py (a few tens of microseconds
of CPU a request, as a remote API costs the client's machine nothing); one row repeats concurrency
64 against tests/fake_api.py, whose aiohttp server spends 0.5-0.9 ms a request on the same cores.
Usage:
    python bench/engine.py [--cases 5000] [--repeat 3] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _harness import fake_api, machine, machine_speed, median, timed, write_section

HERE = Path(__file__).parent

SCENARIOS = [(100, 64, "lean"), (100, 256, "lean"), (0, 64, "lean"), (100, 64, "aiohttp")]


def make_suite(folder: Path, n: int, base_url: str) -> Path:
    words = ["alpha", "beta", "gamma", "delta", "eta", "zeta", "theta", "iota", "kappa", "lambda"]
    with open(folder / "cases.jsonl", "w") as f:
        for i in range(n):
            text = " ".join(words[(i * 7 + k * 3) % len(words)] for k in range(6))
            f.write(
                json.dumps({"id": f"c{i}", "input": text, "expected": text.upper() if i % 5 else text}) + "\n"
            )
    suite = folder / "bench.yaml"
    suite.write_text(
        "name: engine-bench\nprompt: 'Q: {{ input }}'\nmodels:\n  - id: fake\n    provider: openai\n"
        f"    model: fake\n    base_url: {base_url}/v1\n    api_key_env: BENCH_API_KEY\n"
        "scorers:\n  - type: equals\ncases:\n  - file: cases.jsonl\n"
    )
    return suite


def run_driver(suite: Path, db: Path, conc: int) -> dict:
    out = subprocess.run(
        [sys.executable, str(HERE / "engine_driver.py"), str(suite), str(db), str(conc)],
        capture_output=True, text=True, check=True, env={**os.environ, "BENCH_API_KEY": "bench-dummy-key"},
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="update docs/BENCHMARKS.md")
    args = parser.parse_args()
    evaltui = str(Path(sys.executable).with_name("evaltui"))
    env = {**os.environ, "BENCH_API_KEY": "bench-dummy-key"}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for latency, conc, server in SCENARIOS:
            with fake_api(latency, server) as url:
                suite = make_suite(folder, args.cases, url)
                runs, cli_walls = [], []
                tag = f"{latency}-{conc}-{server}"
                for i in range(args.repeat):
                    speed = machine_speed()
                    result = run_driver(suite, folder / f"d{tag}-{i}.db", conc)
                    result["speed"] = speed
                    assert result["done"] == args.cases and result["errors"] == 0, result
                    runs.append(result)
                    db = folder / f"c{tag}-{i}.db"
                    wall, _, _ = timed(
                        [evaltui, "run", str(suite), "--no-cache", "-q", "-c", str(conc), "--db", str(db)],
                        env,
                    )
                    cli_walls.append(wall)
            limit = args.cases * latency / 1000 / conc
            row = {
                "latency": latency,
                "conc": conc,
                "server": server,
                "limit": limit,
                "engine_wall": median([r["engine_wall"] for r in runs]),
                "cpu_ms_case": median([r["engine_cpu"] for r in runs]) / args.cases * 1000,
                "process_wall": median([r["process_wall"] for r in runs]),
                "process_cpu": median([r["process_cpu"] for r in runs]),
                "cli_wall": median(cli_walls),
                "rss": max(r["rss_mib"] for r in runs),
                "runs": [(r["engine_wall"], r["speed"]) for r in runs],
            }
            rows.append(row)
            print(row, flush=True)
    lines = [
        f"Machine: {machine()}. Command: `python bench/engine.py --cases {args.cases} --repeat {args.repeat}`.",
        "Medians of the repeats. The API runs in its own process on the same 2 cores: *lean* is",
        "`bench/lean_api.py`, *aiohttp* the tests' `tests/fake_api.py` (0.5-0.9 ms of CPU a request itself).",
        "*Engine wall* runs from the run's start (its planning included) to its end (what the limit N×L/C applies to);",
        "*harness CPU* is the evaltui process's CPU (all threads) in that phase, per case.",
        "*Process* figures include interpreter start-up, loading and preparing the suite;",
        "*CLI wall* is `evaltui run SUITE --no-cache -q` end to end, with the summary printed.",
        "",
        "| API | latency | concurrency | limit N×L/C s | engine wall s | % of limit | harness CPU ms/case | CPU s per 1,000 cases | process wall s | process CPU s | CLI wall s | max RSS MiB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        pct = f"{100 * r['limit'] / r['engine_wall']:.0f}%" if r["limit"] else "n/a"
        lines.append(
            f"| {r['server']} | {r['latency']} ms | {r['conc']} | {r['limit']:.2f} | {r['engine_wall']:.2f} | {pct} | "
            f"{r['cpu_ms_case']:.3f} | {r['cpu_ms_case']:.2f} | {r['process_wall']:.2f} | "
            f"{r['process_cpu']:.2f} | {r['cli_wall']:.2f} | {r['rss']} |"
        )
    lines += [
        "",
        "Each run's share of the limit, with the seconds a fixed Python loop took just before it (this",
        "shared machine's speed moves about twofold from minute to minute; lower is faster):",
    ]
    for r in rows:
        if r["limit"]:
            each = ", ".join(f"{100 * r['limit'] / wall:.0f}% ({speed:.2f} s)" for wall, speed in r["runs"])
            lines.append(f"- {r['server']}, {r['latency']} ms, concurrency {r['conc']}: {each}")
    table = "\n".join(lines)
    print(table)
    if args.write:
        write_section("engine", f"## Engine throughput ({args.cases:,} cases)\n\n{table}")


if __name__ == "__main__":
    main()
