"""Engine throughput: N cases through `evaltui run` against the loopback fake API in another process.

Reports wall time against the limit N x L / C (every request in flight all the time) and the harness's
CPU per 1,000 cases, median of --repeat runs. Usage:
    python bench/engine.py [--cases 5000] [--repeat 3] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from _harness import fake_api, machine, median, timed, write_section

SCENARIOS = [(100, 64), (100, 256), (0, 64)]


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
        for latency, conc in SCENARIOS:
            with fake_api(latency) as url:
                suite = make_suite(folder, args.cases, url)
                (folder / "one").mkdir(exist_ok=True)
                one = make_suite(folder / "one", 1, url)
                walls, cpus, rss = [], [], []
                start_cpu = []
                for i in range(args.repeat):
                    db = folder / f"r{latency}-{conc}-{i}.db"
                    w, c, m = timed(
                        [evaltui, "run", str(suite), "--no-cache", "-q", "-c", str(conc), "--db", str(db)],
                        env,
                    )
                    walls.append(w), cpus.append(c), rss.append(m)
                    _, c1, _ = timed(
                        [evaltui, "run", str(one), "--no-cache", "-q", "--db", str(db) + "1"], env
                    )
                    start_cpu.append(c1)
                limit = args.cases * latency / 1000 / conc
                wall, cpu, base = median(walls), median(cpus), median(start_cpu)
                per_case_ms = (cpu - base) / args.cases * 1000
                rows.append((latency, conc, limit, wall, cpu, base, per_case_ms, max(rss)))
                print(
                    f"L={latency}ms C={conc}: wall {wall:.2f}s limit {limit:.2f}s cpu {cpu:.2f}s "
                    f"(start-up {base:.2f}s) -> {per_case_ms:.3f} ms CPU/case",
                    flush=True,
                )
    lines = [
        f"Machine: {machine()}. Command: `python bench/engine.py --cases {args.cases} --repeat {args.repeat}`.",  # noqa: E501
        "Each figure is the median of the repeats; the fake API runs in its own process on the same 2 cores.",
        "CPU is the `evaltui run` process's user+sys time; per case it is net of a 1-case run's (start-up).",
        "",
        "| latency | concurrency | limit N×L/C s | wall s | % of limit | CPU s | start-up CPU s | harness CPU ms/case | CPU s per 1,000 cases | max RSS MiB |",  # noqa: E501
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for lat, conc, limit, wall, cpu, base, per, rss in rows:
        pct = f"{100 * limit / wall:.0f}%" if limit else "n/a (0 ms)"
        lines.append(
            f"| {lat} ms | {conc} | {limit:.2f} | {wall:.2f} | {pct} | {cpu:.2f} | {base:.2f} | {per:.3f} | {per:.2f} | {rss} |"  # noqa: E501
        )
    table = "\n".join(lines)
    print(table)
    if args.write:
        write_section("engine", f"## Engine throughput ({args.cases:,} cases)\n\n{table}")


if __name__ == "__main__":
    main()
