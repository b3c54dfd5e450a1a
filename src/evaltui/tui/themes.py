"""Themes: a dark default in code, more as YAML files in `themes/` (shipped) and in the user's
config folder. Each file is validated; a bad one is skipped with a message the app shows as a
notification, so a typo in a theme never stops the app from starting."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import BaseModel, ConfigDict, field_validator
from textual.color import Color, ColorParseError
from textual.css.constants import VALID_STYLE_FLAGS
from textual.css.tokenize import tokenize_values
from textual.css.tokenizer import TokenError
from textual.theme import Theme

from evaltui.config import APP_NAME, packaged_dir
from evaltui.errors import SuiteError
from evaltui.suites.validation import validate
from evaltui.suites.yamlnodes import read_yaml

DEFAULT_THEME = "evaltui-dark"

BUILTIN_THEMES: tuple[Theme, ...] = (
    Theme(
        name=DEFAULT_THEME,
        primary="#5FA8D3",
        secondary="#3D6A8A",
        accent="#E0A458",
        warning="#E0A458",
        error="#E5646E",
        success="#6CC08B",
        foreground="#DDE3EA",
        background="#151A21",
        surface="#1C232C",
        panel="#24303C",
        dark=True,
    ),
)


class ThemeFile(BaseModel):
    """The fields of a theme file; colours are anything Textual's `Color.parse` accepts."""

    model_config = ConfigDict(extra="forbid")

    name: str
    primary: str
    secondary: str | None = None
    accent: str | None = None
    warning: str | None = None
    error: str | None = None
    success: str | None = None
    foreground: str | None = None
    background: str | None = None
    surface: str | None = None
    panel: str | None = None
    boost: str | None = None
    dark: bool = True
    ansi: bool = False
    variables: dict[str, str] = {}

    @field_validator(
        "primary",
        "secondary",
        "accent",
        "warning",
        "error",
        "success",
        "foreground",
        "background",
        "surface",
        "panel",
        "boost",
    )
    @classmethod
    def _is_colour(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                Color.parse(value)
            except ColorParseError as exc:
                raise ValueError(f"not a colour: {value!r}") from exc
        return value


@dataclass(frozen=True, slots=True)
class LoadedThemes:
    themes: list[Theme]
    problems: list[str]  # one line per file that could not be used


def theme_dirs() -> list[Path]:
    """Shipped themes (the wheel's `_themes`, or the checkout's `themes/`), then the user's own."""
    shipped = packaged_dir("themes")
    user = Path(platformdirs.user_config_dir(APP_NAME)) / "themes"
    return [shipped, user] if shipped else [user]


def read_theme(path: Path) -> Theme:
    """One theme file as a Theme; ValueError saying `file:line: field: why` (as a suite's errors
    do) when it is not valid."""
    try:
        doc = read_yaml(path, str(path))
        if not isinstance(doc.data, dict):
            raise doc.error("a theme file must be a mapping of colours", ())
        spec = validate(ThemeFile, doc.data, doc, ())
        for name, value in spec.variables.items():
            problem = variable_problem(name, value)
            if problem:
                raise doc.error(problem, ("variables", name))
    except SuiteError as exc:
        raise ValueError(str(exc)) from exc
    return Theme(**with_ansi_defaults(spec.model_dump()))


def variable_problem(name: str, value: str) -> str | None:
    """Why Textual's stylesheet could not use `value` for the variable `name` (None: it can). A
    value it cannot read stops the app at start-up, in the middle of a CSS dump naming neither the
    file nor the variable: a variable Textual styles text with takes style words, one it colours
    with a colour, the theme's own any value Textual can read."""
    try:
        tokenize_values({name: value})
    except TokenError:
        return f"not a value Textual's stylesheet can read: {value!r}"
    kind = textual_variable_kinds().get(name)
    if kind == "style" and not set(value.split()) <= VALID_STYLE_FLAGS:
        return f"not a text style ({', '.join(sorted(VALID_STYLE_FLAGS))}): {value!r}"
    if kind == "colour":
        try:
            Color.parse(value)
        except ColorParseError:
            return f"not a colour: {value!r}"
    return None


@cache
def textual_variable_kinds() -> dict[str, str]:
    """The variables Textual's widgets read, as "colour" or "style" by their default value
    ("auto 87%" and the like: neither, and not checked past reading)."""
    kinds = {}
    for name, default in Theme(name="kinds", primary="#000000").to_color_system().generate().items():
        if set(default.split()) <= VALID_STYLE_FLAGS:
            kinds[name] = "style"
        else:
            try:
                Color.parse(default)
            except ColorParseError:
                continue
            kinds[name] = "colour"
    return kinds


# Textual's own widgets (Screen, Button, Tree) style themselves with these, and only Textual's own
# ANSI themes define them: an ANSI theme without them stops the app at start-up ("undefined variable
# '$ansi-background'"). The values are those of Textual's ansi-dark and ansi-light.
ANSI_VARIABLES = {
    True: {"ansi-background": "ansi_black", "ansi-foreground": "ansi_white"},
    False: {"ansi-background": "ansi_white", "ansi-foreground": "ansi_black"},
}


def with_ansi_defaults(fields: dict[str, Any]) -> dict[str, Any]:
    """A theme's fields with the variables every ANSI theme needs, unless the file sets them."""
    if not fields.get("ansi"):
        return fields
    return {**fields, "variables": {**ANSI_VARIABLES[bool(fields["dark"])], **fields["variables"]}}


def load_themes(dirs: list[Path] | None = None) -> LoadedThemes:
    themes = list(BUILTIN_THEMES)
    problems: list[str] = []
    for folder in theme_dirs() if dirs is None else dirs:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.y*ml")):
            try:
                themes.append(read_theme(path))
            except ValueError as exc:
                problems.append(str(exc))
    return LoadedThemes(themes, problems)
