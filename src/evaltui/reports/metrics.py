"""A run's metrics as every display reads them: a finished run's as it kept them when it ended
(`Store.finish_run`), so a 100,000-result run is not read again to be shown; a live run's, or one
that kept none (its process died, or an older evaltui kept fewer figures), computed from its
results in one streaming pass (its latency percentiles read exactly from its rows)."""

from __future__ import annotations

from functools import partial

from evaltui.analysis.metrics import stored_run_metrics
from evaltui.records import RunMetrics, RunRecord
from evaltui.store import Store


def metrics_of(store: Store, run: RunRecord | str) -> RunMetrics:
    """The run's metrics; `run` is its record when the caller has read it, else its id."""
    record = store.get_run(run) if isinstance(run, str) else run
    if record is not None and record.status != "running" and record.metrics is not None:
        return record.metrics
    run_id = run if isinstance(run, str) else run.id
    return stored_run_metrics(store.iter_metric_rows(run_id), partial(store.fresh_latencies, run_id))
