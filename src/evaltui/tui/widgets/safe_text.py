"""The one door untrusted text goes through before it reaches a widget.

Model outputs, case inputs and suite text may hold Rich markup, ANSI/OSC escape sequences,
control characters, bidi overrides, zero-width characters, lone surrogates or megabytes on one
line. Everything here returns `rich.text.Text` built from plain strings (never parsed as markup),
with every invisible or terminal-active character replaced by a visible, dimmed stand-in, and
with size bounded so a 5 MB output cannot stall the event loop.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rich.style import Style
from rich.text import Text

from evaltui.text import UNSAFE, visible

_UNSAFE = UNSAFE
_UNSAFE_OR_NEWLINE = re.compile(_UNSAFE.pattern[:-1] + "\n\t]")

CONTROL_STYLE = "dim reverse"
NOTE_STYLE = "dim italic"

FULL_LIMIT = 100_000  # characters shown in a detail view before a "more" note
LINE_LIMIT = 4_000  # characters of one line shown before it is cut


def as_plain(value: Any) -> str:
    """Any JSON value as a string: strings as they are, the rest as indented JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, indent=2, default=str)
    except (TypeError, ValueError):
        return repr(value)


def _append_escaped(text: Text, plain: str, style: str | Style, pattern: re.Pattern[str]) -> None:
    position = 0
    for match in pattern.finditer(plain):
        if match.start() > position:
            text.append(plain[position : match.start()], style)
        char = match.group()
        text.append("    " if char == "\t" else visible(char), CONTROL_STYLE if char != "\t" else style)
        position = match.end()
    if position < len(plain):
        text.append(plain[position:], style)


def _cut_long_lines(plain: str, line_limit: int) -> list[tuple[str, int]]:
    """Lines of `plain` with how many characters were cut from each."""
    lines = []
    for line in plain.split("\n"):
        if len(line) > line_limit:
            lines.append((line[:line_limit], len(line) - line_limit))
        else:
            lines.append((line, 0))
    return lines


def safe_text(
    value: Any,
    *,
    style: str | Style = "",
    limit: int = FULL_LIMIT,
    line_limit: int = LINE_LIMIT,
) -> Text:
    """Multi-line untrusted text for a detail view: inert, bounded, with notes where it was cut."""
    plain = as_plain(value)
    total = len(plain)
    head = plain[:limit]
    text = Text(no_wrap=False, end="")
    for index, (line, cut) in enumerate(_cut_long_lines(head, line_limit)):
        if index:
            text.append("\n")
        _append_escaped(text, line, style, _UNSAFE)
        if cut:
            text.append(f" … ({cut:,} more characters on this line)", NOTE_STYLE)
    if total > limit:
        text.append(f"\n… {total - limit:,} more characters not shown ({total:,} in all)", NOTE_STYLE)
    return text


def one_line(value: Any, width: int, *, style: str | Style = "") -> Text:
    """A single-line preview for tables: newlines and tabs shown as marks, cut to `width` cells."""
    plain = as_plain(value)[: max(width, 0) * 2 + 8]
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    _append_escaped(text, plain, style, _UNSAFE_OR_NEWLINE)
    text.truncate(max(width, 0), overflow="ellipsis")
    return text


def inert_str(value: Any, limit: int = 200) -> str:
    """A plain, single-line string with unsafe characters made visible: for places that take a
    `str` but must not act on it (command palette entries, titles, notifications)."""
    plain = as_plain(value)[:limit]

    def stand_in(found: re.Match[str]) -> str:
        return " " if found.group() == "\t" else visible(found.group())

    return _UNSAFE_OR_NEWLINE.sub(stand_in, plain)
