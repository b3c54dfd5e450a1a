"""`evaltui validate`: load and prepare suites without asking any model."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from evaltui.engine import prepare
from evaltui.errors import SuiteError
from evaltui.format import counted
from evaltui.suites import discover_suites, load_suite


def validate_command(paths: list[Path], out: Console, err: Console) -> int:
    broken = 0
    checked = 0
    for path in paths:
        entries = discover_suites([path]) if path.is_dir() else None
        targets = [(e.path, e.error) for e in entries] if entries is not None else [(path, None)]
        for file, error in targets:
            checked += 1
            try:
                if error is not None:
                    raise error
                suite = load_suite(file)
                prepare(suite)
            except SuiteError as exc:
                broken += 1
                err.print(str(exc), markup=False, soft_wrap=True)
                continue
            out.print(f"ok  {file}  ({counted(len(suite.cases), 'case')})", markup=False, soft_wrap=True)
    if checked == 0:
        err.print("no suites found (a suite is a .yaml file with cases:)", markup=False, soft_wrap=True)
        return 2
    return 2 if broken else 0
