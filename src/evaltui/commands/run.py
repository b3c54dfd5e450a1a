"""`evaltui run`: load and prepare a suite, run it against each model, show progress, summarise."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from rich.console import Console

from evaltui.commands.gate import (
    GateOptions,
    apply_gates,
    matrix_table,
    raise_if_failed,
    resolve_baseline,
    write_json,
)
from evaltui.config import Config, packaged_dir
from evaltui.console import EventLines, show_progress
from evaltui.engine import RunOptions, make_runners, prepare
from evaltui.engine.headless import run_headless
from evaltui.engine.resume import load_run_definition
from evaltui.engine.runner import Runner
from evaltui.errors import EvaltuiError
from evaltui.suites import load_suite, parse_model_spec
from evaltui.suites.models import ModelSpec, Suite


def find_suite(path: Path) -> Path:
    """A path as given, else a packaged sample by file name (`support_intent.yaml` works anywhere)."""
    if path.exists():
        return path
    samples = packaged_dir("samples")
    for candidate in (path.name, f"{path.name}.yaml"):
        if samples and (samples / candidate).is_file():
            return samples / candidate
    raise EvaltuiError(f"{path}: no such suite file")


def pick_models(suite: Suite, wanted: tuple[str, ...]) -> list[ModelSpec]:
    """-m values name a suite model by id, or are specs of their own; none given: the suite's."""
    if not wanted:
        if not suite.models:
            raise EvaltuiError(
                f"{suite.path}: the suite names no models; give one with -m (try -m demo:keyword)"
            )
        return list(suite.models)
    by_id = {m.id: m for m in suite.models}
    return [by_id.get(w) or parse_model_spec(w) for w in wanted]


def run_command(config: Config, suite_path: Path | None, err: Console, out: Console, **opts: Any) -> int:
    from evaltui.cli import open_store

    store = open_store(config)
    resume = opts["resume"]
    if resume:
        run_id = store.resolve_run(resume)
        suite, model = load_run_definition(store, run_id)
        models = [model]
    else:
        run_id = None
        suite = load_suite(find_suite(suite_path))  # type: ignore[arg-type]
        models = pick_models(suite, opts["models"])
    gate = GateOptions(
        baseline=opts["baseline"],
        fail_under=opts["fail_under"],
        max_regressions=opts["max_regressions"],
        junit=opts["junit"],
        report=opts["report"],
    )
    baseline_id = resolve_baseline(store, gate)  # before running: a missing baseline is exit 2
    prepared = prepare(suite)
    options = RunOptions(
        concurrency=opts["concurrency"] or config.concurrency,
        limit=opts["limit"],
        tags=tuple(opts["tags"]),
        label=opts["label"],
        epochs=opts["epochs"],
        use_cache=not opts["no_cache"],
        retry_errors=opts["retry_errors"],
        prices=dict(config.prices),
    )
    events = EventLines(opts["events"]) if opts["events"] else None
    subscribers = (events,) if events else ()
    if run_id:
        runners = [Runner(store, prepared, models[0], options, resume_run_id=run_id, subscribers=subscribers)]
    else:
        runners = make_runners(store, prepared, models, options, subscribers=subscribers)
    show = not opts["quiet"] and opts["events"] != "-"
    try:
        run_ids = run_headless(_drive(runners, err if show else None))
    finally:
        if events:
            events.close()
    from evaltui.commands.show import print_summaries

    statuses = [store.get_run(r)["status"] for r in run_ids]
    quiet_out = opts["events"] == "-" or opts["json_out"] == "-"
    if not quiet_out:
        print_summaries(store, run_ids, out)
        if len(run_ids) > 1:
            out.print(matrix_table(store, run_ids))
    if "interrupted" in statuses:
        _write_json(store, run_ids, opts["json_out"], None)
        err.print(
            f"interrupted; resume with: evaltui run --resume {run_ids[statuses.index('interrupted')]}",
            markup=False,
        )
        return 130
    entries = None
    if gate.active or gate.junit or gate.report:
        entries = apply_gates(store, run_ids, baseline_id, gate, err if quiet_out else out)
    _write_json(store, run_ids, opts["json_out"], entries)
    if entries is not None:
        raise_if_failed(entries)
    return 0


def _write_json(store: Any, run_ids: list[str], target: str | None, entries: list[dict] | None) -> None:
    """`--json`: each run's summary; with gates, each also carries its comparison and gate verdicts."""
    from evaltui.commands.show import summary_dict

    if target:
        write_json(entries if entries is not None else [summary_dict(store, r) for r in run_ids], target)


async def _drive(runners: list[Runner], console: Console | None) -> list[str]:
    from evaltui.cli import install_interrupt

    install_interrupt(lambda: [r.cancel() for r in runners])
    finished = asyncio.Event()
    display = asyncio.create_task(show_progress(runners, console, finished)) if console else None
    try:
        return list(await asyncio.gather(*(r.run() for r in runners)))
    finally:
        finished.set()
        if display:
            await display
