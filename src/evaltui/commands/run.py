"""`evaltui run`: load and prepare a suite, run it against each model, show progress, summarise."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import signal
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evaltui.commands.database import open_store, stored_run
from evaltui.config import Config, packaged_dir
from evaltui.engine import RunOptions
from evaltui.engine.headless import run_headless
from evaltui.engine.launch import launch_runners
from evaltui.engine.runner import Runner
from evaltui.errors import EvaltuiError
from evaltui.progress import REFRESH_S, EventLines, ProgressDisplay, show_progress
from evaltui.providers.keys import check_keys
from evaltui.records import RunRecord
from evaltui.scorers.sandbox_choice import unsandboxed_warning, with_sandbox
from evaltui.suites import load_suite, named_models
from evaltui.suites.models import ModelSpec, Suite
from evaltui.terminal import Terminal

if TYPE_CHECKING:
    from rich.console import Console

    from evaltui.reports.gating import GateEntry
    from evaltui.store import Store

# The CI gate's modules (commands/gate.py, the comparison, the reports) are imported only by a run
# given a gate option (--baseline, --fail-under, --max-regressions, --junit, --report), --json or
# several models: a plain run does without them.
GATE_OPTIONS = ("baseline", "fail_under", "max_regressions", "junit", "report")

# A run stopped because its model could not be asked at all (endpoint unreachable, key refused):
# not 1 (the model answered and a gate judged it) nor 2 (nothing ran: bad input), so CI can retry
# or alert on infrastructure without mistaking it for a regression.
EXIT_FAILED = 3
EXIT_BUDGET = 4  # a run `stopped` at its cost ceiling (--max-cost, max_cost_usd) with cases left


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
    return named_models(suite, wanted)


def unpriced_ceiling(runners: list[Any], config: Config) -> list[str]:
    """A cost ceiling counts an unknown cost as nothing: say so for each remote model with no price
    (a demo model costs nothing; a python component may report its own costs)."""
    from evaltui.analysis.pricing import price_for

    said: dict[str, str] = {}  # by model: its prompt variants share one warning
    for runner in runners:
        spec = runner.model
        ceiling = runner.options.max_cost_usd or runner.prepared.suite.max_cost_usd
        if ceiling is None or spec.provider not in ("openai", "anthropic", "ollama") or spec.price:
            continue
        if price_for(spec.provider, spec.model, config.prices, base_url=spec.base_url) is None:
            said[spec.id] = (
                f"warning: {spec.id} has no price (price: on the model, or prices: in the config): "
                f"its spending is unknown, and the cost ceiling (--max-cost ${ceiling:g}) cannot stop it"
            )
    return list(said.values())


def run_command(config: Config, suite_path: Path | None, terminal: Terminal, **opts: Any) -> int:
    """Run, summarise, and close the store: with its last connection closed, SQLite removes the
    write-ahead log and its index, and the results are one file again. (On an error the store is
    left as it is: a thread of the run may still be using its connection.)"""
    store = open_store(config)
    code = _run(store, config, suite_path, terminal, **opts)
    store.close()
    return code


def _run(store: Store, config: Config, suite_path: Path | None, terminal: Terminal, **opts: Any) -> int:
    if opts["retry_errors"] and not opts["resume"]:
        raise EvaltuiError("--retry-errors goes with --resume RUN_ID: it asks a run's errored cases again")
    gated = any(opts[name] is not None for name in GATE_OPTIONS)
    if gated:
        from evaltui.commands.gate import GateOptions, resolve_baseline

        gate = GateOptions(**{name: opts[name] for name in GATE_OPTIONS})
        baseline_id = resolve_baseline(store, gate)  # before running: a missing baseline is exit 2
    if opts["resume"] and opts.get("sandbox"):
        raise EvaltuiError("--sandbox applies to a new run: a resumed run keeps its suite's choice")
    events = EventLines(opts["events"]) if opts["events"] else None
    show = not opts["quiet"] and opts["events"] != "-"
    display = ProgressDisplay() if show else None
    subscribers = tuple(d for d in (events, display) if d is not None)
    run_ids: list[str] = []  # known now for a resume; a new run's id is made when it starts
    if opts["resume"]:
        runners, run_ids = _resume(store, config, suite_path, opts, terminal, subscribers)
    elif opts.get("only_failing") or opts.get("rescore"):
        from evaltui.commands.rerun import rerun_runners

        suite_file = find_suite(suite_path) if suite_path is not None else None
        runners = rerun_runners(store, config, suite_file, opts, terminal.err, subscribers)
    else:
        assert suite_path is not None  # cli.py asks for a SUITE unless --resume or a rerun is given
        suite = load_suite(find_suite(suite_path), render=True)
        if opts.get("sandbox"):
            suite = with_sandbox(suite, opts["sandbox"])
        models = pick_models(suite, opts["models"])
        if opts.get("estimate"):
            print_estimates(store, config, suite, models, opts, terminal.out)
            return 0
        options = RunOptions(
            concurrency=opts["concurrency"] or config.concurrency,
            limit=opts["limit"],
            tags=tuple(opts["tags"]),
            label=opts["label"],
            epochs=opts["epochs"],
            use_cache=not opts["no_cache"],
            prices=dict(config.prices),
            max_cost_usd=opts.get("max_cost"),
        )
        variants = tuple(opts.get("variants") or ())
        runners = launch_runners(store, suite, models, options, variants=variants, subscribers=subscribers)
    for runner in runners[:1]:
        warning = unsandboxed_warning(runner.prepared.suite)
        if warning:
            terminal.err.print(warning, markup=False, style="bold yellow")
    for warning in unpriced_ceiling(runners, config):
        terminal.err.print(warning, markup=False, style="bold yellow")
    check_keys(runner.model for runner in runners)  # before any run is created or request sent
    quiet_out = opts["events"] == "-" or opts["json_out"] == "-"
    try:
        if runners:
            run_ids = run_headless(_drive(runners, display, terminal, summary=not quiet_out))
    finally:
        if events:
            events.close()
    runs = [stored_run(store, r) for r in run_ids]  # read once, for the verdicts and the summary
    statuses = [run.status for run in runs]
    if not quiet_out:
        from evaltui.commands.show import print_summaries

        print_summaries(store, runs, terminal.out)
        if len(run_ids) > 1:
            from evaltui.commands.gate import matrix_table

            terminal.out.print(matrix_table(store, run_ids))
    stopped = {run.id for run in runs if run.status == "stopped"}
    budget = [r for r in runners if r.run_id in stopped]
    if "interrupted" in statuses:
        _write_json(store, run_ids, opts["json_out"], None)
        terminal.err.print(
            f"interrupted; resume with: evaltui run --resume {run_ids[statuses.index('interrupted')]}",
            markup=False,
        )
        return 130
    failed = [runner for runner in runners if runner.stop_reason]
    if failed:
        _write_json(store, run_ids, opts["json_out"], None)
        for runner in failed:
            terminal.err.print(
                f"evaltui: run {runner.run_id} failed: {runner.stop_reason}\n"
                f"resume it once the model answers: evaltui run --resume {runner.run_id}",
                markup=False,
                soft_wrap=True,
            )
        return EXIT_FAILED
    if budget:
        _write_json(store, run_ids, opts["json_out"], None)
        for runner in budget:
            terminal.err.print(
                f"evaltui: run {runner.run_id} stopped: {runner.budget_reason}\n"
                "resume it (with a higher ceiling if need be): "
                f"evaltui run --resume {runner.run_id} --max-cost USD",
                markup=False,
                soft_wrap=True,
            )
        return EXIT_BUDGET
    if not gated:
        _write_json(store, run_ids, opts["json_out"], None)
        return 0
    from evaltui.commands.gate import apply_gates, raise_if_failed

    entries = apply_gates(store, run_ids, baseline_id, gate, terminal.err if quiet_out else terminal.out)
    _write_json(store, run_ids, opts["json_out"], entries)
    raise_if_failed(entries)
    return 0


def print_estimates(
    store: Store, config: Config, suite: Suite, models: list[ModelSpec], opts: dict[str, Any], out: Console
) -> None:
    """`--estimate`: each model's expected tokens, cost and time, saying where each figure comes from."""
    from rich.table import Table

    from evaltui.engine import prepare
    from evaltui.engine.estimate import estimate, history_of
    from evaltui.text import inert

    prepared = prepare(suite)
    table = Table(title="estimates (nothing was run)", title_justify="left", header_style="bold")
    for column in ("model", "requests", "tokens in", "tokens out", "cost", "time"):
        table.add_column(column, justify="left" if column == "model" else "right")
    notes: list[str] = []
    for model in models:
        guess = estimate(
            prepared,
            model,
            concurrency=opts["concurrency"] or config.concurrency,
            limit=opts["limit"],
            tags=tuple(opts["tags"]),
            epochs=opts["epochs"],
            prices=config.prices,
            history=history_of(store, suite.name, model.id),
        )
        seconds = "?" if guess.seconds is None else f"{guess.seconds:,.0f} s"
        tokens_out = "?" if guess.tokens_out is None else f"{guess.tokens_out:,}"
        table.add_row(
            inert(model.id),
            ("≥ " if guess.requests_how else "") + f"{guess.requests:,}",
            f"{guess.tokens_in:,}",
            tokens_out,
            guess.cost_text,
            seconds,
        )
        notes += [
            f"{model.id}: "
            + (f"requests {guess.requests_how}; " if guess.requests_how else "")
            + f"tokens in {guess.tokens_in_how}; tokens out {guess.tokens_out_how}; "
            f"cost {guess.cost_how}; time {guess.seconds_how}"
        ]
    out.print(table)
    for note in notes:
        out.print(note, markup=False, highlight=False, soft_wrap=True)


def _resume(
    store: Store,
    config: Config,
    suite_path: Path | None,
    opts: dict[str, Any],
    terminal: Terminal,
    subscribers: tuple[Any, ...],
) -> tuple[list[Runner], list[str]]:
    """The runner that finishes a run as it was started; none when a completed run has nothing
    to ask (said on stderr, with the way to ask its errored cases again)."""
    from evaltui.engine.resume import plan_resume

    run_id = store.resolve_run(opts["resume"])
    plan = plan_resume(
        store,
        run_id,
        retry_errors=opts["retry_errors"],
        no_cache=opts["no_cache"],
        concurrency=opts["concurrency"],
        prices=dict(config.prices),
        limit=opts["limit"],
        tags=tuple(opts["tags"]),
        max_cost_usd=opts.get("max_cost"),
    )
    _refuse_changes(stored_run(store, run_id), plan.started, suite_path, opts)
    for note in plan.notes:
        terminal.err.print(f"note: {note}", markup=False, soft_wrap=True)
    idle = plan.nothing_to_do()
    if idle:
        terminal.err.print(idle, markup=False, soft_wrap=True)  # the command in it stays one line to copy
        return [], [run_id]
    return [plan.runner(store, subscribers)], [run_id]


def _refuse_changes(
    run: RunRecord, started: dict[str, Any] | None, suite_path: Path | None, opts: dict[str, Any]
) -> None:
    """--resume finishes the run that was started: what chose its cases and model cannot change."""
    if suite_path is not None or opts["models"]:
        raise EvaltuiError(
            f"--resume {run.id} takes no SUITE and no -m: the run goes on with the suite and model "
            "it was started with"
        )
    changed = []
    if opts["epochs"] is not None and opts["epochs"] != run.epochs:
        changed.append(f"--epochs {run.epochs} (given: {opts['epochs']})")
    if opts["label"] is not None and opts["label"] != run.label:
        changed.append(f"--label {run.label or '(none)'} (given: {opts['label']})")
    if started is not None:
        if opts["limit"] is not None and opts["limit"] != started["limit"]:
            changed.append(f"--limit {started['limit'] or '(none)'} (given: {opts['limit']})")
        if opts["tags"] and sorted(opts["tags"]) != sorted(started["tags"]):
            was, given = ", ".join(started["tags"]) or "(none)", ", ".join(opts["tags"])
            changed.append(f"--tag {was} (given: {given})")
    if changed:
        raise EvaltuiError(
            f"run {run.id} was started with {'; '.join(changed)}. --resume finishes the run as it "
            "was started; for another selection, start a new run"
        )


def _write_json(
    store: Store, run_ids: list[str], target: str | None, entries: list[GateEntry] | None
) -> None:
    """`--json`: each run's summary; with gates, each also carries its comparison and gate verdicts."""
    if target:
        from evaltui.commands.gate import write_json
        from evaltui.commands.show import summary_dict

        payload = (
            [e.to_dict() for e in entries]
            if entries is not None
            else [summary_dict(store, r) for r in run_ids]
        )
        write_json(payload, target)


async def _drive(
    runners: list[Runner], display: ProgressDisplay | None, terminal: Terminal, *, summary: bool
) -> list[str]:
    def cancel_all() -> None:
        for runner in runners:
            runner.cancel()

    install_interrupt(cancel_all, terminal)
    finished = asyncio.Event()
    drawing = asyncio.create_task(show_progress(display, terminal, finished)) if display else None
    loading = asyncio.create_task(_load_summary(runners, finished, terminal)) if summary else None
    try:
        return list(await asyncio.gather(*(r.run() for r in runners)))
    finally:
        finished.set()
        for task in (drawing, loading):
            if task:
                await task


async def _load_summary(runners: list[Runner], finished: asyncio.Event, terminal: Terminal) -> None:
    """Prepare the summary (`_prepare_summary`: its modules, Rich's tables, the reports) on a worker
    thread once the runs' first answers are in (their first requests are out): the loop goes on
    answering meanwhile, and the summary is not held up by it after the last answer. When the runs
    end first, it is done as the summary is printed."""
    while not any(runner.stats.done for runner in runners):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(finished.wait(), REFRESH_S)
        if finished.is_set():
            return
    await asyncio.to_thread(_prepare_summary, terminal)


def _prepare_summary(terminal: Terminal) -> None:
    """The summary's modules imported, its console made, and a made-up summary drawn to nowhere
    (`rehearse_summary`): what a first drawing costs is paid here, not after the last answer."""
    show = importlib.import_module("evaltui.commands.show")
    show.rehearse_summary(terminal.out)


def install_interrupt(cancel: Callable[[], None], terminal: Terminal) -> None:
    """Ctrl-C or SIGTERM cancels the runs (finished results stay); a second Ctrl-C exits at once."""
    loop = asyncio.get_running_loop()
    hits = {"n": 0}

    def handler() -> None:
        hits["n"] += 1
        if hits["n"] > 1:
            raise KeyboardInterrupt
        notice = "\ninterrupting: finished results are kept (Ctrl-C again to quit now)"
        terminal.err.print(notice, markup=False)
        cancel()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, handler)
