"""`evaltui compare A B`: is B better than A, on which cases, and is that real?"""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.text import Text

from evaltui.console import fmt_cost, fmt_ms
from evaltui.errors import EvaltuiError
from evaltui.reports.comparison import Comparison, RunSummary, compare_runs
from evaltui.reports.shortdiff import outputs, short_diff
from evaltui.store.compare import previous_run
from evaltui.text import inert


def resolve_pair(store: Any, ref_a: str, ref_b: str) -> tuple[str, str]:
    """Run ids for A and B; B may be `previous`: the run before A of the same suite and model."""
    run_a = store.resolve_run(ref_a)
    if ref_b.strip() != "previous":
        return run_a, store.resolve_run(ref_b)
    run_b = previous_run(store, run_a)
    if run_b is None:
        run = store.get_run(run_a) or {}
        raise EvaltuiError(
            f"no run of suite {run.get('suite')!r} with model {run.get('model_id')!r} before {run_a}"
        )
    return run_a, run_b


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def change(old: float | None, new: float | None) -> str:
    if old is None or new is None:
        return ""
    if old == 0:
        return "" if new == 0 else " (new)"
    return f" ({(new - old) / old:+.0%})"


def rate_text(s: RunSummary) -> str:
    r = s.rate
    if r.pass_rate is None:
        return "– (nothing scored)"
    return f"{pct(r.pass_rate)} [{pct(r.lo)}–{pct(r.hi)}] n={r.n}"


def run_line(tag: str, run: dict[str, Any]) -> Text:
    line = Text.assemble((f"{tag}  ", "bold"), inert(str(run.get("id"))), "  suite ")
    line.append_text(inert(str(run.get("suite"))))
    line.append("  model ")
    line.append_text(inert(str(run.get("model_id"))))
    if run.get("label"):
        line.append("  label ")
        line.append_text(inert(str(run["label"])))
    return line


def summary_lines(c: Comparison) -> list[Text]:
    """The summary of a comparison, one fact a line (shared by compare and the CI gate)."""
    p, n, a, b = c.paired, c.counts, c.summary_a, c.summary_b
    diff = "–" if p.n == 0 else f"{p.mean_diff * 100:+.1f} pts [{p.lo * 100:+.1f}, {p.hi * 100:+.1f}] 95% CI"
    lines = [
        Text(f"pass rate   A {rate_text(a)}   B {rate_text(b)}"),
        Text(f"paired B−A  {diff} over {p.n} cases: ", style="bold").append(c.verdict),
        Text(
            f"cases       {n.regressions} regressions (pass→fail), {n.improvements} improvements "
            f"(fail→pass), {n.unchanged} unchanged ({n.changed_output} with changed output)"
        ),
        Text(f"errors      {n.errors_a} cases errored in A, {n.errors_b} in B"),
        Text(
            f"cached      {a.cached} answers from the cache in A, {b.cached} in B"
            + (" (latency is over fresh answers only)" if a.cached or b.cached else "")
        ),
        Text(
            f"latency     p50 {fmt_ms(a.latency_ms.p50)} → {fmt_ms(b.latency_ms.p50)}"
            f"{change(a.latency_ms.p50, b.latency_ms.p50)}   p95 {fmt_ms(a.latency_ms.p95)} → "
            f"{fmt_ms(b.latency_ms.p95)}{change(a.latency_ms.p95, b.latency_ms.p95)}"
        ),
        Text(f"cost        {fmt_cost(a.cost_usd)} → {fmt_cost(b.cost_usd)}{change(a.cost_usd, b.cost_usd)}"),
    ]
    if c.warning():  # first, before any number is read (JSON says it too, as "warning")
        lines.insert(0, Text("warning: ", style="bold yellow").append_text(inert(c.warning(), "yellow")))
    if c.left_out():
        lines.append(Text(f"left out    {c.left_out()}", style="yellow"))
    if c.epochs > 1:
        lines.append(
            Text(f"epochs      {c.epochs}: epochs averaged per case; a case passes when its mean ≥ 0.5")
        )
    return lines


def moved_cases(store: Any, c: Comparison, limit: int) -> dict[str, list[dict[str, str]]]:
    """The first `limit` regressions and improvements with a short diff of their outputs."""
    found: dict[str, list[dict[str, str]]] = {}
    for kind, ids in (("regressions", c.regressions), ("improvements", c.improvements)):
        found[kind] = []
        for case_id in ids[:limit]:
            old, new = outputs(store, c.run_a["id"], c.run_b["id"], case_id)
            found[kind].append({"case_id": case_id, "diff": short_diff(old, new)})
    return found


def compare_command(store: Any, ref_a: str, ref_b: str, out: Console, *, as_json: bool, limit: int) -> None:
    run_a, run_b = resolve_pair(store, ref_a, ref_b)
    if not as_json:  # who is compared, at once; the numbers need one pass over both runs
        out.print(run_line("A", store.get_run(run_a) or {"id": run_a}))
        out.print(run_line("B", store.get_run(run_b) or {"id": run_b}))
    comparison = compare_runs(store, run_a, run_b)
    cases = moved_cases(store, comparison, limit)
    if as_json:
        payload = comparison.to_dict() | {"shown": cases}
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
            out.print(
                Text("  ").append_text(inert(case["case_id"], "bold")).append("  ").append(case["diff"])
            )
