"""A short word-level diff of two outputs for terminals and reports: `[-old-]{+new+}` with long
unchanged stretches cut to a little context, and control characters made visible."""

from __future__ import annotations

from evaltui.analysis.diff import Segment, render_plain, unified_word_diff
from evaltui.store import Store
from evaltui.text import make_visible

CONTEXT = 30  # characters of unchanged text kept on each side of a change
LIMIT = 400  # characters of diff shown at most


def _trim_equal(text: str, first: bool, last: bool) -> str:
    if len(text) <= 2 * CONTEXT:
        return text
    head = "" if first else text[:CONTEXT]
    tail = "" if last else text[-CONTEXT:]
    return f"{head}…{tail}"


def short_diff(old: str, new: str, limit: int = LIMIT) -> str:
    """The changes between `old` and `new` on one line of at most about `limit` characters."""
    if old == new:
        return "(same output)"
    segments = unified_word_diff(old, new)
    trimmed: list[Segment] = []
    for i, seg in enumerate(segments):
        if seg.op == "equal":
            text = _trim_equal(seg.a, first=i == 0, last=i == len(segments) - 1)
            trimmed.append(Segment("equal", text, text))
        else:
            trimmed.append(Segment(seg.op, seg.a[: limit // 2], seg.b[: limit // 2]))
    text = make_visible(render_plain(trimmed).replace("\r\n", "\n").replace("\n", "⏎ "))
    return text if len(text) <= limit else text[:limit] + "…"


def outputs(store: Store, run_a: str, run_b: str, case_id: str) -> tuple[str, str]:
    """The first epoch's full output of a case in each run ("" when absent or errored)."""
    a, b = store.get_result(run_a, case_id, 0), store.get_result(run_b, case_id, 0)
    return (a and a.output) or "", (b and b.output) or ""
