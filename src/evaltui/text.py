"""Untrusted text (model outputs, inputs, ids) made safe for a terminal: control characters and
escape sequences become visible symbols instead of acting, and nothing is read as markup.
Shared by the CLI's Rich output, the reports and the TUI's widgets."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.text import Text

# C0 controls except tab and newline, DEL, C1 controls, bidi marks/overrides/isolates, zero-width
# characters, line/paragraph separators, BOM, lone surrogates, interlinear annotation, and Unicode tag
# characters (invisible "ASCII smuggling"). The TUI's widgets use the same set (tui/widgets/safe_text.py).
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f]"
)


def visible(char: str) -> str:
    """The stand-in for one unsafe character: a control picture for C0/DEL, else its code point."""
    code = ord(char)
    if char == "\n":
        return "\u21b5"  # ↵ (only where a caller asks for newlines to be shown)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ ␇ ␈ ␛ ...
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def make_visible(text: str) -> str:
    """Replace every character that could act on a terminal or reorder text with a visible stand-in."""
    return UNSAFE.sub(lambda match: visible(match.group()), text)


def inert(text: str, style: str = "") -> Text:
    """A Rich `Text` that shows `text` literally: no markup, no escape sequences. (Rich is imported
    here, not with this module: the CLI reads `make_visible` at every start and may print nothing.)"""
    from rich.text import Text

    return Text(make_visible(text), style=style)


def _escaped(match: re.Match[str]) -> str:
    """A JSON escape; characters beyond the BMP (tag characters) as their UTF-16 surrogate pair."""
    code = ord(match.group())
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_text(data: Any, *, indent: int | None = 2) -> str:
    """JSON for a terminal or a pipe: non-ASCII text stays readable, but every character `inert`
    would make visible (C1 controls, bidi overrides, zero-width marks, lone surrogates) is written
    as a \\u escape. They can only occur inside strings, so the JSON still decodes to exactly the
    same values; and a lone surrogate, which UTF-8 cannot encode, no longer crashes the output."""
    return UNSAFE.sub(_escaped, json.dumps(data, indent=indent, ensure_ascii=False, default=str))
