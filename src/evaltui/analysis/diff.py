"""Word-level diff of two model outputs, for the compare screen and Markdown reports.

Texts are cut into tokens (words, whitespace runs, punctuation runs; ideographs one by one since
CJK text has no spaces; combining marks stay with their letter) and compared with
`difflib.SequenceMatcher(autojunk=False)`, which gives the most readable diff but is quadratic in
the worst case. So the work is bounded: the common prefix and suffix are cut first; a middle
that is still too large is matched line by line, and only changed line blocks are diffed word by
word; a block too large even for that is matched with difflib's junk heuristic, or, past a hard
limit, shown as one replaced block, so no pair of outputs, however long, takes quadratic time.

The result is a list of `Segment`s whose `a` texts concatenate to the old text and whose `b`
texts concatenate to the new one, so a UI can render them side by side (`a` left, `b` right) or
inline (`inline_runs`: deletions then insertions in the flow of the text, a space between them,
and git's `[-old-]{+new+}` markers where colour cannot be relied on).
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from typing import Literal

Op = Literal["equal", "insert", "delete", "replace"]

WORD_BUDGET = 500_000  # tokens(a) x tokens(b) one exact word-level match may cost
TOTAL_BUDGET = 1_500_000  # the same, summed over every block of one diff
JUNK_LIMIT = 60_000  # tokens(a) + tokens(b) above which a block is not matched at all
CHAR_BUDGET = 250_000  # graphemes(a) x graphemes(b) for a character-level diff

# Hiragana, Katakana, CJK ideographs (and their extensions/compatibility forms): one token each.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"


@dataclass(frozen=True, slots=True)
class Segment:
    """One run of the diff: `a` is the old side's text, `b` the new side's ("" when absent)."""

    op: Op
    a: str
    b: str


@cache
def _marks() -> str:
    """A regex class body of every combining mark in the Basic Multilingual Plane, plus the
    emoji modifiers and variation selectors that extend the character before them."""
    codes = [c for c in range(0x10000) if unicodedata.category(chr(c)).startswith("M")]
    ranges: list[tuple[int, int]] = []
    for c in codes:
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1] = (ranges[-1][0], c)
        else:
            ranges.append((c, c))
    body = "".join(re.escape(chr(lo)) + ("-" + re.escape(chr(hi)) if hi > lo else "") for lo, hi in ranges)
    return body + "\u200d\U0001f3fb-\U0001f3ff\U000e0100-\U000e01ef"


@cache
def _token_re() -> re.Pattern[str]:
    marks = _marks()
    word = rf"(?:(?![{_CJK}])[\w{marks}])+"
    return re.compile(rf"[{_CJK}][{marks}]*|{word}|\s+|[^\w\s]+")


@cache
def _grapheme_re() -> re.Pattern[str]:
    return re.compile(rf".[{_marks()}]*", re.DOTALL)


def tokenize(text: str) -> list[str]:
    """Words, whitespace runs and punctuation runs; `"".join(tokenize(t)) == t`."""
    return _token_re().findall(text)


@dataclass
class _Budget:
    remaining: int = TOTAL_BUDGET


def word_diff(a: str, b: str) -> list[Segment]:
    """Segments (equal/insert/delete/replace) turning `a` into `b` at word level."""
    ta, tb = tokenize(a), tokenize(b)
    start = _common_prefix(ta, tb)
    end = _common_suffix(ta, tb, start)
    out: list[Segment] = []
    _push(out, "equal", "".join(ta[:start]), "".join(tb[:start]))
    _diff_block(ta[start : len(ta) - end], tb[start : len(tb) - end], out, _Budget())
    _push(out, "equal", "".join(ta[len(ta) - end :]), "".join(tb[len(tb) - end :]))
    return out


def unified_word_diff(a: str, b: str) -> list[Segment]:
    """The inline view: like `word_diff` but each replace is a delete followed by an insert."""
    out: list[Segment] = []
    for seg in word_diff(a, b):
        if seg.op == "replace":
            out.append(Segment("delete", seg.a, ""))
            out.append(Segment("insert", "", seg.b))
        else:
            out.append(seg)
    return out


MARKS = {"delete": ("[-", "-]"), "insert": ("{+", "+}")}  # git's word-diff notation


def inline_runs(segments: Sequence[Segment], *, marks: bool = False) -> list[tuple[Op, str]]:
    """The inline view in reading order: ("equal", text), ("delete", text), ("insert", text).

    A deletion followed by an insertion gets a space between them (an "equal" run) unless one of
    them already ends or starts with whitespace: otherwise "Other" replaced by "billing" reads
    "Otherbilling" wherever the styles that tell them apart do not show. With `marks`, each change
    is also wrapped in git's word-diff markers, for screens without colour."""
    out: list[tuple[Op, str]] = []
    deleted = ""  # the deletion just before, if the last run was one
    for seg in segments:
        if seg.op == "equal":
            out.append(("equal", seg.a))
            deleted = ""
            continue
        changes: tuple[tuple[Op, str], ...] = (("delete", seg.a), ("insert", seg.b))
        for op, text in changes:
            if not text:
                continue
            if op == "insert" and deleted and not (deleted[-1].isspace() or text[0].isspace()):
                out.append(("equal", " "))
            deleted = text if op == "delete" else ""
            opening, closing = MARKS[op] if marks else ("", "")
            out.append((op, f"{opening}{text}{closing}"))
    return out


def char_diff(a: str, b: str) -> list[Segment]:
    """Character-level segments inside a replaced pair of words (user-perceived characters:
    a letter keeps its combining accents). Very long pairs come back as one replace."""
    ga, gb = _grapheme_re().findall(a), _grapheme_re().findall(b)
    out: list[Segment] = []
    if len(ga) * len(gb) > CHAR_BUDGET:
        _push(out, "replace", a, b)
        return out
    _emit_opcodes(ga, gb, SequenceMatcher(None, ga, gb, autojunk=False), out)
    return out


def show_whitespace(text: str) -> str:
    """Make spaces, tabs and line breaks visible, for changed runs that are only whitespace."""
    return text.replace(" ", "·").replace("\t", "→").replace("\r", "␍").replace("\n", "↵\n")


def render_plain(segments: Sequence[Segment]) -> str:
    """git's word-diff notation for Markdown reports: `[-old-]{+new+}`. Changed runs that are
    only whitespace are made visible, otherwise a whitespace-only change would not show."""

    def vis(text: str) -> str:
        return show_whitespace(text) if text.isspace() else text

    parts: list[str] = []
    for seg in segments:
        if seg.op == "equal":
            parts.append(seg.a)
            continue
        if seg.a:
            parts.append(f"[-{vis(seg.a)}-]")
        if seg.b:
            parts.append(f"{{+{vis(seg.b)}+}}")
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the side-by-side view: the old line's pieces left, the new line's right;
    None where that side has no line (the other side inserted lines there). Pieces hold no
    newline characters."""

    left: tuple[Segment, ...] | None
    right: tuple[Segment, ...] | None


def side_by_side(segments: Sequence[Segment]) -> list[Row]:
    """Align the diff into rows: both sides break together at every unchanged newline, and
    changed lines in between are paired top to bottom, the shorter side padded with None."""
    rows: list[Row] = []
    left: list[list[Segment]] = [[]]
    right: list[list[Segment]] = [[]]
    for seg in segments:
        if seg.op == "equal":
            for part in seg.a.splitlines(keepends=True):
                _add_piece(left, Segment("equal", part, part))
                _add_piece(right, Segment("equal", part, part))
                if part.endswith("\n"):
                    _flush_rows(rows, left, right)
                    left, right = [[]], [[]]
            continue
        for part in seg.a.splitlines(keepends=True):
            _add_piece(left, Segment(seg.op, part, ""))
        for part in seg.b.splitlines(keepends=True):
            _add_piece(right, Segment(seg.op, "", part))
    _flush_rows(rows, left, right)
    return rows


def _add_piece(lines: list[list[Segment]], piece: Segment) -> None:
    """Add a piece to the open line of one side; a piece ending in a newline closes the line."""
    ends = (piece.a or piece.b).endswith("\n")
    piece = Segment(piece.op, piece.a.removesuffix("\n"), piece.b.removesuffix("\n"))
    if piece.a or piece.b:
        lines[-1].append(piece)
    if ends:
        lines.append([])


def _flush_rows(rows: list[Row], left: list[list[Segment]], right: list[list[Segment]]) -> None:
    """Emit the lines gathered since the last shared newline. An empty open line is no line:
    pieces are only added for text, so a line with nothing in it was never started."""
    if left and not left[-1]:
        left = left[:-1]
    if right and not right[-1]:
        right = right[:-1]
    for i in range(max(len(left), len(right))):
        rows.append(
            Row(tuple(left[i]) if i < len(left) else None, tuple(right[i]) if i < len(right) else None)
        )


def _diff_block(ta: list[str], tb: list[str], out: list[Segment], budget: _Budget) -> None:
    """Diff a changed middle: exactly by words when affordable, else by lines first."""
    if _exact_if_affordable(ta, tb, out, budget):
        return
    la, lb = _chunks(ta), _chunks(tb)
    if len(la) == 1 or len(lb) == 1:
        _fallback(ta, tb, out)
        return
    keys_a, keys_b = ["".join(line) for line in la], ["".join(line) for line in lb]
    exact = len(la) * len(lb) <= WORD_BUDGET
    matcher = SequenceMatcher(None, keys_a, keys_b, autojunk=not exact)  # chunks of text, not tokens
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            text = "".join(keys_a[i1:i2])
            _push(out, "equal", text, text)
        else:
            sub_a = [tok for line in la[i1:i2] for tok in line]
            sub_b = [tok for line in lb[j1:j2] for tok in line]
            if not _exact_if_affordable(sub_a, sub_b, out, budget):
                _fallback(sub_a, sub_b, out)


def _exact_if_affordable(ta: list[str], tb: list[str], out: list[Segment], budget: _Budget) -> bool:
    """The exact (autojunk=False) word match, when its worst case fits the budgets."""
    cost = len(ta) * len(tb)
    if cost and (cost > WORD_BUDGET or cost > budget.remaining):
        return False
    budget.remaining -= cost
    ka, kb = [_key(t) for t in ta], [_key(t) for t in tb]
    for op, i1, i2, j1, j2 in SequenceMatcher(None, ka, kb, autojunk=False).get_opcodes():
        if op != "equal":
            _push(out, op, "".join(ta[i1:i2]), "".join(tb[j1:j2]))
            continue
        for x, y in zip(ta[i1:i2], tb[j1:j2], strict=True):
            _push(out, "equal" if x == y else "replace", x, y)
    return True


def _key(token: str) -> str:
    """What a token is matched on: whitespace runs only by whether they break the line, so a
    changed run of spaces shows as that run replaced instead of derailing the alignment."""
    if token.isspace():
        return "\n" if "\n" in token else " "
    return token


def _fallback(ta: list[str], tb: list[str], out: list[Segment]) -> None:
    """Too big for an exact match: difflib's junk heuristic (frequent tokens such as spaces do
    not anchor matches), or past the hard limit one replaced block."""
    if len(ta) + len(tb) > JUNK_LIMIT:
        _push(out, "replace", "".join(ta), "".join(tb))
        return
    _emit_opcodes(ta, tb, SequenceMatcher(None, ta, tb, autojunk=True), out)


def _chunks(tokens: list[str]) -> list[list[str]]:
    """Group tokens into lines, and long lines into content-defined pieces: a piece also ends
    after a word whose CRC is 0 mod 16 (about every 16 words). The cut points depend only on the
    words themselves, so after an insertion both texts are cut at the same places again."""
    chunks: list[list[str]] = [[]]
    for tok in tokens:
        chunks[-1].append(tok)
        if "\n" in tok or (tok[0].isalnum() and zlib.crc32(tok.encode()) & 15 == 0):
            chunks.append([])
    if not chunks[-1]:
        chunks.pop()
    return chunks


def _emit_opcodes(
    ta: Sequence[str], tb: Sequence[str], matcher: SequenceMatcher[str], out: list[Segment]
) -> None:
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        _push(out, op, "".join(ta[i1:i2]), "".join(tb[j1:j2]))


def _push(out: list[Segment], opcode: str, a: str, b: str) -> None:
    """Append, merging with the previous segment: equal runs join, and adjacent changes of any
    kind become one change (a delete next to an insert reads as one replace). `opcode` is
    difflib's ("equal", "replace", "delete", "insert")."""
    if not a and not b:
        return
    op: Op = "equal" if opcode == "equal" else ("replace" if a and b else ("delete" if a else "insert"))
    if out:
        prev = out[-1]
        if prev.op == "equal" and op == "equal":
            out[-1] = Segment("equal", prev.a + a, prev.b + b)
            return
        if prev.op != "equal" and op != "equal":
            pa, pb = prev.a + a, prev.b + b
            out[-1] = Segment("replace" if pa and pb else ("delete" if pa else "insert"), pa, pb)
            return
    out.append(Segment(op, a, b))


def _common_prefix(ta: list[str], tb: list[str]) -> int:
    n = min(len(ta), len(tb))
    i = 0
    while i < n and ta[i] == tb[i]:
        i += 1
    return i


def _common_suffix(ta: list[str], tb: list[str], start: int) -> int:
    n = min(len(ta), len(tb)) - start
    k = 0
    while k < n and ta[-1 - k] == tb[-1 - k]:
        k += 1
    return k
