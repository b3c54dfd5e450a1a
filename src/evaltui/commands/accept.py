"""`evaltui accept RUN CASE [--yes]`: show the change, ask, then write the run's output as the
case's expected value into the suite's source (suites/edit.py) and mark the result accepted."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.text import Text

from evaltui.engine.rerun import accept_edit, accepted
from evaltui.errors import EvaltuiError
from evaltui.text import inert

if TYPE_CHECKING:
    from evaltui.store import Store


def accept_command(store: Store, run_ref: str, case_id: str, out: Console, *, yes: bool) -> None:
    run_id = store.resolve_run(run_ref)
    edit = accept_edit(store, run_id, case_id)
    for line in edit.diff().splitlines():
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else ""
        out.print(inert(line, style), soft_wrap=True)
    if not yes:
        if not sys.stdin.isatty():
            raise EvaltuiError("standard input is not a terminal: give --yes to accept without being asked")
        if not click.confirm(f"Write this into {edit.path}?", default=False):
            out.print("Nothing written.")
            return
    edit.write()
    accepted(store, run_id, case_id, edit)
    said = Text("accepted: ").append_text(inert(case_id)).append(" now expects this output (")
    out.print(said.append_text(inert(edit.where)).append("); the next run scores it against it"))
