"""Untrusted text reaches widgets inert: nothing a terminal would act on, nothing read as markup."""

from __future__ import annotations

import re

from evaltui.providers.demo.hostile import HOSTILE_OUTPUTS
from evaltui.tui.widgets.safe_text import FULL_LIMIT, LINE_LIMIT, inert_str, one_line, safe_text

ACTIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")


def test_every_hostile_output_loses_its_control_characters() -> None:
    for name, hostile in HOSTILE_OUTPUTS.items():
        for shown in (safe_text(hostile).plain, one_line(hostile, 200).plain, inert_str(hostile)):
            assert not ACTIVE.search(shown), name


def test_escape_sequences_show_as_visible_symbols() -> None:
    shown = safe_text("\x1b[31mred\x1b]52;c;aGk=\x07 \u202eabc \x00").plain
    assert shown == "␛[31mred␛]52;c;aGk=␇ <U+202E>abc ␀"


def test_markup_is_kept_as_literal_characters_not_styles() -> None:
    text = safe_text("[@click=app.quit]quit[/] [bold red]x")
    assert text.plain == "[@click=app.quit]quit[/] [bold red]x"
    assert all(span.style != "bold red" for span in text.spans)


def test_a_five_megabyte_line_is_cut_with_a_note() -> None:
    text = safe_text("x" * 5_000_000)
    assert len(text.plain) < LINE_LIMIT + 200
    assert "more characters on this line" in text.plain


def test_many_lines_are_bounded_in_total() -> None:
    text = safe_text("line\n" * 100_000)
    assert len(text.plain) < FULL_LIMIT + 200
    assert "more characters not shown" in text.plain


def test_previews_stay_on_one_line_within_their_width() -> None:
    preview = one_line("first line\nsecond\tline", 12)
    assert "\n" not in preview.plain and preview.cell_len <= 12
    assert preview.plain.startswith("first line↵")


def test_non_string_inputs_show_as_json() -> None:
    assert safe_text({"a": [1, 2]}).plain.replace(" ", "").replace("\n", "") == '{"a":[1,2]}'
