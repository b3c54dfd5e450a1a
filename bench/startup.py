"""What `evaltui run` spends before its first request, per checkout: the peer benchmark's command
(its suite of 2,000 cases, a fresh database, `--no-cache`) run until the moment its first request
would be sent, where the process ends (the HTTP client imported by then, as a real run does), so
no server is needed. Several checkouts interleaved, round by round.

    python bench/startup.py [--repeat 9] [--cases 2000] [COMMIT ...]            wall, medians
    python bench/startup.py --instructions [--repeat 1] [COMMIT ...]            callgrind counts
    python bench/startup.py --importtime [COMMIT]      the imports on that path, by their own time

Wall time moves with the machine's load; `--instructions` counts under valgrind's callgrind
instead (the machine's load does not change it). A checkout is a commit (`git archive`), or
`.` for the working tree as it is. Bytecode is compiled first, as an installed package has it.
"""

from __future__ import annotations

import argparse
import importlib.abc
import importlib.util
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from engine_ab import export

from engine import make_suite

ROOT = Path(__file__).resolve().parent.parent


def child(suite: str, db: str, started: float) -> None:
    """`evaltui run SUITE` in this process, ended as its first request is about to be sent. The
    HTTP client is patched as the command itself imports it (not imported here first: what the
    command does around its imports, such as pausing the garbage collector, counts as it would)."""

    async def first_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        import aiohttp  # noqa: F401  (a real first request imports it here)

        print(f"{time.time() - started:.4f}", flush=True)
        os._exit(0)

    class PatchOnImport(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
            if name != "evaltui.providers.http":
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(name)
            run_module = spec.loader.exec_module

            def exec_module(module):  # type: ignore[no-untyped-def]
                run_module(module)
                module.HttpClient.request = first_request

            spec.loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, PatchOnImport())
    from evaltui.cli import main

    sys.argv = ["evaltui", "run", suite, "--concurrency", "50", "--no-cache", "--db", db]
    main()  # on the process's own arguments, as the `evaltui` script calls it


def sources(commits: list[str], folder: Path) -> dict[str, Path]:
    found = {}
    for i, commit in enumerate(commits):
        if commit == ".":
            found[commit] = folder / f"src{i}" / "src"
            shutil.copytree(ROOT / "src", found[commit], ignore=shutil.ignore_patterns("__pycache__"))
        else:
            found[commit] = export(commit, folder / f"src{i}")
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(found[commit])], check=True)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("commits", nargs="*", default=["HEAD"])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--instructions", action="store_true", help="count with callgrind, not time")
    parser.add_argument("--importtime", action="store_true", help="python -X importtime of that path")
    args = parser.parse_args()
    repeat = args.repeat or (1 if args.instructions or args.importtime else 9)
    figures: dict[str, list[float]] = {c: [] for c in args.commits}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        found = sources(args.commits, folder)
        suite = make_suite(folder, args.cases, "http://127.0.0.1:9")
        for round_ in range(repeat):
            shift = round_ % len(args.commits)
            for commit in args.commits[shift:] + args.commits[:shift]:
                for path in folder.glob("run.db*"):
                    path.unlink()
                env = {**os.environ, "BENCH_API_KEY": "bench-dummy-key", "PYTHONPATH": str(found[commit])}
                env.pop("PYTHONDONTWRITEBYTECODE", None)
                command = [sys.executable, __file__, "--child", str(suite), str(folder / "run.db")]
                if args.importtime:
                    out = subprocess.run(
                        [sys.executable, "-X", "importtime", *command[1:], str(time.time())],
                        capture_output=True, text=True, env=env,
                    )  # fmt: skip
                    print_imports(commit, out.stderr)
                    continue
                if args.instructions:
                    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command]
                out = subprocess.run([*command, str(time.time())], capture_output=True, text=True, env=env)
                if out.returncode != 0 or not out.stdout.strip():
                    sys.exit(f"{commit}: the run did not reach its first request:\n{out.stderr[-2000:]}")
                if args.instructions:
                    found_count = re.search(r"Collected : (\d+)", out.stderr)
                    assert found_count, out.stderr[-500:]
                    figures[commit].append(int(found_count.group(1)))
                else:
                    figures[commit].append(float(out.stdout.split()[-1]))
    if args.importtime:
        return
    unit = "M instructions" if args.instructions else "ms"
    scale = 1e-6 if args.instructions else 1e3
    print(
        f"{args.cases} cases, {repeat} interleaved round(s); start to first request, medians (range), {unit}"
    )
    first = statistics.median(figures[args.commits[0]])
    for commit, values in figures.items():
        median = statistics.median(values)
        print(
            f"{commit:>12}  {median * scale:8.1f} ({min(values) * scale:.1f}-{max(values) * scale:.1f})"
            f"  {100 * (median / first - 1):+5.1f}% against {args.commits[0]}"
        )


def print_imports(commit: str, stderr: str) -> None:
    """Each module's own import time on the path, largest first, and the total."""
    own: list[tuple[int, str]] = []
    for line in stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if found:
            own.append((int(found.group(1)), found.group(2)))
    own.sort(reverse=True)
    print(f"{commit}: {len(own)} modules, {sum(t for t, _ in own) / 1000:.1f} ms of their own")
    for spent, name in own[:40]:
        print(f"  {spent / 1000:6.1f} ms  {name}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    else:
        main()
