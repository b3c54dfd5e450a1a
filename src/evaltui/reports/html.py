"""HTML reports: one run (`evaltui export RUN --format html`) or two runs compared (`evaltui compare A
B --html`), each one self-contained file to mail, attach to a CI job or open offline.

Self-contained: the page's only style is inline, and it loads nothing (no script, font, image or
stylesheet from anywhere). Safe to open: every piece of untrusted text (model output, inputs,
expected answers, case ids, reasons, suite and model names) goes through `_e`, which makes control
and bidi characters visible and escapes `& < > " '`, so nothing a model writes can become an
element or an attribute. A Content-Security-Policy that allows inline style and nothing else is a
second wall: a page that somehow held a script would still not run it.

Large runs stay readable: the failing cases listed are capped (`limit`), and each text is cut at
`TEXT_CHARS` characters with the cut said, so a 5 MB answer cannot make a 5 MB page.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from evaltui.analysis.diff import inline_runs, unified_word_diff
from evaltui.format import interval, money, ms, pct
from evaltui.format import rate as fmt_rate
from evaltui.records import Result, RunMetrics, RunRecord, Spread
from evaltui.reports.comparison import Comparison, RunSummary
from evaltui.reports.metrics import metrics_of
from evaltui.reports.shortdiff import outputs
from evaltui.reports.summary import summary_lines
from evaltui.reports.verdicts import asked_note, asked_of, basis, cost_spent, spent_tokens, why
from evaltui.store import Store
from evaltui.text import make_visible
from evaltui.version import __version__

TEXT_CHARS = 20_000  # characters of one input, output or expected answer shown at most
FAILURES_SHOWN = 200  # failing cases listed in a run report, by default
MOVED_SHOWN = 100  # regressions and improvements listed in a compare report, by default

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'"
STYLE = """
:root { color-scheme: light dark; --pass: #1a7f37; --fail: #b35900; --error: #cf222e;
  --muted: #6e7781; --line: #d0d7de; --del: #ffebe9; --ins: #dafbe1; }
@media (prefers-color-scheme: dark) { :root { --line: #30363d; --del: #5a1e1e; --ins: #1b4721;
  --muted: #8b949e; } }
body { font: 15px/1.45 system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; } h3 { font-size: 1rem; }
table { border-collapse: collapse; margin: .5rem 0; } th, td { border-bottom: 1px solid var(--line);
  padding: .25rem .6rem; text-align: left; vertical-align: top; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: .2rem 0; padding: .4rem;
  border: 1px solid var(--line); border-radius: 4px; font: 13px/1.4 ui-monospace, monospace; }
del { background: var(--del); text-decoration: line-through; }
ins { background: var(--ins); text-decoration: none; }
.pass { color: var(--pass); } .fail { color: var(--fail); } .error { color: var(--error); }
.muted, footer { color: var(--muted); } .case { border-top: 1px solid var(--line); padding-top: .5rem; }
.warning { color: var(--fail); font-weight: bold; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; } dt { font-weight: bold; }
"""


def _e(value: Any) -> str:
    """Untrusted text as inert HTML text: control characters visible, markup characters escaped."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return html.escape(make_visible(text), quote=True)


def _cut(text: str) -> tuple[str, str]:
    """`text` cut at TEXT_CHARS, and a note saying how much was left out ("" when nothing was)."""
    if len(text) <= TEXT_CHARS:
        return text, ""
    return text[:TEXT_CHARS], f"… {len(text) - TEXT_CHARS:,} more characters not shown"


def _block(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=2, default=str)
    shown, note = _cut(text)
    return f"<pre>{_e(shown)}</pre>" + (f'<p class="muted">{_e(note)}</p>' if note else "")


def diff_html(old: str, new: str) -> str:
    """A word diff of `old` → `new` as inline HTML: removed words in `<del>`, added in `<ins>`."""
    (old, cut_old), (new, cut_new) = _cut(old), _cut(new)
    tags = {"delete": "del", "insert": "ins"}
    parts = []
    for op, text in inline_runs(unified_word_diff(old, new)):
        tag = tags.get(op)
        parts.append(f"<{tag}>{_e(text)}</{tag}>" if tag else _e(text))
    note = cut_old or cut_new
    return "<pre>" + "".join(parts) + "</pre>" + (f'<p class="muted">{_e(note)}</p>' if note else "")


def page(title: str, body: Iterable[str]) -> str:
    """A whole HTML document around `body` (already HTML)."""
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>",
            *body,
            f"<footer><p>Written by evaltui {_e(__version__)}. Model output is shown as text.</p></footer>",
            "</body></html>",
            "",
        ]
    )


def _rate(run: RunRecord, m: RunMetrics) -> str:
    rate = m.rate
    shown = pct(rate.pass_rate)
    if rate.pass_rate is not None:
        shown += f" (95% CI {interval(rate.lo, rate.hi)}, {rate.method})"
    shown += " " + basis(rate.n, m.errors, m.cached)
    asked = asked_note(m.passed, rate.n, asked_of(run, m))
    return shown + (f"; {asked}" if asked else "")


def _summary(run: RunRecord, m: RunMetrics) -> Iterator[str]:
    lat = m.latency_ms
    rows = [
        ("suite", _e(run.suite)),
        ("model", _e(run.model_id)),
        ("status", _e(f"{run.status}: {run.stop_reason}" if run.stop_reason else run.status)),
        ("label", _e(run.label or "–")),
        ("started", _e(run.started_at)),
        ("pass rate", _e(_rate(run, m))),
        (
            "results",
            f'<span class="pass">{m.passed:,} passed</span> · '
            f'<span class="fail">{m.failed:,} failed</span> · '
            f'<span class="error">{m.errors:,} errored</span> of {m.total:,}',
        ),
        ("latency", _e(" · ".join(f"{key} {ms(value)}" for key, value in _spread(lat)))),
        ("tokens", _e(spent_tokens(m))),
        ("cost", _e(cost_spent(m.cost_usd, money(m.cost_usd), m.cached))),
    ]
    yield "<dl>" + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


def _head(*names: str) -> str:
    return "<tr>" + "".join(f"<th>{name}</th>" for name in names) + "</tr>"


def _spread(lat: Spread) -> tuple[tuple[str, float | None], ...]:
    return (("p50", lat.p50), ("p95", lat.p95), ("max", lat.max))


def _tags(m: RunMetrics) -> Iterator[str]:
    if not m.by_tag:
        return
    yield "<h2>Pass rate by tag</h2><table>" + _head("tag", "scored", "pass rate", "95% CI")
    for entry in m.by_tag:
        r = entry.rate
        yield (
            f"<tr><td>{_e(entry.tag)}</td><td>{r.n:,}</td><td>{pct(r.pass_rate)}</td>"
            f"<td>{interval(r.lo, r.hi)}</td></tr>"
        )
    yield "</table>"


def _failing_rows(store: Store, run_id: str, limit: int) -> Iterator[Result]:
    """The run's errored then failed results, full, at most `limit` of them."""
    left = limit
    for status in ("error", "fail"):
        for row in store.page_results(run_id, status=status, limit=left) if left else []:
            left -= 1
            yield store.get_result(run_id, row.case_id, row.epoch) or Result(
                row.run_id, row.case_id, epoch=row.epoch, status=row.status, error=row.error
            )  # gone since the page was read (a resume replaced it): what the page said


def _notes(notes: Sequence[Any]) -> str:
    """Reviewers' labels and notes on the case (`evaltui annotate`, the TUI's l and N)."""
    items = "".join(
        f'<li><b>{_e(a.label or "note")}</b> <span class="muted">{_e(a.author or "?")} · '
        f"{_e(a.created_at[:16])}</span>" + (f": {_e(a.note)}" if a.note else "") + "</li>"
        for a in notes
    )
    return f"<ul>{items}</ul>" if items else ""


def _case(row: Result, notes: Sequence[Any] = ()) -> str:
    """One failing case: its input, why it did not pass, reviewers' notes, and its output diffed
    against expected."""
    status = row.status
    epoch = f" (epoch {row.epoch})" if row.epoch else ""
    parts = [
        f'<section class="case"><h3>{_e(row.case_id)}{epoch} '
        f'<span class="{_e(status)}">{_e(status)}</span></h3>',
        f"<p><b>why</b>: {_e(why(row))}</p>",
        _notes(notes),
        "<p><b>input</b></p>" + _block(row.input),
    ]
    output, expected = row.output or "", row.expected
    if isinstance(expected, str) and not row.error:
        parts.append(
            "<p><b>output vs expected</b> "
            '<span class="muted">(<del>expected</del> <ins>output</ins>)</span></p>'
        )
        parts.append(diff_html(expected, output))
    else:
        if expected is not None:
            parts.append("<p><b>expected</b></p>" + _block(expected))
        parts.append("<p><b>output</b></p>" + _block(output))
    return "\n".join(parts) + "</section>"


def run_report(store: Store, run_id: str, *, limit: int = FAILURES_SHOWN) -> str:
    """The whole HTML page of one run."""
    run = store.get_run(run_id) or RunRecord(run_id)
    m = metrics_of(store, run)
    body = [f"<h1>evaltui run {_e(run_id)}</h1>", *_summary(run, m), *_tags(m)]
    count = store.count_results(run_id, status=("fail", "error"))
    shown = min(count, limit)
    body.append(f"<h2>Cases not passed ({shown:,} of {count:,} shown)</h2>")
    if not count:
        body.append('<p class="pass">Every case passed.</p>')
    notes = store.case_notes(run_id)
    body += [_case(row, notes.get(row.case_id, [])) for row in _failing_rows(store, run_id, limit)]
    return page(f"evaltui run {run_id}: {run.suite} × {run.model_id}", body)


def _side(tag: str, run: RunRecord, s: RunSummary) -> str:
    rate = fmt_rate(s.rate.pass_rate, s.rate.lo, s.rate.hi)
    return (
        f"<tr><td>{tag}</td><td>{_e(run.id)}</td><td>{_e(run.suite)}</td>"
        f"<td>{_e(run.model_id)}</td><td>{_e(run.label or '–')}</td>"
        f"<td>{_e(rate)} of {s.rate.n:,}</td><td>{s.errors:,}</td><td>{_e(ms(s.latency_ms.p95))}</td>"
        f"<td>{_e(money(s.cost_usd))}</td></tr>"
    )


def _moved(store: Store, c: Comparison, kind: str, ids: list[str], limit: int) -> Iterator[str]:
    if not ids:
        return
    yield f"<h2>{kind.capitalize()} ({min(len(ids), limit):,} of {len(ids):,} shown)</h2>"
    for case_id in ids[:limit]:
        old, new = outputs(store, c.run_a.id, c.run_b.id, case_id)
        yield (
            f'<section class="case"><h3>{_e(case_id)}</h3>'
            '<p class="muted">output: <del>in A</del> <ins>in B</ins></p>'
            + diff_html(old, new)
            + "</section>"
        )


def compare_report(store: Store, c: Comparison, *, limit: int = MOVED_SHOWN) -> str:
    """The whole HTML page of a comparison (`reports.comparison.compare_runs`): run B against A."""
    run_a, run_b = c.run_a.id, c.run_b.id
    body = [
        f"<h1>evaltui compare: {_e(run_a)} → {_e(run_b)}</h1>",
        "<table>"
        + _head("", "run", "suite", "model", "label", "pass rate (95% CI)", "errors", "p95", "cost"),
        _side("A", c.run_a, c.summary_a),
        _side("B", c.run_b, c.summary_b),
        "</table>",
        "<pre>" + "\n".join(_e(line.plain) for line in summary_lines(c)) + "</pre>",
    ]
    body += _moved(store, c, "regressions", c.regressions, limit)
    body += _moved(store, c, "improvements", c.improvements, limit)
    return page(f"evaltui compare {run_a} → {run_b}", body)
