"""Word-level diff on fixtures: unicode, whitespace-only changes, empty and huge outputs."""

from __future__ import annotations

import random

import pytest

from evaltui.analysis.diff import (
    Segment,
    char_diff,
    inline_runs,
    render_plain,
    side_by_side,
    tokenize,
    unified_word_diff,
    word_diff,
)


def _assert_rebuilds(segments: list[Segment], a: str, b: str) -> None:
    assert "".join(s.a for s in segments) == a
    assert "".join(s.b for s in segments) == b
    for s in segments:
        assert s.op != "equal" or s.a == s.b
        assert s.op != "insert" or s.a == ""
        assert s.op != "delete" or s.b == ""


def test_changed_words_are_marked_and_the_rest_is_equal() -> None:
    segs = word_diff("The quick brown fox jumps.", "The quick red fox jumps.")
    assert segs == [
        Segment("equal", "The quick ", "The quick "),
        Segment("replace", "brown", "red"),
        Segment("equal", " fox jumps.", " fox jumps."),
    ]
    assert render_plain(segs) == "The quick [-brown-]{+red+} fox jumps."


def test_identical_texts_are_one_equal_segment() -> None:
    text = "same\ntext, twice ✓\n"
    assert word_diff(text, text) == [Segment("equal", text, text)]


def test_empty_texts() -> None:
    assert word_diff("", "") == []
    assert word_diff("", "new answer") == [Segment("insert", "", "new answer")]
    assert word_diff("old answer", "") == [Segment("delete", "old answer", "")]
    assert side_by_side(word_diff("", "")) == []


def test_tokenize_keeps_accents_with_letters_and_splits_ideographs() -> None:
    text = "naïve cafe\u0301 漢字abc 👍🏽 don't"
    tokens = tokenize(text)
    assert "".join(tokens) == text
    assert "cafe\u0301" in tokens  # the combining accent stays on its word
    assert tokens[4:7] == ["漢", "字", "abc"]


def test_unicode_change_is_found_at_the_right_word() -> None:
    segs = word_diff("Grüße aus Köln 🙂", "Grüße aus Kölle 🙂")
    assert [s for s in segs if s.op != "equal"] == [Segment("replace", "Köln", "Kölle")]
    segs = word_diff("東京は晴れ", "東京は雨")
    assert [s for s in segs if s.op != "equal"] == [Segment("replace", "晴れ", "雨")]


def test_whitespace_only_change_is_a_visible_change() -> None:
    a, b = "answer: 42\n", "answer:  42\r\n"
    segs = word_diff(a, b)
    _assert_rebuilds(segs, a, b)
    assert [s for s in segs if s.op != "equal"] == [
        Segment("replace", " ", "  "),
        Segment("replace", "\n", "\r\n"),
    ]
    assert render_plain(segs) == "answer:[-·-]{+··+}42[-↵\n-]{+␍↵\n+}"


def test_unified_diff_splits_replacements_into_delete_then_insert() -> None:
    segs = unified_word_diff("pay the bill", "pay the invoice")
    assert segs[-2:] == [Segment("delete", "bill", ""), Segment("insert", "", "invoice")]


def test_inline_view_separates_a_deleted_word_from_the_inserted_one() -> None:
    # without a gap the two words read as one ("Otherbilling") wherever styles do not show
    assert inline_runs(unified_word_diff("Other", "billing")) == [
        ("delete", "Other"),
        ("equal", " "),
        ("insert", "billing"),
    ]
    assert inline_runs(word_diff("Other", "billing")) == inline_runs(unified_word_diff("Other", "billing"))


def test_inline_view_marks_changes_in_word_diff_notation_when_asked() -> None:
    runs = inline_runs(word_diff("pay the bill now", "pay the invoice now"), marks=True)
    assert "".join(text for _, text in runs) == "pay the [-bill-] {+invoice+} now"
    runs = inline_runs(word_diff("a b", "a b c"), marks=True)
    assert "".join(text for _, text in runs) == "a b{+ c+}"
    assert [op for op, _ in runs] == ["equal", "insert"]


def test_inline_view_adds_no_gap_where_the_change_already_has_one() -> None:
    runs = inline_runs([Segment("delete", "old ", ""), Segment("insert", "", "new")])
    assert "".join(text for _, text in runs) == "old new"
    runs = inline_runs([Segment("replace", "old ", "new")], marks=True)
    assert "".join(text for _, text in runs) == "[-old -]{+new+}"


def test_char_diff_inside_a_replaced_word() -> None:
    assert char_diff("colour", "color") == [
        Segment("equal", "colo", "colo"),
        Segment("delete", "u", ""),
        Segment("equal", "r", "r"),
    ]
    # an accent is part of its letter: é (e + combining acute) against e is one changed character
    assert char_diff("cafe\u0301", "cafe") == [
        Segment("equal", "caf", "caf"),
        Segment("replace", "e\u0301", "e"),
    ]


def test_side_by_side_pairs_changed_lines_and_pads_inserted_ones() -> None:
    rows = side_by_side(word_diff("one\ntwo\nthree\n", "one\n2\nextra\nthree\n"))
    text = [
        (
            "".join(p.a for p in r.left) if r.left is not None else None,
            "".join(p.b for p in r.right) if r.right is not None else None,
        )
        for r in rows
    ]
    assert text == [("one", "one"), ("two", "2"), (None, "extra"), ("three", "three")]


def _text(rng: random.Random, words: list[str], n: int, newline_every: int | None) -> str:
    parts = []
    for i in range(n):
        parts.append(rng.choice(words))
        parts.append("\n" if newline_every and i % newline_every == newline_every - 1 else " ")
    return "".join(parts)


@pytest.fixture(scope="module")
def big_texts() -> tuple[str, str, list[str]]:
    rng = random.Random(7)
    words = ["".join(rng.choice("abcdefghij") for _ in range(rng.randint(2, 8))) for _ in range(2000)]
    a = _text(rng, words, 17_000, 12)
    assert len(a) > 100_000
    return a, _text(rng, words, 17_000, 12), words


def test_100kb_outputs_with_a_few_edits_find_exactly_those_edits(
    big_texts: tuple[str, str, list[str]],
) -> None:
    a, _, _ = big_texts
    tokens = tokenize(a)
    edited = list(tokens)
    for i in (11, 5_001, 20_001, 33_001):
        edited[i - 1] = "EDITED"
    b = "".join(edited)
    segs = word_diff(a, b)
    _assert_rebuilds(segs, a, b)
    assert [s.b for s in segs if s.op != "equal"] == ["EDITED"] * 4


@pytest.mark.parametrize("one_line", [False, True])
def test_unrelated_100kb_outputs_complete_and_rebuild_both_texts(
    big_texts: tuple[str, str, list[str]], one_line: bool
) -> None:
    a, b, _ = big_texts
    if one_line:  # no newlines at all: line-by-line matching cannot help
        a, b = a.replace("\n", " "), b.replace("\n", " ")
    segs = word_diff(a, b)
    _assert_rebuilds(segs, a, b)
    assert len(side_by_side(segs)) >= 1


def test_pathologically_repetitive_outputs_complete() -> None:
    a, b = "x " * 50_000, "x " * 49_000 + "y " * 1_000
    segs = word_diff(a, b)
    _assert_rebuilds(segs, a, b)
    a, b = "x\n" * 50_000, "y\n" * 50_000
    _assert_rebuilds(word_diff(a, b), a, b)
