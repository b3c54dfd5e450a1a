"""Prompt variants: `prompts:` run variant × model as runs of one group, `-p` picks, each run named
by its variant and keeping its templates, and compare shows what changed in the prompt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaltui.errors import SuiteError
from evaltui.suites import load_suite

SUITE = """\
name: variants
prompts:
  - id: plain
    prompt: "{{ input }}"
  - id: shout
    messages:
      - {role: system, content: "Answer loudly."}
      - {role: user, content: "{{ input | upper }}"}
models: [demo:echo, demo:keyword]
scorers: [{type: equals}]
cases:
  - {id: a, input: same, expected: same}
  - {id: b, input: hi, expected: HI}
"""


def write(tmp_path: Path, text: str = SUITE) -> Path:
    path = tmp_path / "v.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_variant_on_every_model_is_one_group_named_by_variant(cli, tmp_path):
    done = cli("run", str(write(tmp_path)), "-q")
    assert done.returncode == 0, done.stderr
    runs = json.loads(cli("runs", "--json").stdout)
    assert sorted(r["model_id"] for r in runs) == [
        "demo:echo@plain", "demo:echo@shout", "demo:keyword@plain", "demo:keyword@shout",
    ]  # fmt: skip
    assert len({r["group_id"] for r in runs}) == 1 and runs[0]["group_id"]
    shout = next(r for r in runs if r["model_id"] == "demo:echo@shout")
    assert shout["options"]["variant"] == "shout"
    assert shout["options"]["prompt"] == [
        {"role": "system", "content": "Answer loudly."},
        {"role": "user", "content": "{{ input | upper }}"},
    ]
    plain = next(r for r in runs if r["model_id"] == "demo:echo@plain")
    assert (plain["passed"], shout["passed"]) == (1, 1)  # echo: "same" passes plain, "HI" passes shout
    compared = cli("compare", plain["id"], shout["id"])
    assert compared.returncode == 0, compared.stderr
    assert "prompt A → B: {+system: Answer loudly." in compared.stdout
    assert "{{ input{+ | upper+} }}" in compared.stdout


def test_p_picks_variants_and_an_unknown_one_is_refused(cli, tmp_path):
    path = write(tmp_path)
    done = cli("run", str(path), "-p", "shout", "-m", "demo:echo", "-q")
    assert done.returncode == 0, done.stderr
    assert [r["model_id"] for r in json.loads(cli("runs", "--json").stdout)] == ["demo:echo@shout"]
    wrong = cli("run", str(path), "-p", "loud", "-q")
    assert wrong.returncode == 2 and "no prompt variant 'loud'; the suite has: plain, shout" in wrong.stderr


def test_only_failing_of_a_variant_run_asks_with_that_variant(cli, tmp_path):
    path = write(tmp_path)
    assert cli("run", str(path), "-p", "shout", "-m", "demo:echo", "-q").returncode == 0
    assert cli("run", "--only-failing", "latest", "-q").returncode == 0
    newest = json.loads(cli("runs", "--json").stdout)[0]
    assert newest["model_id"] == "demo:echo@shout" and newest["options"]["variant"] == "shout"
    assert newest["options"]["failing_of"] == json.loads(cli("runs", "--json").stdout)[1]["id"]
    assert newest["total"] == 1


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (SUITE.replace("prompts:", 'prompt: "x"\nprompts:'), r"write `prompts:` \(variants\) or one"),
        (SUITE.replace("id: shout", "id: plain"), "variant id 'plain' is used twice"),
        (SUITE.replace('    prompt: "{{ input }}"\n', ""), "either `prompt:` or `messages:`"),
        (SUITE.replace("{{ input | upper }}", "{{ input | upper }"), "template syntax error"),
    ],
)
def test_bad_variants_name_file_line_and_field(tmp_path, text, problem):
    with pytest.raises(SuiteError, match=problem) as caught:
        load_suite(write(tmp_path, text))
    assert "v.yaml:" in str(caught.value) and "prompts" in str(caught.value)
