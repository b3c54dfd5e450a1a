"""Rich styles from the current theme's variables, for renderables that TCSS cannot reach
(DataTable cells, Line-API rows). Colours still come only from the theme."""

from __future__ import annotations

from functools import lru_cache

from rich.style import Style
from textual.app import App
from textual.color import Color, ColorParseError

STATUS_TONES = {"pass": "success", "fail": "error", "error": "warning"}
# A run's status: anything that ended before its last case (and can be resumed) is a warning.
RUN_STATUS_TONES = {
    "completed": "success",
    "running": "warning",
    "interrupted": "warning",
    "stopped": "warning",
    "failed": "error",
}


@lru_cache(maxsize=256)
def _style(value: str, bold: bool) -> Style:
    try:
        return Style(color=Color.parse(value).rich_color, bold=bold or None)
    except ColorParseError:
        return Style(bold=bold or None)


@lru_cache(maxsize=8)
def _variables(app: App[object], theme: str, dark: bool) -> dict[str, str]:
    return app.get_css_variables()


def tone(app: App[object], variable: str, *, bold: bool = False) -> Style:
    """The style of a theme variable such as "success", "error", "warning", "primary", "text-muted".

    The variables are computed once per theme: `get_css_variables` regenerates the whole design
    (milliseconds), which a live screen refreshing ten times a second cannot afford."""
    theme = app.current_theme
    value = _variables(app, theme.name, theme.dark).get(variable, "")
    return _style(value, bold)


def status_tone(app: App[object], status: str, *, bold: bool = False) -> Style:
    return tone(app, STATUS_TONES.get(status, "text-muted"), bold=bold)


def run_status_tone(app: App[object], status: str, *, bold: bool = False) -> Style:
    return tone(app, RUN_STATUS_TONES.get(status, "text-muted"), bold=bold)


def colourless(app: App[object]) -> bool:
    """Whether colour alone cannot tell things apart: NO_COLOR is set (Textual then paints in
    grey), or the theme uses the terminal's 16 colours, whose red and green may be anything. Views
    that mark changes by colour add marks a reader sees without it."""
    return app.no_color or app.current_theme.ansi
