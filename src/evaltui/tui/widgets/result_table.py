"""The Run screen's table of results: status, case, tags, label, output preview, score, latency."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from evaltui.records import ResultPreview
from evaltui.tui.widgets.paged_table import PAGE_SIZE, STATUS_ICONS, PagedTable
from evaltui.tui.widgets.safe_text import one_line

__all__ = ["PAGE_SIZE", "STATUS_ICONS", "ResultTable"]


class ResultTable(PagedTable[ResultPreview]):
    """Status, case id, tags, a reviewer's label, output preview, score and latency, one result a
    line. An errored result has no score; a cached one says "cached" where its (replayed) latency
    would be."""

    def _widths(self, width: int) -> tuple[int, int, int, int]:
        """Widths of the id, tags, label and preview columns for a table `width` cells wide."""
        id_width = 22 if width >= 100 else 16
        tags_width = 16 if width >= 100 else (10 if width >= 70 else 0)
        label_width = 14 if width >= 100 else (10 if width >= 70 else 0)
        fixed = 2 + id_width + 1 + sum(w + 1 for w in (tags_width, label_width) if w) + 1 + 6 + 1 + 8
        return id_width, tags_width, label_width, max(width - fixed, 8)

    def _cells(self, row: ResultPreview | None, width: int, muted: Style) -> Text:
        id_width, tags_width, label_width, preview_width = self._widths(width)
        line = Text(no_wrap=True, end="")
        if row is None:
            line.append("  …", muted)
            return line
        status = row.status
        line.append(STATUS_ICONS.get(status, "?") + " ", self._status_style(status))
        line.append_text(one_line(row.name, id_width))
        line.truncate(2 + id_width, pad=True)
        if tags_width:
            line.append(" ")
            line.append_text(one_line(",".join(map(str, row.tags)), tags_width, style=muted))
            line.truncate(3 + id_width + tags_width, pad=True)
        if label_width:
            line.append(" ")
            line.append_text(one_line(row.label or "", label_width, style="bold"))
            line.truncate(3 + id_width + (tags_width + 1 if tags_width else 0) + label_width, pad=True)
        line.append(" ")
        preview = row.error if status == "error" and row.error else row.output_preview
        line.append_text(one_line(preview or "", preview_width))
        line.truncate(width - 16, pad=True)
        value = row.value if status != "error" else None  # an errored case was never scored
        line.append(" " + (f"{value:5.2f}" if isinstance(value, int | float) else "    –"))
        latency = row.latency_ms
        if row.cached:  # the answer came from the cache: its latency is an old one
            shown = "    cached"
        else:
            shown = f"{latency:8.0f}ms" if isinstance(latency, int | float) else "         –"
        line.append(shown, muted)
        return line

    def _header(self, width: int) -> Text:
        id_width, tags_width, label_width, _ = self._widths(width)
        line = Text("  " + "case".ljust(id_width), no_wrap=True, end="")
        if tags_width:
            line.append(" " + "tags".ljust(tags_width))
        if label_width:
            line.append(" " + "label".ljust(label_width))
        line.append(" output")
        line.truncate(width - 16, pad=True)
        line.append("  score  latency")
        return line
