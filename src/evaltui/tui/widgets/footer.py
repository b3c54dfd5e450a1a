"""The footer every screen shows: the keys that act where the focus is, drawn as one line.

Textual's `Footer` is a container of one `FooterKey` widget per key, and recomposes them each time
the screen says its bindings may have changed: mounting and styling a dozen to two dozen widgets,
a stall of the event loop while the Run screen opens in the middle of a live run (bench/tui.py).
This footer is one widget: it reads the screen's bindings when they change and repaints one line
when what it shows changed. It looks like Textual's (the same theme variables), and a click on a
key presses that key.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

DIM = Style(dim=True)


@dataclass(frozen=True)
class FooterKey:
    """One key on show: what is pressed, how it is shown, what it says, whether it acts now."""

    key: str
    display: str
    description: str
    enabled: bool = True


def shown_keys(screen: Screen[object]) -> tuple[list[FooterKey], FooterKey | None]:
    """The screen's shown bindings (one per action, as Textual's Footer shows them), and the
    command palette's key."""
    app = screen.app
    keys: list[FooterKey] = []
    actions: set[str] = set()
    for _, binding, enabled, _ in screen.active_bindings.values():
        if binding.show and binding.action not in actions:
            actions.add(binding.action)
            keys.append(FooterKey(binding.key, app.get_key_display(binding), binding.description, enabled))
    palette = None
    if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in screen.active_bindings:
        _, binding, enabled, _ = screen.active_bindings[app.COMMAND_PALETTE_BINDING]
        palette = FooterKey(binding.key, app.get_key_display(binding), binding.description, enabled)
    return keys, palette


class KeysFooter(Widget):
    """One line of keys at the bottom of a screen; the command palette's key on the right."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"keys-footer--key", "keys-footer--description", "keys-footer--separator"}
    DEFAULT_CSS = """
    KeysFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        .keys-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .keys-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .keys-footer--separator {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, show_command_palette: bool = True) -> None:
        super().__init__()
        self.show_command_palette = show_command_palette
        self.keys: list[FooterKey] = []
        self.palette: FooterKey | None = None
        self._spans: list[tuple[int, int, FooterKey]] = []  # where each key was drawn, for clicks

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def bindings_changed(self, screen: Screen[object]) -> None:
        if screen is not self.screen:
            return
        keys, palette = shown_keys(screen)
        palette = palette if self.show_command_palette else None
        if (keys, palette) != (self.keys, self.palette):
            self.keys, self.palette = keys, palette
            self.refresh()

    def render(self) -> Text:
        """Whole keys only: those that do not fit are left out, never cut in the middle of a
        key or its description (the command palette's key stays on the right)."""
        key_style = self.get_component_rich_style("keys-footer--key")
        text_style = self.get_component_rich_style("keys-footer--description")
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, FooterKey]] = []

        def add(key: FooterKey, left: str = " ") -> None:
            start = len(line)
            dim = Style() if key.enabled else DIM
            line.append(f"{left}{key.display} ", key_style + dim)
            if key.description:
                line.append(f"{key.description} ", text_style + dim)
            spans.append((start, len(line), key))

        palette = self.palette
        room = self.size.width
        if palette is not None:  # on the right, after a separator
            room -= cell_len(palette.display) + cell_len(palette.description) + 3
        for key in self.keys:
            if cell_len(line.plain) + cell_len(f" {key.display} {key.description} ") > room:
                break
            add(key)
        if palette is not None:
            line.pad_right(max(room - cell_len(line.plain), 0))
            line.append("▏", self.get_component_rich_style("keys-footer--separator"))
            add(palette, left="")
        self._spans = spans
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                if key.enabled:
                    self.app.simulate_key(key.key)
                else:
                    self.app.bell()
                return
