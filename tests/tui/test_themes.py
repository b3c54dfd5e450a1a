"""Themes: shipped files load and validate, a bad file is skipped with a notification, and the
user's choice is saved to their config file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from evaltui.config import config_file
from evaltui.tui.themes import ThemeFile, load_themes, theme_dirs
from tests.tui.conftest import AppFactory, record_notifications

THEME_KEYS = list(ThemeFile.model_fields)


def test_shipped_themes_include_a_light_and_an_ansi_theme() -> None:
    loaded = load_themes()
    names = {theme.name: theme for theme in loaded.themes}
    assert not loaded.problems
    assert {"evaltui-dark", "evaltui-light", "evaltui-ansi"} <= set(names)
    assert names["evaltui-light"].dark is False
    assert names["evaltui-ansi"].ansi is True


def test_a_bad_theme_file_is_reported_with_its_field(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("name: bad\nprimary: not-a-colour\n", encoding="utf-8")
    (tmp_path / "good.yaml").write_text("name: good\nprimary: '#112233'\n", encoding="utf-8")
    loaded = load_themes([tmp_path])
    assert "good" in {theme.name for theme in loaded.themes}
    assert len(loaded.problems) == 1 and "bad.yaml" in loaded.problems[0] and "primary" in loaded.problems[0]


def test_a_bad_theme_file_is_said_as_file_line_field_in_plain_words(tmp_path: Path) -> None:
    """As a suite's errors are: `bad.yaml:3: primary: not a colour …`, one line, no YAML parser's
    multi-line dump and no pydantic wording ("Value error, …", "Extra inputs are not permitted")."""
    (tmp_path / "a.yaml").write_text("name: a\ndark: true\nprimary: '#zzzzzz'\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("name: [oops\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("name: c\nprimary: '#ff0000'\nbogus_key: 1\n", encoding="utf-8")
    (tmp_path / "d.yaml").write_text("name: d\nprimary: '#ff0000'\ndark: true\n", encoding="utf-8")
    loaded = load_themes([tmp_path])
    assert "d" in {theme.name for theme in loaded.themes}
    a, b, c = loaded.problems
    assert a.endswith("a.yaml:3: primary: not a colour: '#zzzzzz'"), a
    assert "b.yaml:2: " in b and "\n" not in b, b
    assert c.endswith("c.yaml:3: bogus_key: unknown key; expected one of: " + ", ".join(THEME_KEYS)), c


async def test_the_app_starts_with_a_bad_theme_file_and_says_so(
    make_tui: AppFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = tmp_path / "themes"
    folder.mkdir()
    (folder / "broken.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    monkeypatch.setattr("evaltui.tui.themes.theme_dirs", lambda: [*theme_dirs(), folder])
    app = make_tui()
    notes = record_notifications(app)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == "evaltui-dark"
        assert any("broken.yaml" in note for note in notes)


async def test_choosing_a_theme_is_remembered_in_the_user_config(make_tui: AppFactory) -> None:
    app = make_tui()
    async with app.run_test() as pilot:
        app.theme = "evaltui-light"
        await pilot.pause()
        await app.workers.wait_for_complete()
    assert yaml.safe_load(config_file().read_text(encoding="utf-8"))["theme"] == "evaltui-light"


def test_a_users_ansi_theme_gets_the_variables_textuals_widgets_need(tmp_path: Path) -> None:
    """Textual's Screen and Button style themselves with `$ansi-background`, which only Textual's
    own ANSI themes define: a user's 16-colour theme without it stopped the app at start-up."""
    (tmp_path / "mine.yaml").write_text("name: mine\nansi: true\nprimary: ansi_blue\n", encoding="utf-8")
    (theme,) = [t for t in load_themes([tmp_path]).themes if t.name == "mine"]
    assert {"ansi-background", "ansi-foreground"} <= set(theme.variables)


def test_a_theme_variable_textual_cannot_read_is_said_as_file_line_field(tmp_path: Path) -> None:
    """`variables:` values were not checked: one Textual's stylesheet cannot read stopped the app at
    start-up with "Error in stylesheet" and a CSS dump, naming neither the file nor the variable."""
    (tmp_path / "a.yaml").write_text(
        "name: a\nprimary: '#ff0000'\nvariables:\n  footer-key-foreground: '[b]x'\n", encoding="utf-8"
    )
    (tmp_path / "b.yaml").write_text(
        "name: b\nprimary: '#ff0000'\nvariables:\n  block-cursor-text-style: 1fr\n", encoding="utf-8"
    )
    (tmp_path / "c.yaml").write_text(
        "name: c\nprimary: '#ff0000'\nvariables:\n  footer-key-foreground: bold\n", encoding="utf-8"
    )
    (tmp_path / "d.yaml").write_text(
        "name: d\nprimary: '#ff0000'\nvariables:\n  block-cursor-text-style: b reverse\n"
        "  footer-key-foreground: '#00ff00'\n  text: auto 87%\n  my-own: ansi_default\n",
        encoding="utf-8",
    )
    loaded = load_themes([tmp_path])
    assert "d" in {theme.name for theme in loaded.themes}, loaded.problems
    a, b, c = loaded.problems
    assert "a.yaml:4: variables.footer-key-foreground: " in a, a
    assert "b.yaml:4: variables.block-cursor-text-style: " in b, b
    assert "c.yaml:4: variables.footer-key-foreground: " in c, c


async def test_the_app_starts_with_a_theme_whose_variable_textual_cannot_read(
    make_tui: AppFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = tmp_path / "themes"
    folder.mkdir()
    (folder / "mine.yaml").write_text(
        "name: mine\nprimary: '#ff0000'\nvariables: {footer-key-foreground: '[b]x'}\n", encoding="utf-8"
    )
    monkeypatch.setattr("evaltui.tui.themes.theme_dirs", lambda: [*theme_dirs(), folder])
    app = make_tui(theme="mine")
    notes = record_notifications(app)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == "evaltui-dark"
        assert any("mine.yaml" in note for note in notes), notes
