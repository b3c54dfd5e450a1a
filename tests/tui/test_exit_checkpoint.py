"""When the TUI exits, the results file alone is complete: what the TUI wrote is not left in `-wal`."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from tests.store.factories import make_suite
from tests.tui.conftest import AppFactory


async def test_after_the_tui_exits_the_db_file_alone_holds_what_it_wrote(
    make_tui: AppFactory, db_path: Path, tmp_path: Path
) -> None:
    app = make_tui()
    async with app.run_test() as pilot:
        suite_id = app.store.save_suite(make_suite(3, name="written-in-the-tui"))
        await pilot.pause()
    # the app's connections are still open (nothing closed them): only the exit's checkpoint counts
    copy = tmp_path / "artefact.db"
    shutil.copyfile(db_path, copy)
    conn = sqlite3.connect(copy)
    try:
        names = conn.execute("SELECT name FROM suites WHERE id = ?", (suite_id,)).fetchall()
    finally:
        conn.close()
    assert names == [("written-in-the-tui",)]
