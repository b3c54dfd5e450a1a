"""The Run screen's progress line never reads as done before the run is: 996 of 1,000 cases is
not "100%", and the bar is not full."""

from __future__ import annotations

from textual.app import App, ComposeResult

from evaltui.engine import LiveStats
from evaltui.tui.widgets.progress_line import BAR_CELLS, ProgressLine


class _Host(App[None]):
    def compose(self) -> ComposeResult:
        yield ProgressLine(id="line")


def _shown(line: ProgressLine) -> str:
    return str(line.render())


async def test_a_run_short_of_its_last_cases_never_reads_as_done() -> None:
    app = _Host()
    async with app.run_test(size=(120, 5)) as pilot:
        line = app.query_one(ProgressLine)
        line.show_live(LiveStats(total=1000, done=996))
        await pilot.pause()
        shown = _shown(line)
        assert "100%" not in shown and " 99%" in shown
        assert shown.count("━") == BAR_CELLS
        filled = line.render().spans[0]  # the bar's filled part is its first span
        assert filled.end - filled.start < BAR_CELLS
        line.show_live(LiveStats(total=1000, done=1000))
        await pilot.pause()
        assert "100%" in _shown(line)
        line.show_live(LiveStats(total=1000, done=4))
        await pilot.pause()
        assert "  0%" not in _shown(line) and " <1%" in _shown(line)
