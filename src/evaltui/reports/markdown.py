"""The CI gate's Markdown report, fit for a pull-request comment: a summary table per model, the
gate verdicts, regressions with short diffs, long lists folded into `<details>`.

Every piece of untrusted text (case ids, outputs, model ids, reasons) goes through `cell`, which
makes control characters visible and escapes whatever Markdown, HTML or GitHub would act on
(tables, links, images, mentions, issue references), so a model's output cannot reshape the
comment or ping anyone.
"""

from __future__ import annotations

import re

from evaltui.format import money, ms
from evaltui.format import rate as fmt_rate
from evaltui.records import RunMetrics, RunRecord
from evaltui.reports.gating import GateEntry, MovedCase
from evaltui.reports.verdicts import asked_note, asked_of, basis
from evaltui.text import make_visible

SHOWN = 10  # regressions shown before the rest fold away
# Inline Markdown: emphasis, code, links and images, tables, strikethrough. Cells never start a
# line, so block syntax (headings, lists, quotes) cannot act and is left readable.
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
# HTML, GitHub mentions and issue references, bare-URL autolinks.
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "@": "&#64;", "#": "&#35;"}


def cell(text: str) -> str:
    """`text` as literal, one-line Markdown (a table cell or a list item)."""
    text = make_visible(text).replace("\r\n", "\n").replace("\n", " ⏎ ")
    text = _SPECIAL.sub(r"\\\1", text)
    return "".join(_ENTITIES.get(ch, ch) for ch in text).replace("://", "&#58;//")


def _rate(run: RunRecord, m: RunMetrics) -> str:
    """The pass rate with what it is over: `83.9% [74%–90%] of 56 scored · 144 errored`."""
    rate = m.rate
    shown = fmt_rate(rate.pass_rate, rate.lo, rate.hi)
    over = basis(rate.n, m.errors, m.cached)
    asked = asked_note(m.passed, rate.n, asked_of(run, m))
    return f"{shown} {over}" + (f" ({asked})" if asked else "")


def _gate(entry: GateEntry) -> str:
    if not entry.gates:
        return "no gates set"
    return "✅ pass" if all(g.passed for g in entry.gates) else "❌ fail"


def _headline(entries: list[GateEntry]) -> list[str]:
    """The verdict first, then any run that errored: a pass rate over few scored cases must not
    read as a healthy run."""
    gates = [g for e in entries for g in e.gates]
    if not gates:
        lines = ["**Gates: no gates set**"]
    else:
        lines = ["**Gates: ❌ failed**" if any(not g.passed for g in gates) else "**Gates: ✅ passed**"]
    for e in entries:
        errors, asked = e.metrics.errors, asked_of(e.run, e.metrics)
        if errors:
            most = " (most cases)" if errors * 2 > asked else ""
            lines += ["", f"**⚠️ {cell(e.run.model_id)}: {errors:,} of {asked:,} cases errored{most}**"]
    return lines


def summary_table(entries: list[GateEntry]) -> list[str]:
    lines = [
        "| model | run | pass rate (95% CI) | vs baseline | regressions | improvements | p95 | spent "
        "| gate |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for e in entries:
        cmp, m = e.comparison, e.metrics
        versus = "–" if not cmp else cell(cmp.verdict)
        regress = "–" if not cmp else str(cmp.counts.regressions)
        improve = "–" if not cmp else str(cmp.counts.improvements)
        lines.append(
            f"| {cell(e.run.model_id)} | {cell(e.run.id)} | {_rate(e.run, m)} | "
            f"{versus} | {regress} | {improve} | {ms(m.latency_ms.p95)} | "
            f"{money(m.cost_usd)} | {_gate(e)} |"
        )
    return lines


def _moved(title: str, cases: list[MovedCase], total: int) -> list[str]:
    if not total:
        return []
    rows = [f"| {cell(c.case_id)} | {cell(c.diff)} |" for c in cases]
    head = ["| case | output diff (`[-old-]{+new+}`) |", "|---|---|"]
    lines = [f"#### {title} ({total})", "", *head, *rows[:SHOWN], ""]
    if len(rows) > SHOWN:
        lines += [f"<details><summary>{len(rows) - SHOWN} more</summary>", "", *head, *rows[SHOWN:], ""]
        lines += ["</details>", ""]
    if total > len(rows):
        lines += [f"_…and {total - len(rows)} more; run `evaltui compare` for all._", ""]
    return lines


def _annotated(entry: GateEntry) -> list[str]:
    """Reviewers' labels and notes on this run's cases, and, for its failing cases, the labels the
    same cases were given in earlier runs of the suite (a known-wrong expected value, a flaky case)."""
    rows = []
    annotations = entry.summary.annotations
    for case_id, notes in annotations.items():
        for a in notes:
            rows.append(f"| {cell(case_id)} | {cell(a.label or '–')} | {cell(a.note)} | {cell(a.author)} |")
    failing = {f.result.case_id for f in entry.summary.failures}
    for case_id, a in entry.summary.earlier_labels.items():
        if case_id in failing and case_id not in annotations:
            said = f"earlier run {a.run_id}" + (f": {a.note}" if a.note else "")
            rows.append(f"| {cell(case_id)} | {cell(a.label)} | {cell(said)} | {cell(a.author)} |")
    if not rows:
        return []
    model = cell(entry.run.model_id)
    return [f"#### Labels: {model}", "", "| case | label | note | by |", "|---|---|---|---|", *rows, ""]


def gate_report(suite: str, baseline: RunRecord | None, entries: list[GateEntry]) -> str:
    """The whole comment. `entries`: one per run, as `commands.gate` builds them."""
    lines = [f"## evaltui: {cell(suite)}", "", *_headline(entries), ""]
    if baseline:
        lines += [f"Baseline: {cell(baseline.id)} ({cell(baseline.model_id)})", ""]
    lines += [*summary_table(entries), ""]
    gates = [(e, g) for e in entries for g in e.gates]
    if gates:
        lines += ["### Gates", ""]
        for e, g in gates:
            mark = "✅" if g.passed else "❌"
            lines.append(f"- {mark} {cell(e.run.model_id)}: {cell(g.detail)}")
        lines.append("")
    for e in entries:
        cmp = e.comparison
        if not cmp:
            continue
        model = cell(e.run.model_id)
        lines += _moved(f"Regressions: {model}", e.regressions, cmp.counts.regressions)
        lines += _moved(f"Improvements: {model}", e.improvements, cmp.counts.improvements)
        if cmp.warning():
            lines += [f"_⚠️ {model} vs baseline: {cell(cmp.warning())}_", ""]
        if cmp.left_out():
            lines += [f"_Left out of the comparison: {cell(cmp.left_out())}_", ""]
    for e in entries:
        lines += _annotated(e)
    return "\n".join(lines).rstrip() + "\n"
