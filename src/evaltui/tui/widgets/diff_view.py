"""Two outputs side by side at word level, or inline, without holding a rendered copy of either.

`build_diff` (pure, run it in a thread worker) turns two texts into display lines: word-level
segments from `analysis.diff`, with a character-level diff inside replaced words, every piece of
text already made inert (`safe_text.inert_str`). The inline view comes twice: as coloured runs,
and with git's `[-old-]{+new+}` markers for when colour is off (`tones.colourless`). `DiffView` is
a Line-API widget (like `ResultTable`): it wraps those lines to its width when the width changes
and paints only the visible ones, so two 100 KB outputs scroll as cheaply as two short ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rich.cells import cell_len
from rich.segment import Segment as RichSegment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import App
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from evaltui.analysis.diff import Segment, char_diff, inline_runs, side_by_side, word_diff
from evaltui.tui.widgets.safe_text import inert_str, safe_text
from evaltui.tui.widgets.tones import colourless, tone


def inline_text(app: App[object], segments: list[Segment], *, limit: int | None = None) -> Text:
    """A short inline diff as one `Text` (the Case screen's output against expected, the Compare
    screen's prompt change): deleted runs struck, inserted ones underlined, in the theme's error and
    success colours, and git's `[-…-]{+…+}` marks as well when colour alone cannot tell them apart."""
    styles = {
        "equal": Style(),
        "delete": tone(app, "error") + Style(strike=True),
        "insert": tone(app, "success") + Style(underline=True),
    }
    text = Text()
    for op, run in inline_runs(segments, marks=colourless(app)):
        text.append_text(safe_text(run, style=styles[op], **({} if limit is None else {"limit": limit})))
    return text


SIDE_LIMIT = 120_000  # characters of each output that are diffed and shown; the rest is noted
WORD_CHARS = 64  # replaced words up to this long get a character-level diff
Kind = Literal["same", "old", "new", "old!", "new!", "note"]  # "!": exactly the changed characters
Piece = tuple[str, Kind]
Line = tuple[Piece, ...]


@dataclass(frozen=True, slots=True)
class DiffLines:
    """What the view shows: rows of (left, right) lines, None where a side has no line, and the
    inline view's lines, plain and marked. Texts are inert and hold no newline."""

    side: list[tuple[Line | None, Line | None]]
    inline: list[Line]
    inline_marked: list[Line]
    changed: bool  # False when the two outputs are identical
    note: str = ""  # what was left out, in words


def _is_word(text: str) -> bool:
    return 0 < len(text) <= WORD_CHARS and not any(ch.isspace() for ch in text)


def _with_char_level(segments: list[Segment]) -> list[Segment]:
    """Replaced single words become their character diff: shared letters keep op "replace",
    changed letters become "delete"/"insert" (the strong style)."""
    out: list[Segment] = []
    for seg in segments:
        if seg.op != "replace" or not (_is_word(seg.a) and _is_word(seg.b)):
            out.append(seg)
            continue
        for part in char_diff(seg.a, seg.b):
            if part.op == "equal":
                out.append(Segment("replace", part.a, part.b))
            else:
                if part.a:
                    out.append(Segment("delete", part.a, ""))
                if part.b:
                    out.append(Segment("insert", "", part.b))
    return out


_LEFT: dict[str, Kind] = {"equal": "same", "replace": "old", "delete": "old!", "insert": "old!"}
_RIGHT: dict[str, Kind] = {"equal": "same", "replace": "new", "delete": "new!", "insert": "new!"}


def _line(pieces: tuple[Segment, ...] | None, left: bool) -> Line | None:
    if pieces is None:
        return None
    kinds = _LEFT if left else _RIGHT
    return tuple((inert_str(p.a if left else p.b, limit=SIDE_LIMIT), kinds[p.op]) for p in pieces)


def _inline_lines(segments: list[Segment], *, marks: bool) -> list[Line]:
    """The unified view: deletions then insertions in the flow of the text, split into lines."""
    kinds: dict[str, Kind] = {"equal": "same", "delete": "old!", "insert": "new!"}
    lines: list[list[Piece]] = [[]]
    for op, text in inline_runs(segments, marks=marks):
        kind = kinds[op]
        for index, chunk in enumerate(text.split("\n")):
            if index:
                if kind != "same":
                    lines[-1].append(("↵", kind))
                lines.append([])
            if chunk:
                lines[-1].append((inert_str(chunk, limit=SIDE_LIMIT), kind))
    return [tuple(line) for line in lines]


def build_diff(a: str, b: str) -> DiffLines:
    """Both views of the change from `a` (left, old) to `b` (right, new). Real work for long
    texts: call it from a thread worker."""
    notes = [
        f"{name}: only the first {SIDE_LIMIT:,} of {len(text):,} characters are compared"
        for name, text in (("A", a), ("B", b))
        if len(text) > SIDE_LIMIT
    ]
    a, b = a[:SIDE_LIMIT], b[:SIDE_LIMIT]
    segments = word_diff(a, b)
    rows = side_by_side(_with_char_level(segments))
    side = [(_line(row.left, True), _line(row.right, False)) for row in rows]
    inline, marked = (_inline_lines(segments, marks=marks) for marks in (False, True))
    return DiffLines(side, inline, marked, a != b, "; ".join(notes))


def wrap(line: Line, width: int) -> list[Line]:
    """Cut a line into lines of at most `width` cells (hard wrap: a diff must not reflow)."""
    out: list[list[Piece]] = [[]]
    used = 0
    for text, kind in line:
        while text:
            room = width - used
            if room <= 0:
                out.append([])
                used, room = 0, width
            take = _fit(text, room)
            if not take:  # a wide character on a line with one cell left
                used = width
                continue
            out[-1].append((take, kind))
            used += cell_len(take)
            text = text[len(take) :]
    return [tuple(part) for part in out]


def _fit(text: str, cells: int) -> str:
    """The longest prefix of `text` that fits in `cells` cells."""
    if text.isascii():
        return text[:cells]
    used = 0
    for index, char in enumerate(text):
        used += cell_len(char)
        if used > cells:
            return text[:index]
    return text


class DiffView(ScrollView, can_focus=True):
    """Side by side (old left, new right) or inline; `u` switches."""

    BINDINGS = [
        Binding("down,j", "scroll_down", "Down", show=False, tooltip="Scroll down", id="diff.down"),
        Binding("up,k", "scroll_up", "Up", show=False, tooltip="Scroll up", id="diff.up"),
        Binding(
            "pagedown,space", "page_down", "Page down", show=False, tooltip="One screen down", id="diff.pgdn"
        ),
        Binding("pageup", "page_up", "Page up", show=False, tooltip="One screen up", id="diff.pgup"),
        Binding("home", "jump(0)", "Top", show=False, tooltip="Start of the outputs", id="diff.home"),
        Binding("end", "jump(-1)", "End", show=False, tooltip="End of the outputs", id="diff.end"),
    ]
    DEFAULT_CSS = """
    DiffView { height: 1fr; background: $surface; overflow-x: hidden; }
    """

    unified: reactive[bool] = reactive(False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: DiffLines | None = None
        self._visual: list[tuple[Line | None, Line | None]] = []
        self._width = 0

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._rewrap(force=True))

    def show(self, lines: DiffLines) -> None:
        self.lines = lines
        self._rewrap(force=True)
        self.scroll_to(y=0, animate=False, immediate=True)

    def action_jump(self, where: int) -> None:
        self.scroll_to(y=self.max_scroll_y if where < 0 else 0, animate=False, immediate=True)

    def watch_unified(self) -> None:
        self._rewrap(force=True)

    def on_resize(self, event: events.Resize) -> None:
        self._rewrap()

    @property
    def visual_lines(self) -> int:
        return len(self._visual)

    def _column(self) -> int:
        width = self.scrollable_content_region.width
        return max(width if self.unified else (width - 3) // 2, 4)

    def _rewrap(self, *, force: bool = False) -> None:
        """Wrap every line to the current width: O(text), done only when the width or the view
        changes, never while scrolling."""
        width = self._column()
        if self.lines is None or (width == self._width and not force):
            return
        self._width = width
        visual: list[tuple[Line | None, Line | None]] = []
        if self.unified:
            for line in self.lines.inline_marked if colourless(self.app) else self.lines.inline:
                visual.extend((part, None) for part in wrap(line, width))
        else:
            for left, right in self.lines.side:
                lw = wrap(left, width) if left is not None else [None]
                rw = wrap(right, width) if right is not None else [None]
                for i in range(max(len(lw), len(rw))):
                    visual.append((_pad(lw, i), _pad(rw, i)))
        self._visual = visual
        self.virtual_size = Size(self.scrollable_content_region.width, len(visual))
        self.refresh()

    def _styles(self) -> dict[str, Style]:
        old, new = tone(self.app, "error"), tone(self.app, "success")
        if colourless(self.app):  # side by side, changed words show by their underline
            old, new = old + Style(underline=True), new + Style(underline=True)
        strong = Style(bold=True, underline=True)
        return {
            "same": Style(),
            "old": old,
            "new": new,
            "old!": old + strong + (Style(strike=True) if self.unified else Style()),
            "new!": new + strong,
            "note": tone(self.app, "text-muted"),
        }

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        index = self.scroll_offset.y + y
        if index >= len(self._visual):
            return Strip.blank(width, base)
        left, right = self._visual[index]
        styles = self._styles()
        if self.unified:
            segments = self._cells(left, width, styles, base)
        else:
            column = self._width
            gutter = RichSegment(" │ ", base + tone(self.app, "text-muted"))
            segments = [
                *self._cells(left, column, styles, base),
                gutter,
                *self._cells(right, width - column - 3, styles, base),
            ]
        return Strip(segments, width).crop(0, width)

    def _cells(
        self, line: Line | None, width: int, styles: dict[str, Style], base: Style
    ) -> list[RichSegment]:
        if line is None:  # this side has no line here
            return [RichSegment("╌" * max(width, 0), base + styles["note"])]
        segments = [RichSegment(text, base + styles[kind]) for text, kind in line]
        used = sum(cell_len(text) for text, _ in line)
        if used < width:
            segments.append(RichSegment(" " * (width - used), base))
        return segments


def _pad(lines: list[Line] | list[None], index: int) -> Line | None:
    """The index-th wrapped line of a side, or an empty line past its end (None stays None)."""
    if index < len(lines):
        return lines[index]
    return () if lines and lines[0] is not None else None
