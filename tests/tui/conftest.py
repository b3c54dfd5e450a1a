"""Fixtures for the TUI tests: suite folders in tmp dirs, real databases with real runs made by
the real engine on the offline demo models, a generated 100,000-result run, and an app factory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.content import Content
from textual.widgets import OptionList

from evaltui.config import Config
from evaltui.tui.app import EvaltuiApp, make_app
from evaltui.tui.widgets.footer import KeysFooter
from tests.store.factories import write_big_run
from tests.tui.frozen import FIXED_RUN_ID, FIXED_TIME, freeze_run, run_suite  # noqa: F401 (re-exported)

# demo:echo answers with the prompt itself, so `expected` decides pass or fail: every third case fails.
ECHO_CASES = "\n".join(
    f'  - id: q{i:02d}\n    input: "answer {i}"\n    expected: "{"answer" if i % 3 else "other"} {i}"\n'
    f"    tags: [{'even' if i % 2 == 0 else 'odd'}]"
    for i in range(1, 13)
)
ECHO_SUITE = f"""name: echo-check
description: Echo model against expected strings; every third case fails.
prompt: "{{{{ input }}}}"
models:
  - id: demo:echo
    provider: demo
    model: echo
    params: {{latency_ms: 0}}
scorers:
  - type: equals
cases:
{ECHO_CASES}
"""
HOSTILE_SUITE = """name: hostile-output
description: The hostile demo model; everything it says must show inert.
prompt: "{{ input }}"
models:
  - id: demo:hostile
    provider: demo
    model: hostile
    params: {latency_ms: 0}
scorers:
  - type: equals
cases:
  - {id: click, input: "hostile:rich_click", expected: "[@click=app.quit]quit[/]x"}
  - {id: osc52, input: "hostile:osc52_clipboard", expected: "nothing"}
  - {id: ansi, input: "hostile:ansi_cursor", expected: "nothing"}
  - {id: rtl, input: "hostile:rtl_override", expected: "nothing"}
  - {id: markup, input: "hostile:rich_markup", expected: "nothing"}
  - {id: huge, input: "a huge answer please", expected: "short"}
"""
BROKEN_SUITE = """name: broken
prompt: "{{ input }}"
scorers:
  - type: equals
cases:
  - id: one
    input: hi
    expectd: typo
"""


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test touches the user's config (the theme choice is saved there); no animations."""
    monkeypatch.setenv("EVALTUI_CONFIG", str(tmp_path / "user-config.yaml"))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture
def suite_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "suites"
    folder.mkdir()
    (folder / "echo.yaml").write_text(ECHO_SUITE, encoding="utf-8")
    (folder / "hostile.yaml").write_text(HOSTILE_SUITE, encoding="utf-8")
    (folder / "broken.yaml").write_text(BROKEN_SUITE, encoding="utf-8")
    return folder


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "results.db"


@pytest.fixture
def echo_run(db_path: Path, suite_dir: Path) -> str:
    return freeze_run(db_path, run_suite(db_path, suite_dir / "echo.yaml"))


@pytest.fixture
def hostile_run(db_path: Path, suite_dir: Path) -> str:
    return run_suite(db_path, suite_dir / "hostile.yaml")


@pytest.fixture(scope="session")
def big_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A database holding one 100,000-result run (every tenth fails, every fiftieth errors)."""
    path = tmp_path_factory.mktemp("big") / "big.db"
    return path, write_big_run(path, "big-suite")


AppFactory = Callable[..., EvaltuiApp]


@pytest.fixture
def make_tui(db_path: Path, suite_dir: Path) -> AppFactory:
    def build(
        db: Path | None = None, dirs: list[Path] | None = None, theme: str = "evaltui-dark"
    ) -> EvaltuiApp:
        path = db or db_path
        app = make_app(Config(db_path=path, theme=theme), path, [suite_dir] if dirs is None else dirs)
        app.animation_level = "none"
        return app

    return build


def record_notifications(app: EvaltuiApp) -> list[str]:
    """Every notification message the app shows, in order (the toasts still show)."""
    notes: list[str] = []
    show = app.notify

    def notify(message: str, **options: Any) -> None:
        notes.append(str(message))
        show(message, **options)

    app.notify = notify  # type: ignore[method-assign]
    return notes


def suites_loaded(app: Any) -> bool:
    """The home screen has read every suite folder (it shows suites as they load)."""
    from evaltui.tui.screens.suites import SuitesScreen

    return isinstance(app.screen, SuitesScreen) and not app.screen.reading and bool(app.screen.entries)


async def wait_until(pilot: Any, condition: Callable[[], bool], *, steps: int = 400) -> None:
    """Let the app work (workers, timers, engine threads) until `condition` holds; fail if it never does."""
    for _ in range(steps):
        if condition():
            return
        await pilot.pause(0.025)
    raise AssertionError("the app never reached the expected state")


def screen_text(widget: Any) -> str:
    """What a Static shows, as plain text."""
    content = widget.content
    return content.plain if hasattr(content, "plain") else str(content)


def footer_descriptions(app: Any) -> list[str]:
    """What the keys in the current screen's footer say ("Open case", "Back"...)."""
    return [key.description for footer in app.screen.query(KeysFooter) for key in footer.keys]


def table_lines(table: Any) -> list[str]:
    """The lines a ResultTable paints right now (header first)."""
    return [table.render_line(y).text for y in range(table.scrollable_content_region.height)]


async def open_palette(pilot: Any, query: str = "") -> None:
    """ctrl+p, then `query` typed key by key (empty: the palette lists its discovered commands)."""
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))
    if query:
        await pilot.press(*query)


def palette_hits(app: Any) -> list[str]:
    """The palette's commands as listed, best first: each one's first line, as plain text (a
    "No matches" line is not a command)."""
    if not isinstance(app.screen, CommandPalette):
        return []
    hits = app.screen.query_one(OptionList)
    prompts = (hits.get_option_at_index(i).prompt for i in range(hits.option_count))
    return [prompt.plain.split("\n")[0] for prompt in prompts if isinstance(prompt, Content)]


async def palette_choose(pilot: Any, query: str, label: str) -> None:
    """Type `query` in the palette and press enter once the top (highlighted) hit starts with `label`."""
    await open_palette(pilot, query)
    await wait_until(pilot, lambda: any(hit.startswith(label) for hit in palette_hits(pilot.app)[:1]))
    await pilot.press("enter")
