"""A run's token totals say when answers reported no token counts: a Python component returning a
string counts none, and the summary said "tokens 0 in / 0 out", as if it had counted zero."""

from __future__ import annotations

from pathlib import Path

COMPONENT = """
def answer(messages, vars):
    if vars["input"].startswith("counted"):
        return {"output": "yes", "tokens_in": 10, "tokens_out": 2}
    return "yes"
"""


def suite(tmp_path: Path, inputs: list[str]) -> None:
    (tmp_path / "tok.py").write_text(COMPONENT)
    cases = "".join(f"  - {{id: c{i}, input: {text}, expected: 'yes'}}\n" for i, text in enumerate(inputs))
    (tmp_path / "t.yaml").write_text(
        "name: tok\nprompt: '{{ input }}'\nmodels: ['python:tok:answer']\nscorers: [{type: equals}]\n"
        "cases:\n" + cases
    )


def tokens_said(cli, tmp_path: Path) -> str:
    env = {"PYTHONPATH": str(tmp_path), "COLUMNS": "200"}
    done = cli("run", "t.yaml", "--no-cache", extra_env=env)
    assert done.returncode == 0, done.stderr
    shown = cli("show", "latest", extra_env=env)
    assert shown.returncode == 0, shown.stderr
    for out in (done.stdout, shown.stdout):
        assert out.count("tokens ") == 1, out
    return shown.stdout.split("tokens ", 1)[1].split("  ·", 1)[0]


def test_a_run_whose_answers_counted_no_tokens_says_unknown(cli, tmp_path: Path) -> None:
    suite(tmp_path, ["a", "b", "c"])
    assert tokens_said(cli, tmp_path) == "unknown"


def test_a_run_where_some_answers_counted_none_says_how_many(cli, tmp_path: Path) -> None:
    suite(tmp_path, ["counted-a", "counted-b", "c"])
    assert tokens_said(cli, tmp_path) == "20 in / 4 out (1 answer uncounted)"
