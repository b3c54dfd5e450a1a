"""Importing a promptfoo config into an evaltui Suite."""

from __future__ import annotations

import pytest

from evaltui.engine import prepare
from evaltui.errors import SuiteError
from evaltui.suites import render_messages
from evaltui.suites.importers import import_promptfoo
from tests.suites.conftest import WriteFile

CONFIG = """
    description: Translate greetings
    prompts:
      - "Translate to {{ language }}: {{ input }}"
    providers:
      - openai:chat:gpt-4o-mini
      - id: anthropic:messages:claude-sonnet-4-5
        label: claude
        config: {temperature: 0}
      - ollama:llama3.2
    defaultTest:
      assert:
        - type: not-icontains
          value: sorry
    tests:
      - vars: {language: French, input: Hello}
        assert:
          - type: equals
            value: Bonjour
      - description: must look like JSON
        vars: {language: German, input: Good night}
        assert:
          - type: is-json
          - type: regex
            value: "^G"
    sharing: false
"""


def test_promptfoo_config_becomes_a_suite(write: WriteFile) -> None:
    suite = import_promptfoo(write("promptfooconfig.yaml", CONFIG))
    assert suite.name == "Translate greetings"
    assert [m.id for m in suite.models] == ["openai:gpt-4o-mini", "claude", "ollama:llama3.2"]
    assert suite.models[1].model == "claude-sonnet-4-5" and suite.models[1].params == {"temperature": 0}
    first, second = suite.cases
    assert (first.input, first.expected, first.vars) == ("Hello", "Bonjour", {"language": "French"})
    assert render_messages(suite, first)[0]["content"] == "Translate to French: Hello"
    assert [(s.type, s.negate) for s in suite.scorers] == [("icontains", True)]
    assert [(s.type, s.negate) for s in suite.scorers_for(second)] == [
        ("icontains", True),
        ("json-valid", False),
        ("regex", False),
    ]
    assert second.scorers is not None and second.scorers[2].options() == {"pattern": "^G"}


def test_imported_suite_prepares_with_the_real_scorers(write: WriteFile) -> None:
    prepared = prepare(import_promptfoo(write("promptfooconfig.yaml", CONFIG)))
    assert len(prepared.cases) == 2


def test_unmapped_assertion_is_named_with_its_line_at_prepare(write: WriteFile) -> None:
    text = "prompts: ['{{ input }}']\ntests:\n  - vars: {input: a}\n    assert:\n      - type: javascript\n"
    suite = import_promptfoo(write("promptfooconfig.yaml", text))
    with pytest.raises(SuiteError, match="unknown scorer 'javascript'") as info:
        prepare(suite)
    assert info.value.line == 5


@pytest.mark.parametrize(
    ("text", "line", "field", "says"),
    [
        ("prompts: [a, b]\ntests: [{vars: {input: x}}]\n", 1, "prompts", "one prompt per suite"),
        ("prompts: [a]\ntests: file://tests.csv\n", 2, "tests", "not imported"),
        ("prompts: [a]\nscenarios: []\ntests: [{vars: {input: x}}]\n", 2, "scenarios", "cannot import"),
        (
            "prompts: [a]\nproviders: [bedrock:claude]\ntests: [{vars: {input: x}}]\n",
            2,
            "providers[0]",
            "no evaltui counterpart",
        ),
        (
            "prompts: [a]\ntests:\n  - vars: {input: x}\n    threshold: 0.5\n",
            4,
            "tests[0].threshold",
            "cannot import",
        ),
        ("prompts: [a]\ntests: []\n", 2, "tests", "no tests"),
    ],
)
def test_what_cannot_be_imported_is_an_error(
    write: WriteFile, text: str, line: int, field: str, says: str
) -> None:
    with pytest.raises(SuiteError) as info:
        import_promptfoo(write("promptfooconfig.yaml", text))
    assert (info.value.line, info.value.field) == (line, field) and says in info.value.message


def test_prompt_file_is_read_next_to_the_config(write: WriteFile) -> None:
    write("prompt.txt", "Q: {{ input }}")
    suite = import_promptfoo(
        write("promptfooconfig.yaml", "prompts: [file://prompt.txt]\ntests: [{vars: {input: x}}]\n")
    )
    assert render_messages(suite, suite.cases[0])[0]["content"] == "Q: x"
    with pytest.raises(SuiteError, match="config's folder"):
        import_promptfoo(
            write("promptfooconfig.yaml", "prompts: [file://../x.txt]\ntests: [{vars: {input: x}}]\n")
        )


def test_a_key_in_a_provider_config_is_refused_not_imported(write: WriteFile) -> None:
    """promptfoo configs often carry `apiKey:`; imported, it would be stored with every run."""
    text = (
        "prompts: ['{{q}}']\nproviders:\n  - id: openai:gpt-4o-mini\n    config:\n"
        "      temperature: 0\n      apiKey: sk-imported-0000\ntests:\n  - vars: {q: a}\n"
    )
    with pytest.raises(SuiteError) as info:
        import_promptfoo(write("promptfooconfig.yaml", text))
    assert (info.value.line, info.value.field) == (6, "providers[0].config.apiKey")
    assert "api_key_env" in info.value.message and "sk-imported" not in str(info.value)
