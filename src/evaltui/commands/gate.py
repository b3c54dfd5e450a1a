"""The CI gate of `evaltui run`: compare each new run with a baseline, apply the bars, write the
JUnit, Markdown and JSON reports, and fail (exit 1, reason on stderr) when a bar is not met.
With several models it also prints the matrix summary.

`evaltui run` imports this module only when given a gate option, --json or several models; the
comparison and report modules only a gate or a several-model run needs are imported by the
functions that use them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text

from evaltui.errors import EvaltuiError, GateError
from evaltui.format import pct
from evaltui.reports.gating import Gate, GateEntry
from evaltui.reports.verdicts import ERRORED, asked_of, asked_rate, basis
from evaltui.text import inert, json_text

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from evaltui.reports.comparison import Comparison
    from evaltui.store import Store

SHOWN_CASES = 50  # regressions/improvements with diffs kept per run in the reports


@dataclass(frozen=True)
class GateOptions:
    baseline: str | None = None
    fail_under: float | None = None
    max_regressions: int | None = None
    junit: str | None = None
    report: str | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.baseline, self.fail_under, self.max_regressions))


def resolve_baseline(store: Store, options: GateOptions) -> str | None:
    """Checked before anything runs: a missing baseline is a usage error (exit 2), not a failed gate."""
    check_options(options)
    if options.max_regressions is not None and options.baseline is None:
        raise EvaltuiError("--max-regressions counts regressions against a baseline; add --baseline RUN")
    return store.resolve_run(options.baseline) if options.baseline else None


def check_options(options: GateOptions) -> None:
    """Checked before anything runs: a bar that no rate can be compared with is a usage error."""
    bar = options.fail_under
    if bar is not None and not (math.isfinite(bar) and 0.0 <= bar <= 1.0):
        raise EvaltuiError(f"--fail-under must be a share from 0 to 1 (0.75 for 75%), got {bar}")


def _gates(entry: GateEntry, options: GateOptions) -> list[Gate]:
    metrics, comparison = entry.metrics, entry.comparison
    gates = []
    if options.fail_under is not None:
        asked = asked_of(entry.run, metrics)
        rate = asked_rate(metrics.passed, asked)
        ok = rate is not None and rate >= options.fail_under
        shown = "nothing asked" if rate is None else f"{pct(rate)} of {asked:,} asked"
        errored = f" ({metrics.errors:,} errored, counted as not passed)" if metrics.errors else ""
        detail = f"pass rate {shown}{errored} {'≥' if ok else 'under'} {options.fail_under:.1%}"
        gates.append(Gate("fail-under", ok, detail))
    if options.max_regressions is not None and comparison is not None:
        gates.append(regressions_gate(comparison, options.max_regressions))
    return gates


def regressions_gate(comparison: Comparison, allowed: int) -> Gate:
    """Regressions are the cases the baseline passed that the run did not: failed, or errored (an
    error is not a pass). With no case scored by both runs there is nothing to judge: not a pass."""
    counts = comparison.counts
    n = counts.regressions + counts.lost
    if not counts.paired and not counts.lost:
        return Gate("max-regressions", False, f"{comparison.verdict}: no regressions can be counted")
    errored = f": {counts.regressions} failed, {counts.lost} errored" if counts.lost else ""
    detail = f"{n} regression{'' if n == 1 else 's'} vs baseline{errored} (at most {allowed} allowed)"
    return Gate("max-regressions", n <= allowed, detail)


def gate_entry(
    store: Store, run_id: str, baseline_id: str | None, options: GateOptions
) -> tuple[GateEntry, list[Text]]:
    """The run's summary (as `show --json`) plus its comparison with the baseline and its gates;
    and the comparison's summary lines for the terminal."""
    from evaltui.commands.compare import moved_cases, summary_lines
    from evaltui.commands.show import stored_run
    from evaltui.reports.comparison import compare_runs
    from evaltui.reports.overview import run_overview

    overview = run_overview(store, run_id)
    entry = GateEntry(stored_run(store, run_id), overview.metrics, overview)
    lines: list[Text] = []
    if baseline_id is not None:
        entry.comparison = compare_runs(store, baseline_id, run_id)
        moved = moved_cases(store, entry.comparison, SHOWN_CASES)
        entry.regressions, entry.improvements = moved["regressions"], moved["improvements"]
        lines = summary_lines(entry.comparison)
    entry.gates = _gates(entry, options)
    return entry, lines


def apply_gates(
    store: Store, run_ids: list[str], baseline_id: str | None, options: GateOptions, out: Console
) -> list[GateEntry]:
    """Compare each run with the baseline, write the JUnit and Markdown reports, print the
    verdicts. Returns the entries (for `--json`); `raise_if_failed` turns them into an exit code."""
    from evaltui.reports.junit import write_junit
    from evaltui.reports.markdown import gate_report

    built = [gate_entry(store, run_id, baseline_id, options) for run_id in run_ids]
    entries = [entry for entry, _ in built]
    if options.junit:
        metrics = {entry.run.id: entry.metrics for entry in entries}
        write_junit(store, run_ids, Path(options.junit), metrics)
    baseline = store.get_run(baseline_id) if baseline_id else None
    if options.report:
        suite = entries[0].run.suite if entries else ""
        Path(options.report).write_text(gate_report(suite, baseline, entries), encoding="utf-8")
    for entry, lines in built:
        if lines and baseline is not None:
            label = f", label {baseline.label}" if baseline.label else ""
            out.print(
                inert(entry.run.model_id, "bold")
                .append(f" vs baseline {baseline.id} ")
                .append_text(inert(f"({baseline.model_id}{label})"))
            )
            for line in lines:
                out.print(line)
        for gate in entry.gates:
            mark = "pass" if gate.passed else "FAIL"
            out.print(Text(f"gate {gate.name}: {mark}  ").append_text(inert(gate.detail)))
    return entries


def raise_if_failed(entries: list[GateEntry]) -> None:
    failed = [f"{e.run.model_id}: {g.detail}" for e in entries for g in e.gates if not g.passed]
    if failed:
        raise GateError("gate failed: " + "; ".join(failed))


def write_json(payload: list[dict[str, Any]], target: str) -> None:
    text = json_text(payload)  # escapes lone surrogates and C1/bidi characters from model output
    if target == "-":
        print(text)
    else:
        Path(target).write_text(text + "\n", encoding="utf-8")


def matrix_table(store: Store, run_ids: list[str]) -> Table:
    """Per model: pass rate (with what it is over) ± CI, p95, cost; then how many cases all models
    pass, fail, or split."""
    from rich.table import Table

    from evaltui.commands.show import stored_run
    from evaltui.format import interval, money, ms
    from evaltui.reports.metrics import metrics_of
    from evaltui.store.compare import case_verdicts

    agree = {"all pass": 0, "all fail": 0, "disagree": 0}
    for row in case_verdicts(store, run_ids):
        if row.runs < len(run_ids):
            continue  # not scored by every model
        key = "all pass" if row.passing == row.runs else "all fail" if not row.passing else "disagree"
        agree[key] += 1
    table = Table(title="models", header_style="bold")
    for column in ("model", "pass rate", "95% CI", "p95", "cost"):
        table.add_column(column)
    for run_id in run_ids:
        m, run = metrics_of(store, run_id), stored_run(store, run_id)
        rate = m.rate
        shown = Text(pct(rate.pass_rate))
        shown.append(" " + basis(rate.n, m.errors, m.cached))
        shown.highlight_regex(ERRORED, "bold red")
        table.add_row(
            inert(run.model_id),
            shown,
            interval(rate.lo, rate.hi),
            ms(m.latency_ms.p95),
            money(m.cost_usd),
        )
    table.caption = "cases: " + ", ".join(f"{k} {v}" for k, v in agree.items())
    return table
