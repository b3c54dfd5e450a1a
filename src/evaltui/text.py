"""Untrusted text (model outputs, inputs, ids) made safe for a terminal: control characters and
escape sequences become visible symbols instead of acting, and nothing is read as markup.
Shared by the CLI's Rich output and exports; the TUI has the same rule in its widgets."""

from __future__ import annotations

import json
import re
from typing import Any

from rich.text import Text

# C0 controls except tab and newline, DEL, C1 controls, bidi overrides/isolates, zero-width marks,
# and lone surrogates.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for ESC, ␀ for NUL, ...
    if code == 0x7F:
        return "\u2421"
    return f"\\u{code:04x}"


def make_visible(text: str) -> str:
    """Replace every character that could act on a terminal or reorder text with a visible stand-in."""
    return _UNSAFE.sub(_visible, text)


def inert(text: str, style: str = "") -> Text:
    """A Rich `Text` that shows `text` literally: no markup, no escape sequences."""
    return Text(make_visible(text), style=style)


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_text(data: Any, *, indent: int | None = 2) -> str:
    """JSON for a terminal or a pipe: non-ASCII text stays readable, but every character `inert`
    would make visible (C1 controls, bidi overrides, zero-width marks, lone surrogates) is written
    as a \\u escape. They can only occur inside strings, so the JSON still decodes to exactly the
    same values; and a lone surrogate, which UTF-8 cannot encode, no longer crashes the output."""
    return _UNSAFE.sub(_escaped, json.dumps(data, indent=indent, ensure_ascii=False, default=str))
