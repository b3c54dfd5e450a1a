"""A table that never holds all its rows: the one paged table of the TUI (results, compared cases,
the matrix).

A Line-API widget (toolong's `log_lines.py` is the model): it knows only how many rows there
are and keeps the pages it has been given. The screen that owns it says how to read a page: a
`loader(offset, limit) -> rows` function (blocking; the table calls it in a thread worker and
drops what a newer `reset` made stale). Without a loader the table posts `PageNeeded` and the
screen hands the page back with `add_page`. A 100,000-row table costs one page query to show its
first rows.
Subclasses say how a row reads (`_cells`, `_header`); rows are any record with a `case_id` and
an `epoch` (what `enter` opens).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, Generic, Protocol, TypeVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import Worker, WorkerState

from evaltui.tui.host import host

PAGE_SIZE = 100
STATUS_ICONS = {"pass": "✓", "fail": "✗", "error": "!"}


class Keyed(Protocol):
    """What a row needs for `enter` to say which case it is."""

    @property
    def case_id(self) -> str: ...

    @property
    def epoch(self) -> int: ...


RowT = TypeVar("RowT", bound=Keyed)


class PagedTable(ScrollView, Generic[RowT], can_focus=True):
    """The paging, the cursor and the drawing of a paged table; a subclass draws its rows."""

    BINDINGS = [
        Binding("down", "cursor(1)", "Down", show=False, tooltip="Next result", id="table.down"),
        Binding("up", "cursor(-1)", "Up", show=False, tooltip="Previous result", id="table.up"),
        Binding("pagedown", "page(1)", "Page down", show=False, tooltip="One screen down", id="table.pgdn"),
        Binding("pageup", "page(-1)", "Page up", show=False, tooltip="One screen up", id="table.pgup"),
        Binding("home", "jump(0)", "First", show=False, tooltip="First result", id="table.home"),
        Binding("end", "jump(-1)", "Last", show=False, tooltip="Last result", id="table.end"),
        Binding("enter", "choose", "Open case", tooltip="Open the highlighted case", id="table.open"),
    ]
    COMPONENT_CLASSES = {
        "result-table--header",
        "result-table--cursor",
        "result-table--pass",
        "result-table--fail",
        "result-table--error",
        "result-table--muted",
    }
    DEFAULT_CSS = """
    PagedTable { height: 1fr; overflow-x: hidden; background: $surface; }
    PagedTable > .result-table--header { text-style: bold; background: $panel; color: $text; }
    PagedTable > .result-table--cursor { background: $primary 30%; }
    PagedTable:focus > .result-table--cursor { background: $primary 60%; }
    PagedTable > .result-table--pass { color: $success; }
    PagedTable > .result-table--fail { color: $error; }
    PagedTable > .result-table--error { color: $warning; }
    PagedTable > .result-table--muted { color: $text-muted; }
    """

    cursor: reactive[int] = reactive(0)

    class PageNeeded(Message):
        def __init__(self, table: PagedTable[Any], offset: int, limit: int, generation: int) -> None:
            super().__init__()
            self.table = table
            self.offset = offset
            self.limit = limit
            self.generation = generation

    class CaseChosen(Message):
        def __init__(self, case_id: str, epoch: int) -> None:
            super().__init__()
            self.case_id = case_id
            self.epoch = epoch

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.total = 0
        self.generation = 0
        self._pages: dict[int, list[RowT]] = {}
        self._stale: dict[int, list[RowT]] = {}
        self._requested: set[int] = set()
        # How to read a page, set by the screen (it knows its store and filters): (offset, limit).
        self.loader: Callable[[int, int], Sequence[RowT]] | None = None

    # -- data in ---------------------------------------------------------------------------
    def reset(self, total: int, *, keep_rows: bool = False) -> None:
        """New row count (filter changed, or a live run moved on). Pages are fetched again;
        with `keep_rows` the old ones stay on screen until the new ones arrive (no flicker)."""
        self.generation += 1
        self._stale = self._pages if keep_rows else {}
        self._pages = {}
        self._requested = set()
        self.total = total
        self._set_virtual_size(Size(self.size.width, total + 1))
        if not keep_rows:
            self.cursor = 0
            self.scroll_to(y=0, animate=False)
        self.cursor = min(self.cursor, max(total - 1, 0))
        self.refresh()

    def _set_virtual_size(self, size: Size) -> None:
        """Textual lays the whole screen out again when a widget's virtual size changes, so a live
        run's table, whose row count grows every second, would reflow the Run screen each time.
        When the scrollbar stays as it was, only the scrollbar's thumb and this widget's lines
        change: update those and repaint, without a layout."""
        height = self.scrollable_content_region.height
        if (
            size.width != self.virtual_size.width
            or (size.height > height) != (self.virtual_size.height > height)
            or (not self.show_vertical_scrollbar and size.height > height)
        ):
            self.virtual_size = size
            return
        self.set_reactive(PagedTable.virtual_size, size)
        if self.show_vertical_scrollbar:
            self.vertical_scrollbar.window_virtual_size = size.height

    def add_page(self, generation: int, offset: int, rows: Sequence[RowT]) -> None:
        if generation != self.generation:
            return
        self._pages[offset // PAGE_SIZE] = list(rows)
        self.refresh()

    def _ask(self, offset: int) -> None:
        if self.loader is None:
            self.post_message(self.PageNeeded(self, offset, PAGE_SIZE, self.generation))
            return
        # Not exclusive: the pages on screen at once must all arrive; each is asked for once.
        work = partial(self._load, self.loader, self.generation, offset)
        self.run_worker(work, thread=True, exit_on_error=False, group="page", name="Reading a page")

    def _load(self, loader: Callable[[int, int], Sequence[RowT]], generation: int, offset: int) -> None:
        """In a worker thread: the page, handed to the UI thread."""
        rows = loader(offset, PAGE_SIZE)
        self.app.call_from_thread(self.add_page, generation, offset, rows)

    @on(Worker.StateChanged)
    def _page_read(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "page":
            return
        if event.state == WorkerState.CANCELLED:
            self.forget_requests()
        elif event.state == WorkerState.ERROR:  # said once; the page is not asked for again
            host(self).notify_worker_error(event.worker)

    def forget_requests(self) -> None:
        """A page fetch was cancelled before it ran: ask again for what is still missing."""
        self._requested.clear()
        self.refresh()

    def row_at(self, index: int) -> RowT | None:
        page, slot = divmod(index, PAGE_SIZE)
        rows = self._pages.get(page) or self._stale.get(page)
        if rows is None or slot >= len(rows):
            if page not in self._requested and 0 <= index < self.total:
                self._requested.add(page)
                self._ask(page * PAGE_SIZE)
            return None
        return rows[slot]

    @property
    def highlighted(self) -> RowT | None:
        return self.row_at(self.cursor) if self.total else None

    # -- rendering -------------------------------------------------------------------------
    def _status_style(self, status: str) -> Style:
        name = {"pass": "pass", "fail": "fail", "error": "error"}.get(status, "muted")
        return self.get_component_rich_style(f"result-table--{name}")

    def _cells(self, row: RowT | None, width: int, muted: Style) -> Text:
        """One row as a line `width` cells wide (None: its page has not arrived yet)."""
        raise NotImplementedError

    def _header(self, width: int) -> Text:
        raise NotImplementedError

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            style = self.get_component_rich_style("result-table--header")
            return self._strip(self._header(width), width, style)
        index = self.scroll_offset.y + y - 1
        base = self.rich_style
        if index >= self.total:
            return Strip.blank(width, base)
        muted = self.get_component_rich_style("result-table--muted")
        text = self._cells(self.row_at(index), width, muted)
        if index == self.cursor:
            base = base + self.get_component_rich_style("result-table--cursor")
        return self._strip(text, width, base)

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        text.truncate(width, pad=True)
        segments = [
            Segment(seg.text, style + seg.style if seg.style else style)
            for seg in text.render(self.app.console)
        ]
        return Strip(segments, width)

    # -- moving ----------------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        visible_rows = max(self.scrollable_content_region.height - 1, 1)
        top = self.scroll_offset.y
        if new < top:
            self.scroll_to(y=new, animate=False)
        elif new >= top + visible_rows:
            self.scroll_to(y=new - visible_rows + 1, animate=False)
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, self.total + 1)

    def action_cursor(self, delta: int) -> None:
        self.cursor = min(max(self.cursor + delta, 0), max(self.total - 1, 0))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(self.scrollable_content_region.height - 2, 1))

    def action_jump(self, where: int) -> None:
        self.cursor = max(self.total - 1, 0) if where < 0 else 0

    def action_choose(self) -> None:
        row = self.highlighted
        if row is not None:
            self.post_message(self.CaseChosen(row.case_id, row.epoch))

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            return
        index = self.scroll_offset.y + event.y - 1
        if index < self.total:
            if index == self.cursor or event.chain > 1:
                self.action_choose()
            self.cursor = index
