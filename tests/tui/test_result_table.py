"""The paged result table keeps its scrollbar and scroll position right as a live run's row count
changes, whether or not the change needs the screen laid out again."""

from __future__ import annotations

from textual import on
from textual.app import App, ComposeResult
from textual.screen import Screen

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
        rows = [{"case_id": f"case-{i:05d}", "status": "pass"} for i in range(event.offset, end)]
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
