"""`evaltui merge A.db B.db … --into ALL.db`: results files made one history (store/merge.py)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from evaltui.format import counted
from evaltui.store.merge import merge_database


def merge_command(sources: list[Path], into: Path, out: Console) -> None:
    into.parent.mkdir(parents=True, exist_ok=True)
    for source in sources:
        merged = merge_database(into, source)
        added = merged.added
        runs = added.get("runs", 0)
        already = merged.runs_seen - runs
        out.print(
            f"{source}: {counted(runs, 'run')} added"
            + (f" ({already:,} already in {into})" if already else "")
            + f", {counted(added.get('results', 0), 'result')}, {counted(added.get('suites', 0), 'suite')}, "
            f"{counted(added.get('annotations', 0), 'annotation')}",
            markup=False,
            soft_wrap=True,
        )
