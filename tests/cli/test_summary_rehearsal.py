"""`evaltui run` draws a made-up summary to nowhere while its requests are out (`rehearse_summary`),
so that Rich's first drawing is not paid after the last answer: it prints nothing, and the summary
printed after it is the one printed without it."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from tests.store.factories import DEMO, make_suite, result_row

from evaltui.commands.show import rehearse_summary
from evaltui.store import Store

PRINT_SUMMARY = """
import io, sys
from rich.console import Console
from evaltui.commands.show import print_summaries, rehearse_summary
from evaltui.store import Store
out = Console(file=io.StringIO(), width=int(sys.argv[3]), highlight=False, emoji=False)
if sys.argv[4] == "rehearsed":
    rehearse_summary(out)
with Store(sys.argv[1]) as store:
    print_summaries(store, [store.get_run(sys.argv[2])], out)
sys.stdout.write(out.file.getvalue())
"""


@pytest.mark.parametrize("width", [80, 30, 200])
def test_a_rehearsal_prints_nothing(width: int) -> None:
    out = Console(file=io.StringIO(), width=width, color_system="truecolor", highlight=False, emoji=False)
    rehearse_summary(out)
    assert out.file.getvalue() == ""


@pytest.mark.parametrize("width", [80, 44])
def test_the_summary_after_a_rehearsal_is_the_one_printed_without_it(tmp_path: Path, width: int) -> None:
    with Store(tmp_path / "r.db") as store:
        run_id = store.create_run(suite_id=store.save_suite(make_suite(12)), model=DEMO, total=12)
        writer = store.writer()
        for i in range(12):
            status = {2: "fail", 5: "error", 9: "fail"}.get(i, "pass")
            writer.put(result_row(run_id, f"case-{i:06d}", status, output=f"answer «{i}» " * 9))
        writer.close()

    def summary(how: str) -> str:
        args = [str(tmp_path / "r.db"), run_id, str(width), how]
        done = subprocess.run([sys.executable, "-c", PRINT_SUMMARY, *args], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    cold = summary("cold")
    assert "failing cases: 3 of 3" in cold and "case-000005" in cold
    assert summary("rehearsed") == cold
