"""The results database: one SQLite file, one writer thread, read queries that page.

Public API (all in `evaltui.store`). Reads return the records of `evaltui.records` (frozen
dataclasses, JSON columns decoded): `RunRecord`, `Result`, `ResultPreview`.

    Store(path, *, create=True)            open (PRAGMAs, migrations, backup before migrating
                                           an older schema, refuse a newer one with StoreError)
    .path, .close()                        also a context manager (`with Store(path) as store:`)
    .conn() -> sqlite3.Connection          this thread's connection, for ad-hoc reads (the
                                           tables, for people too: docs/DATA.md)
    .save_suite(suite) -> suite_id         content hash of the definition; upserts suites + cases
                                           (cases keep their position for stable ordering),
                                           hashed and inserted in one walk over the cases; the
                                           suites row keeps the definition without its cases
    .stored_suite(suite_id) -> (definition dict without cases, path) | None
    .iter_suite_cases(suite_id) -> Iterator[dict]   a saved suite's cases in order, streamed
    .create_run(*, suite_id, model: ModelSpec, total, label=None, group_id=None, epochs=1,
                options=None) -> run_id    run ids sort by time: "20261123-131502-3fa9c1";
                                           options: what the run was started with (a dict:
                                           limit, tags, epochs, use_cache, concurrency), kept
                                           in the run's `options` for --resume
    .new_run(suite, *, model, total, ...)  -> (run_id, rows)   create_run's arguments; `rows`, the
                                           suite's, its cases' and the run's rows, written by the
                                           run's writer as its first transaction (`writer(first=)`)
    .get_run(run_id) -> RunRecord | None   with counters, suite name, stored metrics and options
                                           (options None: a run started before schema v5)
    .resolve_run(ref) -> run_id            exact id, unique prefix, "label:NAME" (latest with it),
                                           "latest", the id's tail ("…3fa9c1"); StoreError when
                                           none or ambiguous
    .list_runs(*, suite=None, model=None, label=None, status=None, group_id=None,
               limit=100, offset=0) -> list[RunRecord]  newest first
    .count_runs(same filters) -> int
    .set_run_status(run_id, status)        running | completed | interrupted | stopped | failed
    .refresh_counters(run_id)              done, passed, failed, errors, tokens, cost from results
    .mark_stale_runs() -> list[run_id]     "running" runs whose process (pid, host) is gone -> interrupted
    .writer(on_commit=None, *, first=None, on_first=None) -> ResultWriter   `first`: a new run's rows,
                                           its first transaction; on_first() called once committed
        .put(result: Result)               non-blocking; results committed in batches by a thread
        .flush()  .close()                 close() commits everything pending
        .put_cache(key, completion)        a response-cache entry, committed with the next batch
        .finish_run(run_id, status, metrics, *, reason=None) -> RunRecord   close(), then the run's
                                           end (Store.finish_run's) on the writer's thread, after
                                           its last batch; that thread then checkpoints, which
                                           Store.close() waits for
        on_commit(results) is called from the writer thread after each committed batch; a failure in
        the writer thread (or in on_commit) is raised as StoreError by the next put/flush/close
    .finished_keys(run_id, *, include_errors=True) -> set[(case_id, epoch)]   every one at once
    .result_statuses(run_id, case_ids) -> {(case_id, epoch): status}   a batch's (a resume's lookup)
    .count_results(run_id, *, status=None, tag=None, search=None) -> int
    .page_results(run_id, *, status=None, tag=None, search=None, offset=0, limit=100)
                                           -> list[ResultPreview], in case order; output and input
                                           cut to previews
    .get_result(run_id, case_id, epoch=0) -> Result | None  full row + case input/expected/vars/tags
    .neighbour(run_id, case_id, epoch, *, statuses=("fail", "error"), step=+1) -> Result | None
    .iter_results(run_id, columns=...) -> Iterator[Result]  streaming, for exports and reports
    .iter_metric_rows(run_id) -> Iterator[Result]          what analysis.metrics folds, streamed
                                           case by case (case-id order)
    .count_failing_cases(run_id) -> int, .iter_case_ids(run_id, *, failing_only) -> Iterator[str]
                                           the run's cases (or those that failed or errored in
                                           some epoch), id order
    .fresh_latencies(run_id, lo, hi, offset, limit) -> list[float]   the latencies counted in the
                                           run's percentiles within [lo, hi), ascending, a window
    .iter_tool_calls(run_id) -> Iterator[Result]           results that made tool calls (their calls only)
    .cache_get(key) -> dict | None, .cache_put(key, completion: dict)
    .checkpoint() -> bool                  the write-ahead log copied into the .db file and emptied
                                           (done when the TUI exits)
    .checkpoint_soon()                     the same on a thread of its own (when a run ends); close()
                                           waits for it
    .annotate(run_id, case_id, *, label="", note="", author=None) -> Annotation   (store/annotations.py)
    .annotations(run_id, case_id=None) -> list[Annotation]    oldest first
    .labels(run_id) -> {case_id: label}    each case's current (latest) label
    .case_notes(run_id) -> {case_id: [Annotation]}, .earlier_labels(run_id, case_ids=None)
                                           the latest label of each case in earlier runs of the suite

A page row (`ResultPreview`) carries `label`: the case's current label, or None (`label=` filters
on it, "*" any).
`status` filters take one status or a list. `search` is a case-insensitive
(ASCII) substring match over output, input and expected.

A result as the writer takes it and every read gives it back is a `Result` (evaltui.records): run_id,
case_id, epoch, status ("pass"|"fail"|"error"), output, prompt (messages), scores (`Score`s),
value (0..1), latency_ms, tokens_in, tokens_out, cost_usd, attempts, cached, error, finished_at,
judge, tool_calls, steps; its case's tags and cluster ride along unstored. `output` and `error`
round-trip exactly, whatever they hold (control characters, NUL, lone surrogates). A put of the same
(run_id, case_id, epoch) again replaces the earlier result (a resumed or retried case).

Several processes may use one file at once (WAL; writes are short and retried while busy).
Store is safe to share between threads; each thread reads through its own connection.
"""

from evaltui.store.db import Store
from evaltui.store.writer import ResultWriter

__all__ = ["ResultWriter", "Store"]
