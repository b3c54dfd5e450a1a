"""`evaltui run --only-failing RUN` and `evaltui rescore RUN`: new runs made from an earlier one
(engine/rerun.py), driven, summarised and gated as any `evaltui run`."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from evaltui.config import Config
from evaltui.engine import RunOptions, make_runners, prepare
from evaltui.engine.rerun import Rerun, only_failing, rescore
from evaltui.engine.runner import Runner
from evaltui.errors import EvaltuiError
from evaltui.suites import load_suite, named_models

if TYPE_CHECKING:
    from evaltui.engine.events import Display
    from evaltui.store import Store
    from evaltui.suites.models import Suite


def rerun_runners(
    store: Store,
    config: Config,
    suite_path: Path | None,
    opts: dict[str, Any],
    err: Console,
    subscribers: tuple[Display, ...],
) -> list[Runner]:
    """The runner(s) of a rerun of the failing cases (on the run's model, or the `-m` ones), or of
    a rescore (on the `recorded` model, answering with the run's outputs)."""
    base = RunOptions(
        concurrency=opts["concurrency"] or config.concurrency,
        label=opts["label"],
        use_cache=not opts["no_cache"],
        prices=dict(config.prices),
    )
    if opts.get("rescore"):
        if suite_path is not None or opts["models"] or opts["limit"] or opts["tags"] or opts["epochs"]:
            raise EvaltuiError(
                "rescore takes the run's cases and outputs as they are: no SUITE, -m or --limit"
            )
        plan = rescore(store, store.resolve_run(opts["rescore"]), base)
        if opts["label"]:
            plan = dataclasses.replace(plan, options=dataclasses.replace(plan.options, label=opts["label"]))
    else:
        plan = only_failing(store, store.resolve_run(opts["only_failing"]), base)
        if opts["limit"] or opts["tags"]:
            raise EvaltuiError("--only-failing chooses the cases itself: no --limit or --tag with it")
        if suite_path is not None:
            plan = _with_suite(plan, load_suite(suite_path))
        if opts["epochs"]:
            plan = dataclasses.replace(plan, options=dataclasses.replace(plan.options, epochs=opts["epochs"]))
    for note in plan.notes:
        err.print(f"note: {note}", markup=False, soft_wrap=True)
    models = named_models(plan.suite, opts["models"]) if opts["models"] else [plan.model]
    return make_runners(store, prepare(plan.suite), models, plan.options, subscribers=subscribers)


def _with_suite(plan: Rerun, suite: Suite) -> Rerun:
    """The failing cases, from the suite file given on the command line."""
    if suite.name != plan.suite.name:
        raise EvaltuiError(
            f"--only-failing: the run is of suite {plan.suite.name!r}, the file given is {suite.name!r}"
        )
    return dataclasses.replace(plan, suite=suite)
