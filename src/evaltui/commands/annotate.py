"""`evaltui annotate RUN CASE --label L [--note TEXT]`: what a reviewer concluded about a result,
kept with the run (the TUI's `l` and `N` write the same rows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from evaltui.errors import EvaltuiError
from evaltui.text import inert

if TYPE_CHECKING:
    from evaltui.store import Store


def annotate_command(
    store: Store, run_ref: str, case_id: str, out: Console, *, label: str | None, note: str | None
) -> None:
    run_id = store.resolve_run(run_ref)
    if store.get_result(run_id, case_id) is None:
        raise EvaltuiError(f"run {run_id} has no result for case {case_id!r}")
    try:
        made = store.annotate(run_id, case_id, label=label or "", note=note or "")
    except ValueError as exc:
        raise EvaltuiError(f"annotation not kept: {exc}") from None
    said = Text("annotated ").append_text(inert(case_id)).append(f" in run {run_id}: ")
    said.append_text(inert(made.label or "(note only)"))
    if made.note:
        said.append(f" + note of {len(made.note):,} characters")
    said.append(f" (by {made.author or 'unknown user'})", style="dim")
    out.print(said)
