"""A TUI that stops on an error exits non-zero: a crash once left `evaltui` with exit 0, so a
script or a wrapper could not tell it from a normal quit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# The real CLI entry, in its own process, with the app's stylesheet broken the way a bad theme broke it.
BROKEN_START = """
import sys
from evaltui.tui.app import EvaltuiApp
EvaltuiApp.CSS = "Screen { background: $no-such-variable; }"
from evaltui.cli import main
main(sys.argv[1:])
"""


def test_a_crash_of_the_tui_exits_non_zero(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", BROKEN_START, "--db", str(tmp_path / "r.db"), "--suites", str(tmp_path)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "EVALTUI_CONFIG": str(tmp_path / "config.yaml"), "TEXTUAL_ANIMATIONS": "none"},
    )
    assert done.returncode == 1
    assert "no-such-variable" in done.stdout + done.stderr
