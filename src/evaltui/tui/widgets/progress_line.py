"""The Run screen's progress line: one line, not Textual's ProgressBar (three widgets in a row): the
Run screen usually first shows in the middle of a live run, and each widget it mounts lengthens
that first frame. It shows a run of this window (live stats: speed, ETA) or a run another process
is running (its results so far, and whose it is)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

import evaltui.format as fmt
from evaltui.engine import LiveStats
from evaltui.records import RunRecord
from evaltui.tui.widgets.safe_text import one_line
from evaltui.tui.widgets.tones import tone

BAR_CELLS = 30  # width of the bar


class ProgressLine(Static):
    def _bar(self, done: int, total: int) -> Text:
        share = min(done / total, 1.0) if total else 0.0
        filled = BAR_CELLS if done >= total > 0 else min(round(share * BAR_CELLS), BAR_CELLS - 1)
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("━" * filled, tone(self.app, "primary"))
        line.append("━" * (BAR_CELLS - filled), tone(self.app, "text-disabled"))
        line.append(f" {fmt.whole_pct(share):>4}", "bold")
        return line

    def show_live(self, stats: LiveStats) -> None:
        """A run of this window: the share done, counts, speed and ETA."""
        line = self._bar(stats.done, stats.total)
        eta = fmt.duration(stats.eta_s)
        counts = f"  {stats.done:,}/{stats.total:,} · {stats.rate:.1f} cases/s · ETA {eta}"
        line.append(counts, tone(self.app, "text-muted"))
        if stats.concurrency is not None:
            line.append(f" · concurrency {stats.concurrency}", tone(self.app, "text-muted"))
        if stats.waiting_s > 0:
            line.append(f" · rate-limited, waiting {stats.waiting_s:.0f}s", tone(self.app, "warning"))
        elif stats.rate_limited:
            line.append(f" · {stats.rate_limited:,} rate-limited", tone(self.app, "warning"))
        self.update(line, layout=False)

    def show_followed(self, done: int, total: int, run: RunRecord) -> None:
        """A run another process is running: what it has written so far, and which process it is."""
        line = self._bar(done, total)
        line.append(f"  {done:,}/{total:,} · followed: run by another process", tone(self.app, "text-muted"))
        if run.pid:
            line.append_text(one_line(f" (pid {run.pid} on {run.hostname or '?'})", 80))
        self.update(line, layout=False)
