"""Every import kind on fixtures written from each tool's documented format (import_fixtures/),
and the written YAML: it carries where each part came from and loads back as the same suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaltui.errors import SuiteError
from evaltui.suites import load_suite, render_messages
from evaltui.suites.importers import import_suite
from evaltui.suites.importers.writer import suite_yaml
from tests.suites.conftest import WriteFile

FIXTURES = Path(__file__).parent / "import_fixtures"
PROMPTFOO = FIXTURES / "promptfoo" / "promptfooconfig.yaml"


def by_input(suite):
    return {case.input: case for case in suite.cases}


def test_promptfoo_tests_from_csv_jsonl_and_yaml_files_join_the_inline_ones() -> None:
    suite = import_suite("promptfoo", PROMPTFOO, prompt=1).suite
    cases = by_input(suite)
    assert len(cases) == 8
    refund = cases["Refund my last invoice please"]  # CSV: __expected plain text is equals
    assert (
        refund.expected == "billing" and refund.loc.line == 2 and refund.loc.file.endswith("more_tests.csv")
    )
    crash = cases["The app shows a blank page, then quits"]  # CSV: `contains: bug`
    assert [(s.type, s.options()) for s in crash.scorers][-1] == ("contains", {"value": "bug"})
    assert cases["Password reset mail never arrives"].expected == "bug"  # JSONL
    assert suite.scorers_for(cases["Hello there"])[-1].type == "regex"  # YAML list
    # defaultTest: its vars are every test's defaults, its asserts come first on every case
    assert all(case.vars["product"] == "Acme Cloud" for case in suite.cases)
    assert [s.label for s in suite.scorers] == ["not icontains", "latency"]
    assert render_messages(suite, refund)[0]["content"].startswith(
        "You triage support tickets for Acme Cloud."
    )


def test_promptfoo_several_prompts_become_variants_or_one_is_picked() -> None:
    """Each prompt a variant (run on every provider as model@variant), named by its label."""
    suite = import_suite("promptfoo", PROMPTFOO).suite
    assert suite.prompt is None
    assert [v.id for v in suite.prompts] == ["prompt-1", "short-one"]
    assert suite.prompts[1].prompt == "Label this ticket (billing, bug or other): {{ input }}"
    second = import_suite("promptfoo", PROMPTFOO, prompt=2).suite
    assert second.prompts is None and second.prompt == suite.prompts[1].prompt
    with pytest.raises(SuiteError, match="there is no prompt 3"):
        import_suite("promptfoo", PROMPTFOO, prompt=3)


def test_promptfoo_a_broken_template_in_any_prompt_is_an_error(write: WriteFile) -> None:
    path = write(
        "promptfooconfig.yaml", "prompts: ['{{ input }}', '{{ input']\ntests: [{vars: {input: a}}]\n"
    )
    with pytest.raises(SuiteError, match="template syntax error"):
        import_suite("promptfoo", path)


def test_promptfoo_providers_map_label_base_url_and_key_variable() -> None:
    imported = import_suite("promptfoo", PROMPTFOO, prompt=1)
    mini, llama = imported.suite.models
    assert (mini.id, mini.provider, mini.model, mini.api_key_env) == (
        "mini",
        "openai",
        "gpt-4o-mini",
        "OPENAI_API_KEY",
    )
    assert (llama.provider, llama.model, llama.base_url) == ("ollama", "llama3.2", "http://localhost:11434")
    assert "sk-written" not in suite_yaml(imported)


def test_openai_evals_chat_samples_keep_their_messages_and_accepted_answers() -> None:
    suite = import_suite("openai-evals", FIXTURES / "openai_evals" / "samples.jsonl").suite
    assert [m.role for m in suite.messages] == ["system", "user"]
    france, japan, _ = suite.cases
    assert render_messages(suite, france) == [
        {"role": "system", "content": "Answer with the capital city only."},
        {"role": "user", "content": "What is the capital of France?"},
    ]
    assert [s.type for s in suite.scorers] == ["starts-with"] and france.scorers is None
    assert japan.expected == ["Tokyo", "Tōkyō"] and japan.scorers[0].type == "regex"


@pytest.mark.parametrize(
    ("eval_class", "scorer", "normalize"),
    [("includes", "contains-any", None), ("fuzzy-match", "contains-any", ["lower", "strip_punctuation"])],
)
def test_openai_evals_classes_map_to_scorers(eval_class: str, scorer: str, normalize) -> None:
    imported = import_suite(
        "openai-evals", FIXTURES / "openai_evals" / "strings.jsonl", eval_class=eval_class
    )
    (spec,) = imported.suite.scorers
    assert spec.type == scorer
    if normalize:
        assert spec.options()["normalize"][:2] == normalize
        assert any("fuzzy-match" in note for note in imported.notes)
    assert imported.suite.cases[1].expected == ["cold", "Cold"] and imported.suite.prompt == "{{ input }}"


def test_openai_evals_samples_of_different_shapes_are_refused_by_line(write: WriteFile) -> None:
    path = write(
        "mixed.jsonl",
        '{"input": "a", "ideal": "b"}\n'
        '{"input": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}], "ideal": "x"}\n',
    )
    with pytest.raises(SuiteError, match="split the file by shape") as info:
        import_suite("openai-evals", path)
    assert info.value.line == 2


def test_inspect_multiple_choice_letters_the_choices() -> None:
    suite = import_suite("inspect", FIXTURES / "inspect" / "questions.jsonl").suite
    q1 = suite.cases[0]
    assert (q1.id, q1.expected, q1.vars["metadata"]) == ("q1", "B", {"topic": "astronomy"})
    shown = render_messages(suite, q1)[0]["content"]
    assert "A) Venus\nB) Mars\nC) Jupiter\n" in shown
    assert suite.scorers[0].type == "equals"


def test_inspect_csv_targets_and_extra_columns() -> None:
    suite = import_suite("inspect", FIXTURES / "inspect" / "answers.csv").suite
    a1, a2 = suite.cases
    assert a1.expected == ["red", "blue", "yellow"] and a1.vars == {"difficulty": "easy"}
    assert a2.expected == "carbon dioxide" and suite.scorers[0].type == "contains-any"


def test_table_columns_are_named_on_the_command_line(write: WriteFile) -> None:
    path = write("t.csv", "question,answer,key,topic\nWhat is 1+1?,2,k1,math\nSay hi,,k2,chat\n")
    suite = import_suite("csv", path, input="question", expected="answer", id="key").suite
    first, second = suite.cases
    assert (first.id, first.input, first.expected, first.vars) == (
        "k1",
        "What is 1+1?",
        "2",
        {"topic": "math"},
    )
    assert second.expected is None
    with pytest.raises(SuiteError, match="no 'prompt' column") as info:
        import_suite("csv", path, input="prompt")
    assert info.value.line == 2


@pytest.mark.parametrize(
    ("kind", "path", "options"),
    [
        ("promptfoo", PROMPTFOO, {"prompt": 1}),
        ("promptfoo", PROMPTFOO, {}),
        ("openai-evals", FIXTURES / "openai_evals" / "samples.jsonl", {}),
        ("inspect", FIXTURES / "inspect" / "questions.jsonl", {}),
        ("inspect", FIXTURES / "inspect" / "answers.csv", {}),
        ("jsonl", FIXTURES / "promptfoo" / "edge_tests.jsonl", {"input": "vars"}),
    ],
)
def test_written_yaml_says_where_each_part_came_from_and_loads_back(
    tmp_path: Path, kind: str, path: Path, options: dict
) -> None:
    imported = import_suite(kind, path, **options)
    text = suite_yaml(imported)
    assert text.startswith("# Imported by evaltui") and imported.source in text.splitlines()[0]
    first = imported.suite.cases[0]
    assert f"# from {first.loc.file}:{first.loc.line}\n" in text
    written = tmp_path / "suite.yaml"
    written.write_text(text)
    loaded = load_suite(written)
    assert [c.model_dump() for c in loaded.cases] == [c.model_dump() for c in imported.suite.cases]
    assert [s.model_dump() for s in loaded.scorers] == [s.model_dump() for s in imported.suite.scorers]
    assert (loaded.prompt, loaded.messages, loaded.prompts, loaded.models) == (
        imported.suite.prompt,
        imported.suite.messages,
        imported.suite.prompts,
        imported.suite.models,
    )


def test_a_promptfoo_config_loads_as_a_suite_directly() -> None:
    """`evaltui run` and `validate` read suites through load_suite: a promptfoo config works there."""
    config = FIXTURES / "promptfoo" / "single.yaml"
    suite = load_suite(config)
    assert suite.name == "Capitals" and len(suite.cases) == 2


def test_inspect_multiple_choice_with_a_target_list_is_scored_on_its_letter(write: WriteFile) -> None:
    """Inspect writes a target as a letter or a list of letters. A list was kept as the expected
    value and `equals` compared the answer with its JSON text (`["b"]`): the right letter failed."""
    path = write(
        "mc.jsonl",
        '{"input": "Even?", "choices": ["3", "8"], "target": ["B"], "id": "one"}\n'
        '{"input": "Odd?", "choices": ["3", "5", "8"], "target": ["A", "B"], "id": "two"}\n',
    )
    with pytest.raises(SuiteError, match=r"mc.jsonl:2: target: several right choices \(A, B\)"):
        import_suite("inspect", path)
    path.write_text('{"input": "Even?", "choices": ["3", "8"], "target": ["B"], "id": "one"}\n')
    (case,) = import_suite("inspect", path).suite.cases
    assert case.expected == "B"
