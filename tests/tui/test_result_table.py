"""The paged result table keeps its scrollbar and scroll position right as a live run's row count
changes, whether or not the change needs the screen laid out again."""

from __future__ import annotations

from textual import on
from textual.app import App, ComposeResult
from textual.screen import Screen

from evaltui.records import ResultPreview
from evaltui.tui.widgets.result_table import PAGE_SIZE, ResultTable


class TableScreen(Screen[None]):
    """A ResultTable alone, its screen answering every page request with numbered rows at once
    (as the Run screen answers from the store)."""

    def compose(self) -> ComposeResult:
        yield ResultTable(id="results")

    @on(ResultTable.PageNeeded)
    def _page(self, event: ResultTable.PageNeeded) -> None:
        table = self.query_one(ResultTable)
        end = min(event.offset + event.limit, table.total)
        rows = [ResultPreview("run", f"case-{i:05d}", status="pass") for i in range(event.offset, end)]
        table.add_page(event.generation, event.offset, rows)


class TableApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(TableScreen())


async def test_a_growing_row_count_moves_the_scrollbar_and_reaches_the_new_last_row() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(ResultTable)
        table.focus()
        table.reset(100)
        await pilot.pause()
        assert table.show_vertical_scrollbar
        table.reset(5 * PAGE_SIZE + 7, keep_rows=True)  # grows, the scrollbar stays: no new layout needed
        await pilot.pause()
        assert table.vertical_scrollbar.window_virtual_size == 5 * PAGE_SIZE + 8
        assert table.max_scroll_y == 5 * PAGE_SIZE + 8 - table.scrollable_content_region.height
        await pilot.press("end")
        last = f"case-{5 * PAGE_SIZE + 6:05d}"
        for _ in range(50):  # the last page is asked for when the table first draws it
            await pilot.pause()
            lines = [table.render_line(y).text for y in range(table.scrollable_content_region.height)]
            if any(last in line for line in lines):
                break
        assert any(last in line for line in lines), lines
        assert table.cursor == 5 * PAGE_SIZE + 6


async def test_a_shrinking_row_count_pulls_the_view_back_and_hides_the_scrollbar() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(ResultTable)
        table.focus()
        table.reset(1000)
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()
        assert table.scroll_offset.y > 900
        table.reset(300, keep_rows=True)  # still scrolls: the view is pulled back within the rows
        await pilot.pause()
        assert table.scroll_offset.y <= table.max_scroll_y == 301 - table.scrollable_content_region.height
        table.reset(5, keep_rows=True)  # fits: the scrollbar goes
        await pilot.pause()
        await pilot.pause()
        assert not table.show_vertical_scrollbar and table.scroll_offset.y == 0


class GivenRowsScreen(Screen[None]):
    """A ResultTable answering page requests with the rows it was built with."""

    def __init__(self, rows: list[ResultPreview]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield ResultTable(id="results")

    def on_mount(self) -> None:
        self.query_one(ResultTable).reset(len(self.rows))

    @on(ResultTable.PageNeeded)
    def _page(self, event: ResultTable.PageNeeded) -> None:
        rows = self.rows[event.offset : event.offset + event.limit]
        self.query_one(ResultTable).add_page(event.generation, event.offset, rows)


async def table_text(rows: list[ResultPreview]) -> list[str]:
    app = App[None]()
    async with app.run_test(size=(80, 10)) as pilot:
        await app.push_screen(GivenRowsScreen(rows))
        table = app.screen.query_one(ResultTable)
        for _ in range(20):
            await pilot.pause()
            lines = [table.render_line(y).text for y in range(len(rows) + 1)]
            if "…" not in "".join(lines):
                return lines
    raise AssertionError("the rows never arrived")


async def test_an_errored_row_shows_no_score() -> None:
    lines = await table_text(
        [
            ResultPreview("run", "ok", status="pass", value=1.0, latency_ms=12),
            ResultPreview("run", "boom", status="error", value=0.0, error="HTTP 503", latency_ms=None),
        ]
    )
    assert lines[1].split()[-2:] == ["1.00", "12ms"]
    assert lines[2].split()[-2:] == ["–", "–"]  # no "0.00": the model was never scored


async def test_a_cached_row_says_cached_instead_of_a_replayed_latency() -> None:
    lines = await table_text(
        [
            ResultPreview("run", "fresh", status="pass", value=1.0, latency_ms=24, cached=False),
            ResultPreview("run", "again", status="pass", value=1.0, latency_ms=24, cached=True),
        ]
    )
    assert lines[1].split()[-1] == "24ms"
    assert lines[2].split()[-1] == "cached" and "24ms" not in lines[2]
