"""Help lists every screen's keys as they are bound now: after the user's keymap."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from evaltui.config import Config
from evaltui.tui.app import EvaltuiApp, make_app
from evaltui.tui.screens.help import HelpScreen
from tests.tui.conftest import record_notifications, wait_until


async def help_lines(app: EvaltuiApp) -> list[str]:
    """The lines of the Help screen's key table, as painted."""
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_until(pilot, lambda: len(app.screen_stack) > 1)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        keys = app.screen.query_one("#keys", Static)
        return [keys.render_line(y).text.strip() for y in range(keys.size.height)]


def keys_of(lines: list[str], description: str) -> list[str]:
    """The key column of each line whose description is `description`."""
    found = []
    for line in lines:
        key, _, rest = line.partition("  ")
        if rest.strip().startswith(description + "  ") or rest.strip() == description:
            found.append(key.strip())
    return found


async def test_help_lists_the_keys_of_every_screen(db_path: Path, suite_dir: Path) -> None:
    lines = await help_lines(make_app(Config(db_path=db_path), db_path, [suite_dir]))
    for section in ("Everywhere", "Suites (home)", "Run", "Case", "All runs", "Compare", "Diff", "Matrix"):
        assert section in lines
    assert keys_of(lines, "All runs") == ["R"]
    assert keys_of(lines, "Help") == ["?"]
    assert keys_of(lines, "Open case") == ["⏎"]
    assert keys_of(lines, "Latest run") == ["⏎"]
    assert keys_of(lines, "Inline/side") == ["u"]
    assert len([line for line in lines if "  " in line]) > 40  # a key and what it does, per line


async def test_help_lists_the_keys_the_users_keymap_binds(db_path: Path, suite_dir: Path) -> None:
    config = Config(db_path=db_path, keymap={"app.runs": "u", "run.fail": "F,ctrl+f"})
    lines = await help_lines(make_app(config, db_path, [suite_dir]))
    assert keys_of(lines, "All runs") == ["u"]
    assert keys_of(lines, "Failures") == ["F, ^f"]
    assert keys_of(lines, "Inline/side") == ["u"]  # the Diff screen's own u is not the app's


async def test_a_keymap_naming_no_binding_is_said_not_ignored(db_path: Path, suite_dir: Path) -> None:
    """`keymap: {app.runz: u}` (a typo) rebinds nothing: the app says which ids it does not know,
    and that `?` lists them, rather than leave the user wondering why the key does nothing."""
    config = Config(db_path=db_path, keymap={"app.runz": "u", "app.runs": "U"})
    app = make_app(config, db_path, [suite_dir])
    notes = record_notifications(app)
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_until(pilot, lambda: len(app.screen_stack) > 1)
        said = [note for note in notes if "app.runz" in note]
        assert said and "app.runs" not in said[0] and "?" in said[0], notes


def test_every_binding_id_is_listed_by_help_and_known_to_the_keymap_check() -> None:
    """A binding declared anywhere in the TUI shows in Help and can be named in a keymap."""
    import importlib
    import inspect
    import pkgutil

    from textual.binding import Binding
    from textual.dom import DOMNode

    import evaltui.tui
    from evaltui.tui.screens.help import unknown_binding_ids

    ids = set()
    for module in pkgutil.walk_packages(evaltui.tui.__path__, "evaltui.tui."):
        for _, cls in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            if issubclass(cls, DOMNode) and cls.__module__.startswith("evaltui."):
                ids |= {b.id for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding) and b.id}
    assert len(ids) > 60
    assert unknown_binding_ids(EvaltuiApp, dict.fromkeys(ids, "x")) == []


async def test_help_lists_ctrl_q_the_quit_that_asks_first(db_path: Path, suite_dir: Path) -> None:
    """evaltui takes over Textual's ctrl+q (it asks first while a run of this window is live), but
    the key showed nowhere: not in Help, not under an id a keymap could name."""
    lines = await help_lines(make_app(Config(db_path=db_path), db_path, [suite_dir]))
    everywhere = lines[lines.index("Everywhere") : lines.index("Suites (home)")]
    assert keys_of(everywhere, "Quit") == ["^q"], everywhere
    assert any("app.quit" in line for line in everywhere), everywhere


async def test_a_keymap_moves_quit_off_ctrl_q(db_path: Path, suite_dir: Path) -> None:
    """A terminal that keeps ctrl+q for itself (flow control, an editor's own quit) can give quit
    another key with `keymap: {app.quit: ctrl+x}`; ctrl+c's hint then names that key."""
    config = Config(db_path=db_path, keymap={"app.quit": "ctrl+x"})
    app = make_app(config, db_path, [suite_dir])
    notes = record_notifications(app)
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_until(pilot, lambda: len(app.screen_stack) > 1)
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: any("quit" in note for note in notes))
        assert any("ctrl+x" in note for note in notes), notes
        await pilot.press("ctrl+x")
        await wait_until(pilot, lambda: not app.is_running)
