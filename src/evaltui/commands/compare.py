"""`evaltui compare A B`: is B better than A, on which cases, and is that real?"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from rich.console import Console
from rich.text import Text

from evaltui.analysis.diff import render_plain
from evaltui.errors import EvaltuiError
from evaltui.records import RunRecord
from evaltui.reports.comparison import Comparison, compare_runs
from evaltui.reports.gating import MovedCase
from evaltui.reports.prompts import prompt_change
from evaltui.reports.shortdiff import outputs, short_diff
from evaltui.reports.summary import summary_lines
from evaltui.store import Store
from evaltui.store.compare import previous_run
from evaltui.text import inert


def resolve_pair(store: Store, ref_a: str, ref_b: str) -> tuple[str, str]:
    """Run ids for A and B. B may be `previous`, the run before the given one of its suite and
    model: that earlier run is then A and the given one B, so that B−A, regressions and
    improvements read forward in time (as the TUI's `c` and a gate's baseline do)."""
    run_a = store.resolve_run(ref_a)
    if ref_b.strip() != "previous":
        return run_a, store.resolve_run(ref_b)
    before = previous_run(store, run_a)
    if before is None:
        run = store.get_run(run_a) or RunRecord(run_a)
        raise EvaltuiError(f"no run of suite {run.suite!r} with model {run.model_id!r} before {run_a}")
    return before, run_a


def run_line(tag: str, run: RunRecord) -> Text:
    line = Text.assemble((f"{tag}  ", "bold"), inert(run.id), "  suite ")
    line.append_text(inert(run.suite))
    line.append("  model ")
    line.append_text(inert(run.model_id))
    if run.label:
        line.append("  label ")
        line.append_text(inert(run.label))
    return line


def moved_cases(store: Store, c: Comparison, limit: int) -> dict[str, list[MovedCase]]:
    """The first `limit` regressions and improvements with a short diff of their outputs."""
    found: dict[str, list[MovedCase]] = {}
    for kind, ids in (("regressions", c.regressions), ("improvements", c.improvements)):
        found[kind] = []
        for case_id in ids[:limit]:
            old, new = outputs(store, c.run_a.id, c.run_b.id, case_id)
            found[kind].append(MovedCase(case_id, short_diff(old, new)))
    return found


def compare_command(
    store: Store,
    ref_a: str,
    ref_b: str,
    out: Console,
    *,
    as_json: bool,
    limit: int,
    html_out: str | None = None,
) -> None:
    run_a, run_b = resolve_pair(store, ref_a, ref_b)
    if not as_json:  # who is compared, at once; the numbers need one pass over both runs
        a, b = store.get_run(run_a) or RunRecord(run_a), store.get_run(run_b) or RunRecord(run_b)
        out.print(run_line("A", a))
        out.print(run_line("B", b))
        change = prompt_change(store, a, b)
        if change is not None:
            out.print(Text("prompt A → B: ", style="bold").append_text(inert(render_plain(change))))
    comparison = compare_runs(store, run_a, run_b)
    if html_out:
        from evaltui.reports.html import compare_report

        Path(html_out).write_text(
            compare_report(store, comparison), encoding="utf-8", errors="backslashreplace"
        )
    cases = moved_cases(store, comparison, limit)
    if as_json:
        payload = comparison.to_dict() | {"shown": {k: [asdict(c) for c in v] for k, v in cases.items()}}
        out.print_json(json.dumps(payload, ensure_ascii=False, default=str))
        return
    for line in summary_lines(comparison):
        out.print(line)
    for kind, total in (
        ("regressions", comparison.counts.regressions),
        ("improvements", comparison.counts.improvements),
    ):
        if total:
            out.print(Text(f"\n{kind} ({len(cases[kind])} of {total})", style="bold"))
        for case in cases[kind]:
            out.print(Text("  ").append_text(inert(case.case_id, "bold")).append("  ").append(case.diff))
