"""The async engine: renders prompts, asks models with bounded concurrency, retries, caches,
scores, hands results to the store's writer and tells subscribers what happened.

Public API (`evaltui.engine`):

    RunOptions(concurrency=16, limit=None, tags=(), label=None, epochs=None,
               use_cache=True, retry_errors=False, group_id=None, max_cost_usd=None)
    prepare(suite) -> PreparedSuite        compiles templates and scorers; SuiteError with
                                           file/line/field before any model is asked
    Runner(store, prepared, model: ModelSpec, options, *, resume_run_id=None, subscribers=())
                                           (a resume's Runner: from resume.plan_resume); `store`
                                           is a storage.RunStore (what a run calls on the Store)
        .subscribe(display)                display(event) on the engine's own event-loop thread
                                           (`Display`): RunStarted, CaseFinished, Progress
                                           (LiveStats, ten a second at most), RunFinished
        await .run() -> run_id             returns when the run is completed, interrupted, stopped
                                           (at its cost ceiling) or failed (stop_reason)
        .cancel()                          thread-safe; finished results stay, run -> interrupted
        .run_id                            known once planned; the run is in the file by RunStarted
        .stats -> LiveStats                a cheap, thread-safe snapshot (what Progress carries):
                                           total, done, passed, failed, errors, tokens_in,
                                           tokens_out, cost_usd, p50_ms, p95_ms, latency_exact
                                           (False: p50/p95 approximate, a large run's), rate
                                           (cases/s), eta_s, elapsed_s, concurrency, waiting_s,
                                           rate_limited
        .stop_reason, .budget_reason       why it stopped itself (failed) / at its cost ceiling
                                           (stopped); either is kept as the run's stop_reason
    ask.Asker(http, cache, *, use_cache, prices, on_stop, concurrency)
        await .ask(model: ModelSpec, request: Request, *, epoch=0) -> Asked
                                           the one way a model is asked (a run's model, its
                                           judges, an agent's steps): cache, retries, breaker,
                                           price; Asked(completion, attempts, cached);
                                           AskFailed (a ProviderError with .attempts); each
                                           request waits its turn at its endpoint's limiter
    estimate.estimate(prepared, model, *, concurrency, ...) -> Estimate
                                           expected tokens, cost and time, each saying its source
    run_many(store, prepared, models, options, *, subscribers=()) -> list[run_id]
                                           one run per model sharing a group id, concurrently
    resume.plan_resume(store, run_id, *, retry_errors=False, no_cache=False, ...) -> ResumePlan
                                           a resume of the run as it was started (its stored
                                           options); `.runner(store)` is the Runner to run
"""

from evaltui.engine.events import CaseFinished, Display, Event, Progress, RunFinished, RunStarted
from evaltui.engine.live_stats import LiveStats
from evaltui.engine.prepare import PreparedCase, PreparedSuite, prepare
from evaltui.engine.runner import Runner, RunOptions, make_runners, run_many

__all__ = [
    "CaseFinished",
    "Display",
    "Event",
    "LiveStats",
    "PreparedCase",
    "PreparedSuite",
    "Progress",
    "RunFinished",
    "RunOptions",
    "RunStarted",
    "Runner",
    "make_runners",
    "prepare",
    "run_many",
]
