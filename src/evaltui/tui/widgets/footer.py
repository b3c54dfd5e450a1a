"""The footer every screen shows: Textual's `Footer`, rebuilt only when the keys it shows change.

Textual's Footer recomposes all its keys each time the screen says its bindings may have changed:
on every focus change, every change of the screen stack, and after idle callbacks. Opening a
screen fires that about six times, and each rebuild mounts and styles a dozen widgets: ~200 of
the ~230 style applications while the Run screen opens (bench/tui.py). The keys themselves
rarely change, so the footer compares what it would show with what it shows and skips the rest.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


def shown_keys(screen: Screen[object]) -> tuple[Hashable, ...]:
    """Everything the footer's keys are built from: the shown bindings, whether each is enabled,
    its tooltip and how its key is displayed, plus the command palette's key."""
    app = screen.app
    keys: list[Hashable] = [
        (binding, enabled, tooltip, app.get_key_display(binding))
        for (_, binding, enabled, tooltip) in screen.active_bindings.values()
        if binding.show
    ]
    palette = screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
    keys.append(None if palette is None else palette[1:])
    return tuple(keys)


class KeysFooter(Footer):
    """A `Footer` that skips rebuilding when the keys on show are unchanged."""

    def __init__(self, *, show_command_palette: bool = True, compact: bool = False) -> None:
        super().__init__(show_command_palette=show_command_palette, compact=compact)
        self._shown: tuple[Hashable, ...] | None = None  # what the keys on show were built from
        self._rebuilding = False  # a rebuild is scheduled; it reads the bindings when it runs

    def compose(self) -> ComposeResult:
        if self._rebuilding:
            self._rebuilding = False
            self._shown = shown_keys(self.screen)
        yield from super().compose()

    def bindings_changed(self, screen: Screen[object]) -> None:
        if not (screen.app.app_focus and self.is_attached and screen is self.screen):
            super().bindings_changed(screen)  # Footer records that bindings are ready, nothing more
            return
        if self._rebuilding or shown_keys(screen) == self._shown:
            return
        self._rebuilding = True
        super().bindings_changed(screen)
