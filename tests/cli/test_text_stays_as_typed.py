"""What evaltui prints of a user's own text (a path, a run reference) is that text: Rich's emoji
codes (`:smile:`) are not turned into emoji, so a message names the file that was given."""

from __future__ import annotations


def test_a_missing_suite_is_named_as_given_not_as_an_emoji(cli) -> None:
    done = cli("run", ":smile:.yaml")
    assert done.returncode == 2
    assert ":smile:.yaml: no such suite file" in done.stderr


def test_a_run_reference_is_echoed_as_given(cli) -> None:
    cli("run", "support_intent.yaml", "-m", "demo:keyword", "-q")
    done = cli("show", ":thumbs_up:")
    assert done.returncode == 2
    assert "no run matches ':thumbs_up:'" in done.stderr
